/**
 * Alert fixtures for incident tests: drafts to store through an alert store, or alerts for the pure planner.
 */
import type { Alert, AlertDraft } from '../alerts/types.ts';
import { isoSeconds } from '../util/time.ts';

const DAY = 86400;

/**
 * A draft alert of `user` spanning [first, last] (Unix seconds), of rule `rule`.
 *
 * @example await alerts.replace(scopeOf(d), [d], 0) // d = draftFor('a1', 'W1', t, t + 60)
 */
export function draftFor(id: string, user: string, first: number, last: number, over: Partial<AlertDraft> = {}): AlertDraft {
  return {
    id, rule: 'rule-a', severity: 'medium', title: `alert ${id}`, user_id: user, user_name: `name of ${user}`, user_email: null,
    first_ts: first, last_ts: last, event_ids: [`e-${id}`], event_count: 1, tags: [],
    context: { summary: '', reasons: [], facts: {}, target: null, ips: [], user_agents: [], downloads: null, related: [], aer_reset: null, slack: [] },
    key: user, period: Math.floor(first / DAY), anchor: first, ...over,
  };
}

/** The scope that owns exactly one draft (its rule, key and day): replacing it stores the draft alone. */
export function scopeOf(d: AlertDraft) {
  return { rules: [d.rule], periodFrom: d.period, periodTo: d.period, key: d.key };
}

/**
 * A stored-looking alert from a draft (status open unless given).
 *
 * @example planIncidents([alertFor('a1', 'W1', t, t)], [], 86400, now)
 */
export function alertFor(id: string, user: string, first: number, last: number, over: Partial<Alert> = {}): Alert {
  const d = draftFor(id, user, first, last);
  return {
    ...d, status: 'open', status_note: null, status_by: null, first_seen: isoSeconds(first), last_seen: isoSeconds(last),
    created_at: '2024-01-01T00:00:00.000Z', updated_at: '2024-01-01T00:00:00.000Z', version: 1, ...over,
  } as Alert;
}
