/**
 * `EntityReads` over the `ui_actors` rollup and the `events` table (indexes `events_actor_ts`, `events_ip_ts`).
 * Statements are prepared once per store.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ActivitySlot, AddressLists, EntityReads, PersonRow, SeenRow, UsageRow } from '../entity-reads.ts';

/** Every time zone's offset is a whole number of quarter hours, so a day of any zone is a run of these slots. */
const SLOT = 900;

/**
 * @example
 * const reads = sqliteEntityReads(store.db);
 * await reads.person('matt@acme.example') // { id: 'W0MATT0001', name: 'Matt Levene', ... }
 */
export function sqliteEntityReads(db: BetterSqlite3.Database): EntityReads {
  const person = db.prepare(
    'SELECT actor_id AS id, name, email, first_ts, last_ts, n FROM ui_actors WHERE actor_id = ? OR email = ? COLLATE NOCASE LIMIT 1',
  );
  const search = db.prepare(
    `SELECT actor_id AS id, name, email, first_ts, last_ts, n FROM ui_actors
     WHERE actor_id LIKE @like ESCAPE '\\' OR name LIKE @like ESCAPE '\\' OR email LIKE @like ESCAPE '\\'
     ORDER BY n DESC, actor_id LIMIT @limit`,
  );
  const usage = (col: 'ip' | 'ua') =>
    db.prepare(
      `SELECT ${col} AS v, min(ts) AS first, max(ts) AS last, count(*) AS n, sum(ts >= @since) AS in_range
       FROM events WHERE actor_id = @id AND ts >= @from AND ts <= @until AND ${col} IS NOT NULL
       GROUP BY ${col} ORDER BY last DESC LIMIT @limit`,
    );
  const usageOf = { ip: usage('ip'), ua: usage('ua') };
  const files = db.prepare(
    `SELECT entity_id AS v, max(entity_name) AS name, count(*) AS n, min(ts) AS first, max(ts) AS last FROM events
     WHERE actor_id = ? AND ts >= ? AND ts <= ? AND action = 'file_downloaded'
     GROUP BY coalesce(entity_id, entity_name) ORDER BY last DESC LIMIT ?`,
  );
  const activity = db.prepare(
    `SELECT CAST(ts / ${SLOT} AS INTEGER) * ${SLOT} AS slot, sum(action = 'file_downloaded') AS file_downloaded,
       sum(action = 'anomaly' AND instr(',' || reasons || ',', ',excessive_downloads,') > 0) AS excessive_downloads
     FROM events WHERE actor_id = ? AND ts >= ? AND ts <= ? AND action IN ('file_downloaded', 'anomaly') GROUP BY slot`,
  );
  const timeline = db.prepare(
    'SELECT CAST(ts / @w AS INTEGER) * @w AS b, count(*) AS n FROM events WHERE actor_id = @id AND ts >= @since AND ts <= @until GROUP BY b',
  );
  // Totals from the (ip, ts) index alone: no row is read.
  const totals = db.prepare('SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM events WHERE ip = @ip AND ts >= @since AND ts <= @until');
  const scanned = db.prepare('SELECT count(*) FROM (SELECT 1 FROM events WHERE ip = @ip AND ts >= @since AND ts <= @until LIMIT @scan)').pluck();
  // The newest `scan` events of the address, walked backwards on the (ip, ts) index: the cost stops there.
  const recent = 'SELECT actor_id, actor_name, actor_email, ua, ts FROM events WHERE ip = @ip AND ts >= @since AND ts <= @until ORDER BY ts DESC LIMIT @scan';
  const addressUsers = db.prepare(
    `SELECT actor_id AS v, max(actor_name) AS name, max(actor_email) AS email, count(*) AS n, min(ts) AS first, max(ts) AS last
     FROM (${recent}) GROUP BY actor_id ORDER BY last DESC LIMIT @limit`,
  );
  const addressUas = db.prepare(
    `SELECT ua AS v, count(*) AS n, min(ts) AS first, max(ts) AS last
     FROM (${recent}) WHERE ua IS NOT NULL GROUP BY ua ORDER BY last DESC LIMIT @limit`,
  );
  return {
    async person(idOrEmail) {
      return (person.get(idOrEmail, idOrEmail) as PersonRow | undefined) ?? null;
    },
    async searchPeople(q, limit) {
      const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      return search.all({ like, limit }) as PersonRow[];
    },
    async userUsage(actorId, column, w, limit) {
      return usageOf[column].all({ id: actorId, ...w, limit }) as UsageRow[];
    },
    async userFiles(actorId, since, until, limit) {
      return files.all(actorId, since, until, limit) as Array<SeenRow<string | null> & { name: string | null }>;
    },
    async userActivity(actorId, since, until) {
      return activity.all(actorId, since, until) as ActivitySlot[];
    },
    async userTimeline(actorId, since, until, width) {
      return timeline.all({ w: width, id: actorId, since, until }) as Array<{ b: number; n: number }>;
    },
    async addressTotals(ip, since, until) {
      return totals.get({ ip, since, until }) as { n: number; first: number | null; last: number | null };
    },
    async addressLists(ip, since, until, limit, maxScan) {
      const p = { ip, since, until, limit, scan: maxScan };
      const n = scanned.get({ ip, since, until, scan: maxScan + 1 }) as number;
      return {
        users: addressUsers.all(p) as AddressLists['users'],
        user_agents: addressUas.all(p) as AddressLists['user_agents'],
        scanned: Math.min(n, maxScan),
        partial: n > maxScan,
      };
    },
  };
}
