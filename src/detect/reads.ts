/**
 * The event reads detection makes, through the `Store` interface or, for the SQLite store, through lean queries
 * that leave the raw JSON text in the database until a rule actually asks for it.
 *
 * Why: rules mostly read normalised columns; fetching and decoding ~600 bytes of raw text per event costs more than
 * evaluating the whole rule set (a time-ordered scan runs at ~300k events/s without the text, far slower with it).
 * A lazily read `raw` keeps the `StoredEvent` shape, so nothing else changes (the event classes and what the scan
 * selects: `scanned-events.ts`). Any doubt about the table layout (a prepare failure) falls back to the Store
 * interface.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { StoredEvent } from '../events/schema.ts';
import type { TimeWindow } from '../alerts/history.ts';
import type { EventQuery, Store } from '../store/types.ts';
import { compareEvents } from './event-view.ts';
import { DETAIL_COLUMNS, type Fetchers, LazyEvent, NORM_COLUMNS, normOf, type Row, SCAN_COLUMNS, ScannedEvent, workerScan } from './scanned-events.ts';

/**
 * A page of scanned events, columnar: the fields history reads by row index, the full event only when asked for.
 * Most events of a replay are history only: reading them this way allocates nothing per event.
 */
export interface EventPage {
  readonly n: number;
  ts(i: number): number;
  action(i: number): string;
  actorId(i: number): string | null;
  ip(i: number): string | null;
  ua(i: number): string | null;
  /** The full event of row i (a new object per call). */
  event(i: number): StoredEvent;
}

export interface EventReader {
  /** Events with since <= ts <= until in (ts, seq) order, in batches. */
  scan(since: number, until: number, batchSize: number): AsyncIterable<StoredEvent[]>;
  /** The same scan as pages (`EventPage`). */
  scanPages(since: number, until: number, batchSize: number): AsyncIterable<EventPage>;
  /** Every event matching the query, oldest first by (ts, id). */
  all(q: EventQuery): Promise<StoredEvent[]>;
  /** Events of many actors (or entities), each over its own time window, oldest first per value. */
  allOf(column: 'actor' | 'entity', windows: ReadonlyMap<string, TimeWindow>, actions?: readonly string[]): Promise<Map<string, StoredEvent[]>>;
}

/**
 * An array of events as a page.
 *
 * @example pageOfEvents(batch).ts(0) === batch[0].norm.ts
 */
export function pageOfEvents(events: readonly StoredEvent[]): EventPage {
  return {
    n: events.length,
    ts: (i) => events[i]!.norm.ts,
    action: (i) => events[i]!.norm.action,
    actorId: (i) => events[i]!.norm.actorId,
    ip: (i) => events[i]!.norm.ip,
    ua: (i) => events[i]!.norm.ua,
    event: (i) => events[i]!,
  };
}

function eventsOfPage(p: EventPage): StoredEvent[] {
  const out = new Array<StoredEvent>(p.n);
  for (let i = 0; i < p.n; i++) out[i] = p.event(i);
  return out;
}

async function* pagesOf(batches: AsyncIterable<StoredEvent[]>): AsyncGenerator<EventPage> {
  for await (const b of batches) yield pageOfEvents(b);
}

function genericReader(store: Store): EventReader {
  return {
    scan: (since, until, batchSize) => store.scanEvents({ since, until, batchSize }),
    scanPages: (since, until, batchSize) => pagesOf(store.scanEvents({ since, until, batchSize })),
    async all(q) {
      const out: StoredEvent[] = [];
      let before: EventQuery['before'];
      for (;;) {
        const page = await store.queryEvents({ ...q, before, limit: 10_000 });
        out.push(...page);
        if (page.length < 10_000) break;
        const last = page[page.length - 1]!;
        before = { ts: last.norm.ts, seq: last.seq };
      }
      return out.sort((a, b) => compareEvents(a.norm, b.norm));
    },
    async allOf(column, windows, actions) {
      const out = new Map<string, StoredEvent[]>();
      for (const [v, w] of windows) out.set(v, await this.all({ [column]: v, since: w.since, until: w.until, ...(actions ? { actions: [...actions] } : {}) }));
      return out;
    },
  };
}

function sqliteReader(db: BetterSqlite3.Database, store: Store): EventReader | null {
  let scanStmt: BetterSqlite3.Statement;
  let fetch: Fetchers;
  try {
    scanStmt = db.prepare(`SELECT ${SCAN_COLUMNS} FROM events WHERE ts <= ? AND (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?`).raw(true);
    fetch = {
      raw: db.prepare('SELECT raw FROM events WHERE seq = ?').pluck(),
      detail: db.prepare(`SELECT ${DETAIL_COLUMNS} FROM events WHERE seq = ?`).raw(true),
    };
  } catch {
    return null;
  }
  const generic = genericReader(store);
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string) => {
    let st = statements.get(sql);
    if (!st) statements.set(sql, (st = db.prepare(sql).raw(true)));
    return st;
  };
  const columnOf: Record<string, string> = { actor: 'actor_id', entity: 'entity_id', ip: 'ip', session: 'session_id' };
  async function* pages(since: number, until: number, batchSize: number): AsyncGenerator<EventPage> {
    let ts = since - 1;
    let seq = Number.MAX_SAFE_INTEGER;
    for (let page = 0; ; page++) {
      // Past the first pages, a long scan moves to a worker thread (file databases only).
      if (page === PAGES_BEFORE_WORKER && !db.memory) {
        yield* workerScan(db.name, until, { ts, seq }, batchSize, fetch);
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
      if (q.reason !== undefined || q.before || q.limit) return generic.all(q);
      const where: string[] = [];
      const p: unknown[] = [];
      for (const [k, col] of Object.entries(columnOf)) {
        const v = q[k as keyof EventQuery];
        if (v !== undefined) (where.push(`${col} = ?`), p.push(v));
      }
      // With a user filter, keep the planner on the (user, ts) index rather than (action, ts).
      const plus = q.actor !== undefined || q.entity !== undefined ? '+' : '';
      if (q.actions?.length) (where.push(`${plus}action IN (${q.actions.map(() => '?').join(', ')})`), p.push(...q.actions));
      if (q.since !== undefined) (where.push('ts >= ?'), p.push(q.since));
      if (q.until !== undefined) (where.push('ts <= ?'), p.push(q.until));
      const rows = prepared(`SELECT ${NORM_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).all(...p) as Row[];
      return rows.map((r) => new LazyEvent(r[0], normOf(r), fetch) as StoredEvent).sort((a, b) => compareEvents(a.norm, b.norm));
    },
    async allOf(column, windows, actions) {
      const out = new Map<string, StoredEvent[]>();
      const col = column === 'actor' ? 'actor_id' : 'entity_id';
      // The actions are filtered here, not in SQL: a window holds a handful of the user's events, and binding a list
      // of twenty actions to each of thousands of queries cost more than reading the few rows it would skip.
      const wanted = actions?.length ? new Set(actions) : null;
      const stmt = prepared(`SELECT ${NORM_COLUMNS} FROM events WHERE ${col} = ? AND ts >= ? AND ts <= ?`);
      for (const [v, w] of windows) {
        const events: StoredEvent[] = [];
        for (const r of stmt.all(v, w.since, w.until) as Row[]) if (!wanted || wanted.has(r[3])) events.push(new LazyEvent(r[0], normOf(r), fetch));
        out.set(v, events.sort((a, b) => compareEvents(a.norm, b.norm)));
      }
      return out;
    },
  };
}

/** Scans longer than this many pages read on a worker thread (starting one costs a few tens of milliseconds). */
const PAGES_BEFORE_WORKER = 2;

const readers = new WeakMap<object, EventReader>();

/**
 * The reader for a store (cached per store object).
 *
 * @example for await (const batch of readerFor(store).scan(since, until, 10_000)) ...
 */
export function readerFor(store: Store): EventReader {
  let r = readers.get(store);
  if (!r) {
    const db = (store as { db?: unknown }).db;
    const isDb = db !== null && typeof db === 'object' && typeof (db as { prepare?: unknown }).prepare === 'function';
    r = (isDb ? sqliteReader(db as BetterSqlite3.Database, store) : null) ?? genericReader(store);
    readers.set(store, r);
  }
  return r;
}
