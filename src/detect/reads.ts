/**
 * The event reads detection makes, through the `Store` interface or, for the SQLite store, through lean queries
 * that leave the raw JSON text in the database until a rule actually asks for it.
 *
 * Why: rules mostly read normalised columns; fetching and decoding ~600 bytes of raw text per event costs more than
 * evaluating the whole rule set (a time-ordered scan runs at ~300k events/s without the text, far slower with it).
 * A lazily read `raw` keeps the `StoredEvent` shape, so nothing else changes. Any doubt about the table layout
 * (a prepare failure) falls back to the Store interface.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { NormalisedEvent, StoredEvent } from '../events/schema.ts';
import type { TimeWindow } from '../alerts/history.ts';
import type { EventQuery, Store } from '../store/types.ts';
import { parallelScan, type ScanColumnKind, type ScanPage } from '../store/sqlite/parallel-scan.ts';
import { compareEvents } from './event-view.ts';

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

const NORM_COLUMNS =
  'seq, id, ts, action, actor_id, actor_name, actor_email, entity_type, entity_id, entity_name, ip, session_id, ua, reasons, action_ts_ms, location_id';

const DETAIL_COLUMNS = 'actor_name, actor_email, entity_type, entity_name, session_id, location_id, entity_id, action_ts_ms';
/** Rows whose raw text and detail columns the scan carries: anomalies, what alerts are mostly made of. */
const CARRIED = "reasons IS NOT NULL OR action = 'anomaly'";

/**
 * What a time-ordered scan reads per event: what rules look at on every event, plus the raw text and the detail
 * columns of anomalies (rules and alert context read their `details` and names; about one event in a hundred, so
 * the scan carries them for less than the point queries would cost). The rest is read on demand. `kind`: how the column travels from the scan worker:
 * numbers as numbers, unique text as text, values that repeat a lot (action, user, IP, user agent, reasons) as
 * dictionary codes.
 */
const SCAN: ReadonlyArray<{ name: string; kind: ScanColumnKind }> = [
  { name: 'seq', kind: 'num' },
  { name: 'id', kind: 'text' },
  { name: 'ts', kind: 'num' },
  { name: 'action', kind: 'dict' },
  // Who, from where, with what, as one value: one string and one dictionary lookup per row instead of three (the
  // scan worker's cost is mostly making strings), and the combinations repeat about as much as users do.
  { name: 'json_array(actor_id, ip, ua) AS who', kind: 'dict' },
  { name: 'reasons', kind: 'dict' },
  { name: `CASE WHEN ${CARRIED} THEN raw END AS carried_raw`, kind: 'text' },
  { name: `CASE WHEN ${CARRIED} THEN json_array(${DETAIL_COLUMNS}) END AS carried_detail`, kind: 'text' },
];
const SCAN_COLUMNS = SCAN.map((c) => c.name).join(', ');
const WHO_COLUMN = 4;
const REASONS_COLUMN = 5;
const RAW_COLUMN = 6;
const DETAIL_COLUMN = 7;

/** Actor id, IP and user agent of a scanned row. */
type Who = readonly [string | null, string | null, string | null];
const whoOf = (json: string): Who => JSON.parse(json) as Who;

type Row = [number, string, number, string, ...Array<string | number | null>];

interface Fetchers {
  raw: BetterSqlite3.Statement;
  detail: BetterSqlite3.Statement;
}

/** A stored event whose raw text is read from the database on first access. */
class LazyEvent implements StoredEvent {
  private text: string | undefined;
  constructor(readonly seq: number, readonly norm: NormalisedEvent, private readonly fetch: Fetchers) {}
  get raw(): string {
    if (this.text === undefined) this.text = (this.fetch.raw.get(this.seq) as string | undefined) ?? '{}';
    return this.text;
  }
}

/**
 * A scanned event: its own normalised view (one object per event instead of two). The columns every rule reads are
 * fields; the others (names, email, session, location) and the raw text are read from the database the first time
 * one is asked for (events that end up in alerts, rules reading raw fields).
 */
class ScannedEvent implements StoredEvent, NormalisedEvent {
  readonly id: string;
  readonly ts: number;
  readonly action: string;
  readonly actorType = null;
  readonly actorId: string | null;
  readonly ip: string | null;
  readonly ua: string | null;
  readonly reasons: string[];
  private d: Array<string | number | null> | undefined;
  private detailJson: string | undefined;
  private text: string | undefined;

  constructor(
    readonly seq: number,
    id: string,
    ts: number,
    action: string,
    actorId: string | null,
    ip: string | null,
    ua: string | null,
    reasons: string[],
    /** The raw text and the detail columns (a JSON array) when the scan carried them, else read on first access. */
    carried: { raw: string | null; detail: string | null } | null,
    private readonly fetch: Fetchers,
  ) {
    if (carried) {
      this.text = carried.raw ?? undefined;
      this.detailJson = carried.detail ?? undefined;
    }
    this.id = id;
    this.ts = ts;
    this.action = action;
    this.actorId = actorId;
    this.ip = ip;
    this.ua = ua;
    this.reasons = reasons;
  }

  /** From a row selected with `SCAN_COLUMNS`. */
  static ofRow(r: Row, fetch: Fetchers): ScannedEvent {
    const reasons = r[REASONS_COLUMN] ? (r[REASONS_COLUMN] as string).split(',') : NO_REASONS;
    const [actorId, ip, ua] = whoOf(r[WHO_COLUMN] as string);
    const carried = r[RAW_COLUMN] === null ? null : { raw: r[RAW_COLUMN] as string, detail: r[DETAIL_COLUMN] as string | null };
    return new ScannedEvent(r[0], r[1], r[2], r[3], actorId, ip, ua, reasons, carried, fetch);
  }

  get norm(): NormalisedEvent {
    return this;
  }

  get raw(): string {
    if (this.text === undefined) this.text = (this.fetch.raw.get(this.seq) as string | undefined) ?? '{}';
    return this.text;
  }

  private detail(i: number): string | number | null {
    if (!this.d) {
      this.d =
        this.detailJson !== undefined
          ? (JSON.parse(this.detailJson) as Array<string | number | null>)
          : ((this.fetch.detail.get(this.seq) as Array<string | number | null> | undefined) ?? []);
    }
    return this.d[i] ?? null;
  }

  get actorName() {
    return this.detail(0) as string | null;
  }
  get actorEmail() {
    return this.detail(1) as string | null;
  }
  get entityType() {
    return this.detail(2) as string | null;
  }
  get entityName() {
    return this.detail(3) as string | null;
  }
  get sessionId() {
    return this.detail(4) as string | null;
  }
  get locationId() {
    return this.detail(5) as string | null;
  }
  get entityId() {
    return this.detail(6) as string | null;
  }
  get actionTimestampMs() {
    return this.detail(7) as number | null;
  }
}

/** Shared by every event without reasons (most of them): one allocation less per event. Never mutated. */
const NO_REASONS: string[] = [];

function normOf(r: Row): NormalisedEvent {
  const s = (i: number) => r[i] as string | null;
  return {
    id: r[1],
    ts: r[2],
    action: r[3],
    actorType: null,
    actorId: s(4),
    actorName: s(5),
    actorEmail: s(6),
    entityType: s(7),
    entityId: s(8),
    entityName: s(9),
    ip: s(10),
    sessionId: s(11),
    ua: s(12),
    reasons: r[13] ? (r[13] as string).split(',') : NO_REASONS,
    actionTimestampMs: r[14] as number | null,
    locationId: s(15),
  };
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

function carriedOf(p: ScanPage, i: number): { raw: string | null; detail: string | null } | null {
  const raw = p.text(RAW_COLUMN, i);
  return raw === null ? null : { raw, detail: p.text(DETAIL_COLUMN, i) };
}

async function* workerScan(path: string, until: number, after: { ts: number; seq: number }, batchSize: number, fetch: Fetchers): AsyncGenerator<EventPage> {
  // Dictionary entries are decoded once (reasons split, who parsed): rows share the (never mutated) results.
  const decode = (c: number, v: string) => (c === REASONS_COLUMN ? v.split(',') : c === WHO_COLUMN ? whoOf(v) : v);
  for await (const p of parallelScan({ path, columns: SCAN, until, after, batchSize }, decode)) {
    const who = (i: number) => p.dict<Who>(WHO_COLUMN, i)!;
    yield {
      n: p.n,
      ts: (i) => p.num(2, i),
      action: (i) => p.dict(3, i)!,
      actorId: (i) => who(i)[0],
      ip: (i) => who(i)[1],
      ua: (i) => who(i)[2],
      event: (i) => {
        const [actorId, ip, ua] = who(i);
        return new ScannedEvent(p.num(0, i), p.text(1, i)!, p.num(2, i), p.dict(3, i)!, actorId, ip, ua,
          p.dict<string[]>(REASONS_COLUMN, i) ?? NO_REASONS, carriedOf(p, i), fetch);
      },
    };
  }
}

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
