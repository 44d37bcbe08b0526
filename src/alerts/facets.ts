/**
 * Facet counts of alerts (per rule, status, severity, user), the rule every backend follows: each dimension is
 * counted under the whole filter except its own condition, so the choices of a filter keep their counts once one
 * is picked (picking `high` does not make `medium` vanish from the severity list).
 */
import { MAX_FACET_USERS, type Alert, type AlertFacets, type AlertFilter, type FacetCount } from './types.ts';

/** The filter each dimension is counted under: the whole filter without its own condition, never paged. */
export function facetFilters(f: AlertFilter): Record<'total' | 'rules' | 'statuses' | 'severities' | 'users', AlertFilter> {
  const base: AlertFilter = { ...f, limit: undefined, offset: undefined };
  return {
    total: base,
    rules: { ...base, rule: undefined },
    statuses: { ...base, status: undefined },
    severities: { ...base, severity: undefined },
    users: { ...base, user: undefined },
  };
}

/** Most first, then by key: the order of the SQL backend (`ORDER BY count DESC, key`), stable for the drop-downs. */
const byCount =
  <T extends { count: number }>(key: (x: T) => string) =>
  (a: T, b: T): number =>
    b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function countBy(alerts: readonly Alert[], key: (a: Alert) => string): FacetCount[] {
  const m = new Map<string, number>();
  for (const a of alerts) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
  return [...m].map(([name, count]) => ({ name, count })).sort(byCount((x) => x.name));
}

/**
 * Facets over alerts held in memory, `matches` being the backend's filter test.
 *
 * @example const f = facetsOf([...alerts.values()], { status: ['open'] }, matchesFilter); f.rules[0] // { name: 'slack-anomaly', count: 12 }
 */
export function facetsOf(alerts: readonly Alert[], filter: AlertFilter, matches: (a: Alert, f: AlertFilter) => boolean): AlertFacets {
  const f = facetFilters(filter);
  const where = (g: AlertFilter) => alerts.filter((a) => matches(a, g));
  const users = new Map<string, { id: string; name: string | null; email: string | null; count: number }>();
  for (const a of where(f.users)) {
    if (a.user_id === null) continue;
    const u = users.get(a.user_id) ?? { id: a.user_id, name: a.user_name, email: a.user_email, count: 0 };
    u.count++;
    users.set(a.user_id, u);
  }
  return {
    total: where(f.total).length,
    rules: countBy(where(f.rules), (a) => a.rule),
    statuses: countBy(where(f.statuses), (a) => a.status),
    severities: countBy(where(f.severities), (a) => a.severity),
    users: [...users.values()].sort(byCount((u) => u.id)).slice(0, MAX_FACET_USERS),
  };
}
