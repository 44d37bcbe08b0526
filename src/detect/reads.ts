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
import type { EventQuery, Store } from '../store/types.ts';
import { compareEvents } from './event-view.ts';

export interface EventReader {
  /** Events with since <= ts <= until in (ts, seq) order, in batches. */
  scan(since: number, until: number, batchSize: number): AsyncIterable<StoredEvent[]>;
  /** Every event matching the query, oldest first by (ts, id). */
  all(q: EventQuery): Promise<StoredEvent[]>;
}

const NORM_COLUMNS =
  'seq, id, ts, action, actor_id, actor_name, actor_email, entity_type, entity_id, entity_name, ip, session_id, ua, reasons, action_ts_ms, location_id';

/** What a time-ordered scan reads per event: what rules look at on every event. The rest is read on demand. */
const SCAN_COLUMNS = 'seq, id, ts, action, actor_id, entity_id, ip, ua, reasons, action_ts_ms';
const DETAIL_COLUMNS = 'actor_name, actor_email, entity_type, entity_name, session_id, location_id';

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
 * The normalised view of a scanned event: the columns every rule reads are fields, the others (names, email,
 * session, location) are read from the database the first time one is asked for (alerts' events, rare rules).
 */
class ScannedNorm implements NormalisedEvent {
  readonly id: string;
  readonly ts: number;
  readonly action: string;
  readonly actorType = null;
  readonly actorId: string | null;
  readonly entityId: string | null;
  readonly ip: string | null;
  readonly ua: string | null;
  readonly reasons: string[];
  readonly actionTimestampMs: number | null;
  private d: Array<string | null> | undefined;

  constructor(r: Row, private readonly seq: number, private readonly fetch: Fetchers) {
    this.id = r[1];
    this.ts = r[2];
    this.action = r[3];
    this.actorId = r[4] as string | null;
    this.entityId = r[5] as string | null;
    this.ip = r[6] as string | null;
    this.ua = r[7] as string | null;
    this.reasons = r[8] ? (r[8] as string).split(',') : NO_REASONS;
    this.actionTimestampMs = r[9] as number | null;
  }

  private detail(i: number): string | null {
    if (!this.d) this.d = (this.fetch.detail.get(this.seq) as Array<string | null> | undefined) ?? [null, null, null, null, null, null];
    return this.d[i] ?? null;
  }

  get actorName() {
    return this.detail(0);
  }
  get actorEmail() {
    return this.detail(1);
  }
  get entityType() {
    return this.detail(2);
  }
  get entityName() {
    return this.detail(3);
  }
  get sessionId() {
    return this.detail(4);
  }
  get locationId() {
    return this.detail(5);
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

function genericReader(store: Store): EventReader {
  return {
    scan: (since, until, batchSize) => store.scanEvents({ since, until, batchSize }),
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
  return {
    async *scan(since, until, batchSize) {
      let ts = since - 1;
      let seq = Number.MAX_SAFE_INTEGER;
      for (;;) {
        const rows = scanStmt.all(until, ts, seq, batchSize) as Row[];
        if (rows.length === 0) return;
        const last = rows[rows.length - 1]!;
        ts = last[2];
        seq = last[0];
        yield rows.map((r) => new LazyEvent(r[0], new ScannedNorm(r, r[0], fetch), fetch));
        if (rows.length < batchSize) return;
      }
    },
    async all(q) {
      if (q.reason !== undefined || q.before || q.limit) return generic.all(q);
      const where: string[] = [];
      const p: unknown[] = [];
      for (const [k, col] of Object.entries(columnOf)) {
        const v = q[k as keyof EventQuery];
        if (v !== undefined) (where.push(`${col} = ?`), p.push(v));
      }
      if (q.actions?.length) (where.push(`action IN (${q.actions.map(() => '?').join(', ')})`), p.push(...q.actions));
      if (q.since !== undefined) (where.push('ts >= ?'), p.push(q.since));
      if (q.until !== undefined) (where.push('ts <= ?'), p.push(q.until));
      const rows = prepared(`SELECT ${NORM_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).all(...p) as Row[];
      return rows.map((r) => new LazyEvent(r[0], normOf(r), fetch) as StoredEvent).sort((a, b) => compareEvents(a.norm, b.norm));
    },
  };
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
