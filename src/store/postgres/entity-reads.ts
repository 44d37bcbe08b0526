/**
 * `EntityReads` on PostgreSQL, over the `ui_actors` rollup and the `events` indexes (`events_actor_ts`,
 * `events_ip_ts`, and for an address's lists `events_ip_people` and `events_ip_wide`), with the same bounds as
 * SQLite's (`sqlite/entity-reads.ts`): every list stops at its limit, and an address's lists come from its newest
 * `maxScan` events only. Text tie-breaks sort by bytes (`COLLATE "C"`), as
 * SQLite's BINARY does.
 */
import type pg from 'pg';
import type { ActivitySlot, AddressLists, EntityReads, PersonRow, SeenRow, UsageRow } from '../entity-reads.ts';
import { ADDRESS_ROW_MAX, ADDRESS_ROW_WIDTH } from './read-models-schema.ts';

/** Every time zone's offset is a whole number of quarter hours, so a day of any zone is a run of these slots. */
const SLOT = 900;

const PERSON = 'SELECT actor_id AS id, name, email, first_ts, last_ts, n FROM ui_actors';
/** One width class of an address's newest events (`<` or `>=` `ADDRESS_ROW_MAX`): one partial index each. */
const RECENT_PART = (width: string) => `(SELECT actor_id, actor_name, actor_email, ua, ts FROM events
  WHERE ip = $1 AND ts >= $2 AND ts <= $3 AND (${ADDRESS_ROW_WIDTH}) ${width} ${ADDRESS_ROW_MAX} ORDER BY ts DESC LIMIT $5)`;
/**
 * The newest `$5` events of address `$1` in `$2..$3`, walked backwards: the cost stops there. Events of ordinary
 * width come from the index that carries the listed columns (no table page read), the rare wide ones from their own.
 * Exported for the test that checks PostgreSQL reads it index-only.
 */
export const ADDRESS_RECENT_SQL = `SELECT * FROM (${RECENT_PART('<')} UNION ALL ${RECENT_PART('>=')}) x ORDER BY ts DESC LIMIT $5`;

/**
 * @example
 * const reads = pgEntityReads(store.pool);
 * await reads.person('matt@acme.example') // { id: 'W0MATT0001', name: 'Matt Levene', ... }
 */
export function pgEntityReads(pool: pg.Pool): EntityReads {
  const all = async <T extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await pool.query<T>(sql, params)).rows;
  return {
    async person(idOrEmail) {
      return (await all<PersonRow>(`${PERSON} WHERE actor_id = $1 OR lower(email) = lower($1) LIMIT 1`, [idOrEmail]))[0] ?? null;
    },
    async searchPeople(q, limit) {
      const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      return all<PersonRow>(`${PERSON} WHERE actor_id ILIKE $1 OR name ILIKE $1 OR email ILIKE $1 ORDER BY n DESC, actor_id COLLATE "C" LIMIT $2`, [like, limit]);
    },
    async userUsage(actorId, column, w, limit) {
      const col = column === 'ip' ? 'ip' : 'ua';
      return all<UsageRow>(
        `SELECT ${col} AS v, min(ts) AS first, max(ts) AS last, count(*) AS n, count(*) FILTER (WHERE ts >= $3) AS in_range
         FROM events WHERE actor_id = $1 AND ts >= $2 AND ts <= $4 AND ${col} IS NOT NULL
         GROUP BY ${col} ORDER BY last DESC, ${col} COLLATE "C" LIMIT $5`,
        [actorId, w.from, w.since, w.until, limit],
      );
    },
    async userFiles(actorId, since, until, limit) {
      return all<SeenRow<string | null> & { name: string | null }>(
        `SELECT max(entity_id) AS v, max(entity_name) AS name, count(*) AS n, min(ts) AS first, max(ts) AS last FROM events
         WHERE actor_id = $1 AND ts >= $2 AND ts <= $3 AND action = 'file_downloaded'
         GROUP BY coalesce(entity_id, entity_name) ORDER BY last DESC LIMIT $4`,
        [actorId, since, until, limit],
      );
    },
    async userActivity(actorId, since, until) {
      return all<ActivitySlot>(
        `SELECT (ts / ${SLOT}) * ${SLOT} AS slot, count(*) FILTER (WHERE action = 'file_downloaded') AS file_downloaded,
           count(*) FILTER (WHERE action = 'anomaly' AND position(',excessive_downloads,' in ',' || reasons || ',') > 0) AS excessive_downloads
         FROM events WHERE actor_id = $1 AND ts >= $2 AND ts <= $3 AND action IN ('file_downloaded', 'anomaly') GROUP BY slot`,
        [actorId, since, until],
      );
    },
    async userTimeline(actorId, since, until, width) {
      return all<{ b: number; n: number }>(
        'SELECT (ts / $4::bigint) * $4::bigint AS b, count(*) AS n FROM events WHERE actor_id = $1 AND ts >= $2 AND ts <= $3 GROUP BY b',
        [actorId, since, until, width],
      );
    },
    async addressTotals(ip, since, until) {
      const r = await all<{ n: number; first: number | null; last: number | null }>(
        'SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM events WHERE ip = $1 AND ts >= $2 AND ts <= $3',
        [ip, since, until],
      );
      return r[0]!;
    },
    async addressLists(ip, since, until, limit, maxScan) {
      const [{ n }] = await all<{ n: number }>(
        'SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ip = $1 AND ts >= $2 AND ts <= $3 LIMIT $4) s',
        [ip, since, until, maxScan + 1],
      ) as [{ n: number }];
      const p = [ip, since, until, limit, maxScan];
      const [users, uas] = await Promise.all([
        all<AddressLists['users'][number]>(
          `SELECT actor_id AS v, max(actor_name) AS name, max(actor_email) AS email, count(*) AS n, min(ts) AS first, max(ts) AS last
           FROM (${ADDRESS_RECENT_SQL}) r GROUP BY actor_id ORDER BY last DESC LIMIT $4`,
          p,
        ),
        all<SeenRow<string>>(
          `SELECT ua AS v, count(*) AS n, min(ts) AS first, max(ts) AS last
           FROM (${ADDRESS_RECENT_SQL}) r WHERE ua IS NOT NULL GROUP BY ua ORDER BY last DESC LIMIT $4`,
          p,
        ),
      ]);
      return { users, user_agents: uas, scanned: Math.min(n, maxScan), partial: n > maxScan };
    },
  };
}
