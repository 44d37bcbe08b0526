/**
 * `UiReads` and `UiRollups` on PostgreSQL: the hourly volume and the directory of actors are folded in by the append
 * (`read-models.ts`), so `catchUp` is a consistency step (it folds only what appends left out, after a reset or
 * migration 20 on stored events) and a server answers at once whatever the store's size. SQLite: `sqlite/ui-reads.ts`.
 */
import type pg from 'pg';
import type { EventQuery } from '../types.ts';
import type { UiReads, UiRollups, VolumeCount } from '../ui-reads.ts';
import { pgEventWhere } from './query.ts';
import { catchUpReadModels, readModelPosition, resetReadModels } from './read-models.ts';

/**
 * @example
 * const rollups = pgUiRollups(store.pool);
 * await rollups.catchUp(); // 0: the appends keep the rollups current
 */
export function pgUiRollups(pool: pg.Pool): UiRollups {
  return {
    catchUp: () => catchUpReadModels(pool),
    position: () => readModelPosition(pool),
    reset: () => resetReadModels(pool),
  };
}

type CountRow = { b: number; a: string; k: number };
const counts = (rows: CountRow[]): VolumeCount[] => rows.map((r) => ({ start: r.b, action: r.a, n: r.k }));

/**
 * @example
 * const reads = pgUiReads(store.pool);
 * await reads.eventVolume({ actor: 'W0MATT0001', since, until }, 3600) // [{ start: 1768348800, action: 'user_login', n: 12 }, ...]
 */
export function pgUiReads(pool: pg.Pool): UiReads {
  return {
    async volumeExtent() {
      const r = (await pool.query<{ a: number | null; b: number | null }>('SELECT min(hour) AS a, max(hour) AS b FROM ui_volume_hourly')).rows[0]!;
      return r.a === null || r.b === null ? null : { firstHour: r.a, lastHour: r.b };
    },
    async actionCounts() {
      const r = await pool.query<{ action: string; n: number }>('SELECT action, sum(n)::bigint AS n FROM ui_volume_hourly GROUP BY action');
      return new Map(r.rows.map((x) => [x.action, x.n]));
    },
    async actorIdByEmail(email) {
      return (await pool.query<{ id: string }>('SELECT actor_id AS id FROM ui_actors WHERE lower(email) = lower($1) LIMIT 1', [email])).rows[0]?.id ?? null;
    },
    async distinctIps() {
      // A skip scan of the IP index: one seek per distinct address, however many events each has.
      const r = await pool.query<{ ip: string }>(
        `WITH RECURSIVE d(ip) AS (SELECT min(ip) FROM events WHERE ip IS NOT NULL
           UNION ALL SELECT (SELECT min(ip) FROM events WHERE ip > d.ip) FROM d WHERE d.ip IS NOT NULL)
         SELECT ip FROM d WHERE ip IS NOT NULL`,
      );
      return r.rows.map((x) => x.ip);
    },
    async eventVolume(q: EventQuery, width: number) {
      const { where, params } = pgEventWhere({ ...q, before: undefined }, [width]);
      const r = await pool.query<CountRow>(`SELECT (e.ts / $1::bigint) * $1::bigint AS b, e.action AS a, count(*) AS k FROM events e ${where} GROUP BY b, a`, params);
      return counts(r.rows);
    },
    async hourlyVolume(fromHour, toHour, width, actions) {
      const r = await pool.query<CountRow>(
        `SELECT ((hour * 3600) / $3::bigint) * $3::bigint AS b, action AS a, sum(n)::bigint AS k FROM ui_volume_hourly
         WHERE hour BETWEEN $1 AND $2 AND ($4::text[] IS NULL OR action = ANY($4::text[])) GROUP BY b, a`,
        [fromHour, toHour, width, actions?.length ? actions : null],
      );
      return counts(r.rows);
    },
  };
}
