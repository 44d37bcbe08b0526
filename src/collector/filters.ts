/** Collection filters, their canonical form and checkpoint key. */

/** The Audit Logs API's own filters. All optional; they combine with AND. */
export interface CollectFilters {
  /** Any of these actions (sent as a comma list, in chunks of at most 30). */
  actions?: string[];
  /** User id of the actor. */
  actor?: string;
  /** Id of the target entity. */
  entity?: string;
}

/** Filters for `--anomalies-only`: Slack's anomaly events. */
export const ANOMALIES_ONLY: CollectFilters = Object.freeze({ actions: ['anomaly'] }) as CollectFilters;

/** The API accepts at most 30 actions per request. */
export const MAX_ACTIONS_PER_REQUEST = 30;

export interface CanonicalFilters {
  /** Sorted, deduplicated, trimmed; empty means every action. */
  actions: string[];
  actor?: string;
  entity?: string;
}

/** Sorted unique actions (commas inside an item split it), trimmed actor and entity, empties dropped. */
export function canonicalFilters(f: CollectFilters = {}): CanonicalFilters {
  const actions = [...new Set((f.actions ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter((a) => a !== ''))].sort();
  const out: CanonicalFilters = { actions };
  const actor = f.actor?.trim();
  const entity = f.entity?.trim();
  if (actor) out.actor = actor;
  if (entity) out.entity = entity;
  return out;
}

/**
 * Stable key of a filter set: `all` without filters, otherwise `action=a,b&actor=U1&entity=C1` (sorted actions,
 * each part URI-encoded). A full collection and an anomalies-only one (`action=anomaly`) never share a checkpoint.
 *
 * @example checkpointKey({ actions: ['user_login', 'anomaly'] }) // 'action=anomaly,user_login'
 */
export function checkpointKey(f: CollectFilters = {}): string {
  const c = canonicalFilters(f);
  const parts: string[] = [];
  if (c.actions.length > 0) parts.push(`action=${c.actions.map(encodeURIComponent).join(',')}`);
  if (c.actor) parts.push(`actor=${encodeURIComponent(c.actor)}`);
  if (c.entity) parts.push(`entity=${encodeURIComponent(c.entity)}`);
  return parts.length === 0 ? 'all' : parts.join('&');
}

/** The filters as stored on the checkpoint (the values sent on every request; actions as one comma list). */
export function filterRecord(f: CollectFilters = {}): Record<string, string> {
  const c = canonicalFilters(f);
  const r: Record<string, string> = {};
  if (c.actions.length > 0) r.action = c.actions.join(',');
  if (c.actor) r.actor = c.actor;
  if (c.entity) r.entity = c.entity;
  return r;
}

/** Split actions into request-sized chunks; `[undefined]` (one unfiltered chunk) when there are none. */
export function actionChunks(actions: string[], size = MAX_ACTIONS_PER_REQUEST): Array<string | undefined> {
  if (actions.length === 0) return [undefined];
  const out: string[] = [];
  for (let i = 0; i < actions.length; i += size) out.push(actions.slice(i, i + size).join(','));
  return out;
}
