/**
 * Which alerts form which incident: a deterministic function of one user's alerts, the gap, and the incidents an
 * analyst closed. Replay and any sequence of incremental runs store the same alerts, so they end with the same
 * incidents; the analyst's state (status, assignee, comments) follows the incident's id.
 *
 * Rules:
 * - Alerts sorted by (first event, id); an alert joins the current incident when its first event is at most `gap`
 *   seconds after the latest event of the incident so far (exactly `gap` joins), else it starts a new one.
 * - A closed incident (resolved, false_positive) keeps exactly the alerts it had when it was closed; any other alert,
 *   even within the gap, is grouped without it, so a new alert after resolution starts a new incident.
 * - An incident's id comes from its first alert; an incident absorbed by another (a gap filled by a late alert) hands
 *   its comments and history to the incident that took most of its alerts, which also inherits its status and
 *   assignee when its own id is new.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../alerts/types.ts';
import { severityRank } from '../config/schema.ts';
import { isoSeconds } from '../util/time.ts';
import { CLOSED_STATUSES, type Incident, type IncidentStatus } from './types.ts';

/**
 * The user an alert's incident belongs to: its user id, else its grouping key.
 *
 * @example incidentUserOf(alert) // 'W0MATT0001'
 */
export function incidentUserOf(a: Pick<Alert, 'user_id' | 'key'>): string {
  return a.user_id ?? a.key;
}

/**
 * Stable incident id from its first alert's id.
 *
 * @example incidentId('al_5f1c0d…') // 'in_…' (20 hex digits)
 */
export function incidentId(firstAlertId: string): string {
  return `in_${createHash('sha256').update(`incident\n${firstAlertId}`).digest('hex').slice(0, 20)}`;
}

const byStart = (a: Alert, b: Alert) => a.first_ts - b.first_ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Group alerts (any order) into runs whose consecutive members are at most `gap` seconds apart.
 *
 * @example groupByGap(alerts, 86400).map((g) => g.map((a) => a.id))
 */
export function groupByGap(alerts: readonly Alert[], gap: number): Alert[][] {
  const groups: Alert[][] = [];
  let end = -Infinity;
  for (const a of [...alerts].sort(byStart)) {
    if (groups.length && a.first_ts - end <= gap) groups[groups.length - 1]!.push(a);
    else groups.push([a]);
    end = groups[groups.length - 1]!.length === 1 ? a.last_ts : Math.max(end, a.last_ts);
  }
  return groups;
}

/** A new incident's status: its alerts' common status, else open. */
function derivedStatus(alerts: readonly Alert[]): IncidentStatus {
  const s = alerts[0]!.status;
  return alerts.every((a) => a.status === s) ? s : 'open';
}

/**
 * The fields an incident takes from its alerts (not its id or the analyst's state).
 *
 * @example describeGroup(alerts).severity // 'high'
 */
export function describeGroup(alerts: readonly Alert[]): Pick<Incident, 'user_id' | 'user_name' | 'user_email' | 'severity' | 'first_seen' | 'last_seen' | 'first_ts' | 'last_ts' | 'alert_ids' | 'rules' | 'title'> {
  const sorted = [...alerts].sort(byStart);
  const top = sorted.reduce((m, a) => (severityRank(a.severity) > severityRank(m.severity) ? a : m));
  const named = [...sorted].reverse();
  const first_ts = Math.min(...sorted.map((a) => a.first_ts));
  const last_ts = Math.max(...sorted.map((a) => a.last_ts));
  const more = sorted.length - 1;
  return {
    user_id: incidentUserOf(sorted[0]!),
    user_name: named.find((a) => a.user_name)?.user_name ?? null,
    user_email: named.find((a) => a.user_email)?.user_email ?? null,
    severity: top.severity,
    first_seen: isoSeconds(first_ts),
    last_seen: isoSeconds(last_ts),
    first_ts,
    last_ts,
    alert_ids: sorted.map((a) => a.id),
    rules: [...new Set(sorted.map((a) => a.rule))],
    title: more ? `${top.title} (+${more} more alert${more > 1 ? 's' : ''})` : top.title,
  };
}

export interface IncidentPlan {
  incidents: Incident[];
  /** Incidents absorbed by another: their comments and history go to `to`. */
  moves: Array<{ from: string; to: string }>;
}

/**
 * One user's incidents from their alerts and the incidents stored so far.
 *
 * @example const { incidents, moves } = planIncidents(alertsOfUser, storedIncidents, 86400, new Date().toISOString())
 */
export function planIncidents(alerts: readonly Alert[], existing: readonly Incident[], gap: number, nowIso: string): IncidentPlan {
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const out: Incident[] = [];
  const taken = new Set<string>();
  // Closed incidents first: they keep their alerts (those still stored).
  for (const inc of existing.filter((i) => CLOSED_STATUSES.includes(i.status))) {
    const members = inc.alert_ids.flatMap((id) => (byId.has(id) && !taken.has(id) ? [byId.get(id)!] : []));
    if (!members.length) continue;
    for (const a of members) taken.add(a.id);
    out.push(withState(inc, members, nowIso));
  }
  const open = existing.filter((i) => !CLOSED_STATUSES.includes(i.status));
  const groups = groupByGap(alerts.filter((a) => !taken.has(a.id)), gap);
  const ids = groups.map((g) => incidentId(g[0]!.id));
  const moves: IncidentPlan['moves'] = [];
  // Where each stored open incident went: the new incident holding most of its alerts.
  const heirOf = new Map<string, number>();
  for (const inc of open) {
    let best = -1;
    let bestN = 0;
    groups.forEach((g, i) => {
      const n = g.filter((a) => inc.alert_ids.includes(a.id)).length;
      if (n > bestN) [best, bestN] = [i, n];
    });
    if (best >= 0) heirOf.set(inc.id, best);
  }
  groups.forEach((g, i) => {
    const id = ids[i]!;
    const same = open.find((x) => x.id === id);
    // A new id inherits from the stored incident that gave it most alerts (the earliest such, for a stable choice).
    const heirs = open.filter((x) => heirOf.get(x.id) === i && !ids.includes(x.id));
    const prev = same ?? heirs.sort((x, y) => overlap(y, g) - overlap(x, g) || x.first_ts - y.first_ts || (x.id < y.id ? -1 : 1))[0];
    for (const h of heirs) moves.push({ from: h.id, to: id });
    out.push(prev ? withState({ ...prev, id }, g, nowIso) : { id, ...describeGroup(g), status: derivedStatus(g), assignee: null, created_at: nowIso, updated_at: nowIso });
  });
  return { incidents: out, moves };
}

function overlap(inc: Incident, g: readonly Alert[]): number {
  return g.filter((a) => inc.alert_ids.includes(a.id)).length;
}

/** A stored incident over (possibly changed) alerts: state kept, `updated_at` moved only when something changed. */
function withState(prev: Incident, alerts: readonly Alert[], nowIso: string): Incident {
  const next: Incident = { ...prev, ...describeGroup(alerts) };
  const changed = JSON.stringify({ ...next, updated_at: '' }) !== JSON.stringify({ ...prev, updated_at: '' });
  return changed ? { ...next, updated_at: nowIso } : next;
}
