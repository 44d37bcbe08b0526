/**
 * The reads detection makes (`DetectionReads`), as lean SQLite queries that leave the raw JSON text in the database
 * until a rule actually asks for it.
 *
 * Why: rules mostly read normalised columns; fetching and decoding ~600 bytes of raw text per event costs more than
 * evaluating the whole rule set (a time-ordered scan runs at ~300k events/s without the text, far slower with it).
 * A lazily read `raw` keeps the `StoredEvent` shape, so nothing else changes (the event classes and what the scan
 * selects: `scanned-events.ts`).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { compareEvents } from '../../events/order.ts';
import type { StoredEvent } from '../../events/schema.ts';
import { eventsOfPage, pageOfEvents, type DetectionReads, type EventPage, type ScanOptions } from '../detection-reads.ts';
import { NORM_COLUMNS, normOfRow, type NormRow } from './event-rows.ts';
import { buildEventWhere } from './query.ts';
import { DETAIL_COLUMNS, type Fetchers, LazyEvent, type Row, scanColumns, ScannedEvent, workerScan } from './scanned-events.ts';

/** Scans longer than this many pages read on a worker thread (starting one costs a few tens of milliseconds). */
const PAGES_BEFORE_WORKER = 2;

/**
 * Detection reads on a SQLite database, or null when its table layout is not the expected one (a prepare failure:
 * the caller falls back to `genericDetectionReads`).
 *
 * @example const reads = sqliteDetectionReads(db) ?? genericDetectionReads(store)
 */
export function sqliteDetectionReads(db: BetterSqlite3.Database): DetectionReads | null {
  const scanSql = (columns: ReturnType<typeof scanColumns>) =>
    `SELECT ${columns.map((c) => c.name).join(', ')} FROM events WHERE ts <= ? AND (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?`;
  let fetch: Fetchers;
  try {
    db.prepare(scanSql(scanColumns()));
    fetch = {
      raw: db.prepare('SELECT raw FROM events WHERE seq = ?').pluck(),
      detail: db.prepare(`SELECT ${DETAIL_COLUMNS} FROM events WHERE seq = ?`).raw(true),
    };
  } catch {
    return null;
  }
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string) => {
    let st = statements.get(sql);
    if (!st) statements.set(sql, (st = db.prepare(sql)));
    return st;
  };
  const lazy = (r: NormRow): StoredEvent => new LazyEvent(r.seq, normOfRow(r), fetch);
  async function* pages(since: number, until: number, batchSize: number, opts: ScanOptions = {}): AsyncGenerator<EventPage> {
    const columns = scanColumns(opts.carryEntityOf);
    const scanStmt = prepared(scanSql(columns)).raw(true);
    let ts = since - 1;
    let seq = Number.MAX_SAFE_INTEGER;
    for (let page = 0; ; page++) {
      // Past the first pages, a long scan moves to a worker thread (file databases only).
      if (page === PAGES_BEFORE_WORKER && !db.memory) {
        yield* workerScan(db.name, columns, until, { ts, seq }, batchSize, fetch);
        return;
      }
      const rows = scanStmt.all(until, ts, seq, batchSize) as Row[];
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      ts = last[2];
      seq = last[0];
      yield pageOfEvents(rows.map((r) => ScannedEvent.ofRow(r, fetch)));
      if (rows.length < batchSize) return;
    }
  }
  return {
    async *scan(since, until, batchSize) {
      for await (const p of pages(since, until, batchSize)) yield eventsOfPage(p);
    },
    scanPages: pages,
    async all(q) {
      // Every matching event: a newest-first page position or size does not apply.
      const { before: _before, limit: _limit, ...filters } = q;
      const { where, params } = buildEventWhere(filters);
      const rows = prepared(`SELECT ${NORM_COLUMNS} FROM events e ${where}`).all(params) as NormRow[];
      return rows.map(lazy).sort((a, b) => compareEvents(a.norm, b.norm));
    },
    async allOf(column, windows, actions) {
      const out = new Map<string, StoredEvent[]>();
      // The actions are filtered in SQL, bound once as one JSON list: a busy user's window holds thousands of events
      // (10M-event bench: 31% of replay went to building rows that the action filter then dropped).
      const { where } = buildEventWhere({ [column]: '', since: 0, until: 0 });
      const onlyActions = actions?.length ? ' AND e.action IN (SELECT value FROM json_each(@actions))' : '';
      const stmt = prepared(`SELECT ${NORM_COLUMNS} FROM events e ${where}${onlyActions}`);
      const json = actions?.length ? JSON.stringify(actions) : undefined;
      for (const [v, w] of windows) {
        const params = { [column]: v, since: w.since, until: w.until, ...(json ? { actions: json } : {}) };
        const events = (stmt.all(params) as NormRow[]).map(lazy);
        out.set(v, events.sort((a, b) => compareEvents(a.norm, b.norm)));
      }
      return out;
    },
  };
}
