/**
 * `DetectionReads.all` and `allOf` on PostgreSQL: what alert context reads (a user's recent events, AER sign-outs)
 * and what an incremental detect reads per key, as single queries. The generic versions (through `queryEvents`)
 * paged newest first and made one round trip per user: a replay with a thousand alerts spent longer there than
 * scanning all the events. Same results as the SQLite reads (`sqlite/detection-reads.ts`): every matching event,
 * oldest first by (ts, id).
 */
import type pg from 'pg';
import { compareEvents } from '../../events/order.ts';
import type { StoredEvent } from '../../events/schema.ts';
import type { DetectionReads } from '../detection-reads.ts';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../sqlite/event-rows.ts';
import { pgEventWhere } from './query.ts';

const PREFIXED = EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ');
const COLUMN = { actor: 'actor_id', entity: 'entity_id' } as const;

const byTime = (a: StoredEvent, b: StoredEvent) => compareEvents(a.norm, b.norm);
/** A window bound as the integer bound that selects the same integer times (ts is a bigint). */
const clamp = (x: number) => Math.min(Math.max(x, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);

/**
 * The `all` and `allOf` reads over the store's pool.
 *
 * @example const { all, allOf } = pgWindowReads(pool); await allOf('actor', new Map([['W1', { since, until }]]))
 */
export function pgWindowReads(pool: pg.Pool): Pick<DetectionReads, 'all' | 'allOf'> {
  return {
    async all(q) {
      // Every matching event: a newest-first page position or size does not apply.
      const { before: _before, limit: _limit, ...filters } = q;
      const { where, params } = pgEventWhere(filters);
      const r = await pool.query<EventRow>(`SELECT ${PREFIXED} FROM events e ${where}`, params);
      return r.rows.map(rowToEvent).sort(byTime);
    },
    async allOf(column, windows, actions) {
      const out = new Map<string, StoredEvent[]>();
      if (windows.size === 0) return out;
      const values: string[] = [];
      const since: number[] = [];
      const until: number[] = [];
      for (const [v, w] of windows) {
        out.set(v, []);
        values.push(v);
        since.push(Math.ceil(clamp(w.since)));
        until.push(Math.floor(clamp(w.until)));
      }
      const params: unknown[] = [values, since, until];
      const actionFilter = actions?.length ? ` AND e.action = ANY($${params.push([...actions])}::text[])` : '';
      // One query for every window: a nested loop over the windows, each an index range on (column, ts).
      const r = await pool.query<EventRow & { window_value: string }>(
        `SELECT w.v AS window_value, e.* FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS w(v, since, until)
         CROSS JOIN LATERAL (SELECT ${PREFIXED} FROM events e
           WHERE e.${COLUMN[column]} = w.v AND e.ts >= w.since AND e.ts <= w.until${actionFilter}) e`,
        params,
      );
      for (const row of r.rows) out.get(row.window_value)!.push(rowToEvent(row));
      for (const events of out.values()) events.sort(byTime);
      return out;
    },
  };
}
