/**
 * The UI's read models in SQLite (migration 4): `ui_volume_hourly` (events per action per hour) and `ui_actors`
 * (every actor with name, email, first and last seen), kept in step with `events` by sequence number under the
 * `state` key `ui.rollup_seq`, and the histogram's grouped counts.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { EventQuery } from '../types.ts';
import type { UiReads, UiRollups, VolumeCount } from '../ui-reads.ts';
import { buildEventWhere } from './query.ts';

const STATE_KEY = 'ui.rollup_seq';
/** Events folded per transaction: keeps each write lock short while a collector is writing too. */
const CHUNK = 250_000;
/** Distinct statements kept prepared for the filtered reads (their SQL depends on which filters are set). */
const MAX_CACHED = 64;

/**
 * `UiRollups` over one connection. The high-water mark is read and moved inside one IMMEDIATE transaction, so two
 * processes sharing a database never count the same events twice.
 *
 * @example
 * const rollups = sqliteUiRollups(store.db);
 * await rollups.catchUp(); // the first call folds in every stored event (about 1 s per million)
 */
export function sqliteUiRollups(db: BetterSqlite3.Database): UiRollups {
  const readSeq = db.prepare('SELECT value FROM state WHERE key = ?').pluck();
  const writeSeq = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const maxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  const volumeOf = db.prepare('SELECT ts / 3600 AS hour, action, count(*) AS n FROM events WHERE seq > ? AND seq <= ? GROUP BY hour, action');
  const actorsOf = db.prepare(
    `SELECT actor_id AS id, max(actor_name) AS name, max(actor_email) AS email, min(ts) AS first, max(ts) AS last, count(*) AS n
     FROM events WHERE seq > ? AND seq <= ? AND actor_id IS NOT NULL GROUP BY actor_id`,
  );
  const upVolume = db.prepare(
    'INSERT INTO ui_volume_hourly (hour, action, n) VALUES (?, ?, ?) ON CONFLICT (hour, action) DO UPDATE SET n = n + excluded.n',
  );
  const upActor = db.prepare(
    `INSERT INTO ui_actors (actor_id, name, email, first_ts, last_ts, n) VALUES (@id, @name, @email, @first, @last, @n)
     ON CONFLICT (actor_id) DO UPDATE SET
       name = CASE WHEN excluded.last_ts >= ui_actors.last_ts THEN coalesce(excluded.name, ui_actors.name) ELSE coalesce(ui_actors.name, excluded.name) END,
       email = CASE WHEN excluded.last_ts >= ui_actors.last_ts THEN coalesce(excluded.email, ui_actors.email) ELSE coalesce(ui_actors.email, excluded.email) END,
       first_ts = min(ui_actors.first_ts, excluded.first_ts),
       last_ts = max(ui_actors.last_ts, excluded.last_ts),
       n = ui_actors.n + excluded.n`,
  );
  const position = () => Number(readSeq.get(STATE_KEY) ?? 0);
  const foldChunk = db.transaction((): number => {
    const from = position();
    const max = maxSeq.get() as number;
    if (max <= from) return 0;
    const to = Math.min(max, from + CHUNK);
    for (const r of volumeOf.all(from, to) as Array<{ hour: number; action: string; n: number }>) upVolume.run(r.hour, r.action, r.n);
    for (const r of actorsOf.all(from, to)) upActor.run(r);
    writeSeq.run(STATE_KEY, String(to));
    return to - from;
  });
  const clear = db.transaction(() => {
    db.exec('DELETE FROM ui_volume_hourly; DELETE FROM ui_actors;');
    writeSeq.run(STATE_KEY, '0');
  });
  return {
    async catchUp() {
      let folded = 0;
      for (;;) {
        const n = foldChunk.immediate();
        if (n === 0) return folded;
        folded += n;
      }
    },
    async position() {
      return position();
    },
    async reset() {
      clear();
    },
  };
}

/**
 * `UiReads` over one connection. Every statement is prepared once; the filtered ones, whose SQL depends on which
 * filters are set, on first use of each shape.
 *
 * @example
 * const reads = sqliteUiReads(store.db);
 * await reads.eventVolume({ actor: 'W0MATT0001', since, until }, 3600) // [{ start: 1768348800, action: 'user_login', n: 12 }, ...]
 */
export function sqliteUiReads(db: BetterSqlite3.Database): UiReads {
  const extent = db.prepare('SELECT min(hour) AS a, max(hour) AS b FROM ui_volume_hourly');
  const perAction = db.prepare('SELECT action, sum(n) AS n FROM ui_volume_hourly GROUP BY action');
  const byEmail = db.prepare('SELECT actor_id FROM ui_actors WHERE email = ? COLLATE NOCASE').pluck();
  // A skip scan of the IP index: one seek per distinct address, however many events each has.
  const ips = db
    .prepare(
      `WITH RECURSIVE d(ip) AS (SELECT min(ip) FROM events WHERE ip IS NOT NULL
         UNION ALL SELECT (SELECT min(ip) FROM events WHERE ip > d.ip) FROM d WHERE d.ip IS NOT NULL)
       SELECT ip FROM d WHERE ip IS NOT NULL`,
    )
    .pluck();
  const cached = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let s = cached.get(sql);
    if (!s) {
      if (cached.size >= MAX_CACHED) cached.clear();
      s = db.prepare(sql);
      cached.set(sql, s);
    }
    return s;
  };
  const counts = (rows: unknown[]): VolumeCount[] => (rows as Array<{ b: number; a: string; k: number }>).map((r) => ({ start: r.b, action: r.a, n: r.k }));
  return {
    async volumeExtent() {
      const r = extent.get() as { a: number | null; b: number | null };
      return r.a === null || r.b === null ? null : { firstHour: r.a, lastHour: r.b };
    },
    async actionCounts() {
      return new Map((perAction.all() as Array<{ action: string; n: number }>).map((r) => [r.action, r.n]));
    },
    async actorIdByEmail(email) {
      return (byEmail.get(email) as string | undefined) ?? null;
    },
    async distinctIps() {
      return ips.all() as string[];
    },
    async eventVolume(q: EventQuery, width: number) {
      const { where, params } = buildEventWhere({ ...q, before: undefined });
      return counts(statement(`SELECT CAST(e.ts / @w AS INTEGER) * @w AS b, e.action AS a, count(*) AS k FROM events e ${where} GROUP BY b, a`).all({ ...params, w: width }));
    },
    async hourlyVolume(fromHour, toHour, width, actions) {
      const params: Record<string, unknown> = { h0: fromHour, h1: toHour, w: width };
      let actionClause = '';
      if (actions?.length) {
        actionClause = `AND action IN (${actions.map((a, i) => ((params[`a${i}`] = a), `@a${i}`)).join(', ')})`;
      }
      return counts(
        statement(`SELECT CAST((hour * 3600) / @w AS INTEGER) * @w AS b, action AS a, sum(n) AS k FROM ui_volume_hourly WHERE hour BETWEEN @h0 AND @h1 ${actionClause} GROUP BY b, a`)
          .all(params),
      );
    },
  };
}
