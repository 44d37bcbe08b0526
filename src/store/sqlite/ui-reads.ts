/**
 * The UI's read models in SQLite (migration 4): `ui_volume_hourly` (events per action per hour) and `ui_actors`
 * (every actor with name, email, first and last seen), kept in step with `events` by sequence number under the
 * `state` key `ui.rollup_seq`, and the histogram's grouped counts. Every write keeps them up to date in its own
 * transaction (rollup-write.mjs); `catchUp` folds what writes left behind: the events of a store written by an older
 * version, or everything after a `reset`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { EventQuery } from '../types.ts';
import type { UiReads, UiRollups, VolumeCount } from '../ui-reads.ts';
import { buildEventWhere } from './query.ts';
import { BatchRollup, prepareRollupWrite, ROLLUP_STATE_KEY as STATE_KEY } from './rollup-write.mjs';
import { writeTx } from './write-tx.ts';

/**
 * Events folded per transaction (about 0.1 s): keeps each write lock short while a collector is writing too, and each
 * pause short for a server that answers while it folds an older store's backlog.
 */
const CHUNK = 50_000;
/** Distinct statements kept prepared for the filtered reads (their SQL depends on which filters are set). */
const MAX_CACHED = 64;

/**
 * `UiRollups` over one connection. The high-water mark is read and moved inside one IMMEDIATE transaction, so two
 * processes sharing a database never count the same events twice.
 *
 * @example
 * const rollups = sqliteUiRollups(store.db);
 * await rollups.catchUp(); // 0 on a store whose writes kept them up to date; else about 1.7 s per million events
 */
export function sqliteUiRollups(db: BetterSqlite3.Database): UiRollups {
  const rollup = prepareRollupWrite(db);
  // Counted in JavaScript by the same code as a write's batch (rollup-write.mjs): the same newest name and e-mail.
  const rowsOf = db.prepare('SELECT seq, ts, action, actor_id, actor_name, actor_email FROM events WHERE seq > ? AND seq <= ?').raw(true);
  const position = () => Number(rollup.position.get(STATE_KEY) ?? 0);
  const foldChunk = db.transaction((): number => {
    const from = position();
    const max = rollup.maxSeq.get() as number;
    if (max <= from) return 0;
    const to = Math.min(max, from + CHUNK);
    const counts = new BatchRollup(rollup, from);
    for (const r of rowsOf.iterate(from, to) as Iterable<[number, number, string, string | null, string | null, string | null]>) counts.add(...r);
    counts.commit();
    rollup.setPosition.run(STATE_KEY, String(to));
    return to - from;
  });
  const clear = writeTx(db, () => {
    db.exec('DELETE FROM ui_volume_hourly; DELETE FROM ui_actors;');
    rollup.setPosition.run(STATE_KEY, '0');
  });
  return {
    async catchUp() {
      let folded = 0;
      for (;;) {
        const n = foldChunk.immediate();
        if (n === 0) return folded;
        folded += n;
        // A long backlog (an older store) is folded while a server answers: let requests in between chunks.
        await new Promise((resolve) => setImmediate(resolve));
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
