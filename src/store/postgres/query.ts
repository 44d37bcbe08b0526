/**
 * `EventQuery` as a PostgreSQL `WHERE` clause over `events e`, every value a numbered parameter (the SQLite twin is
 * `sqlite/query.ts`; the filters mean the same).
 */
import { ipRangeKeys } from '../sqlite/ip-key.ts';
import type { EventQuery } from '../types.ts';

/**
 * @example
 * const { where, params } = pgEventWhere({ actions: ['file_downloaded'], actor: 'W1' });
 * await pool.query(`SELECT count(*) FROM events e ${where}`, params);
 */
export function pgEventWhere(q: EventQuery, params: unknown[] = []): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (q.actions?.length) clauses.push(`e.action = ANY(${p(q.actions)}::text[])`);
  const eq = (col: string, value: string | undefined) => {
    if (value !== undefined) clauses.push(`e.${col} = ${p(value)}`);
  };
  eq('actor_id', q.actor);
  eq('entity_id', q.entity);
  eq('ip', q.ip);
  eq('session_id', q.session);
  eq('channel_id', q.channel);
  if (q.ipRanges) {
    // One index range per block on (ip_key, ts); an empty list matches nothing.
    const ors = q.ipRanges.map((r) => {
      const [a, b] = ipRangeKeys(r);
      return `e.ip_key BETWEEN ${p(a)}::bytea AND ${p(b)}::bytea`;
    });
    clauses.push(ors.length ? `(${ors.join(' OR ')})` : 'false');
  }
  if (q.actors) clauses.push(`e.actor_id = ANY(${p(q.actors)}::text[])`);
  if (q.ips) clauses.push(`e.ip = ANY(${p(q.ips)}::text[])`);
  if (q.reason !== undefined) clauses.push(`(e.ts, e.seq) IN (SELECT r.ts, r.seq FROM event_reasons r WHERE r.reason = ${p(q.reason)})`);
  if (q.since !== undefined) clauses.push(`e.ts >= ${p(q.since)}`);
  if (q.until !== undefined) clauses.push(`e.ts <= ${p(q.until)}`);
  if (q.before) clauses.push(`(e.ts, e.seq) < (${p(q.before.ts)}, ${p(q.before.seq)})`);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
