/**
 * The events a replay scan produces from SQLite rows: what the scan selects, and the event objects made from it.
 * Rules read normalised columns; the raw JSON text and the rarely read columns (names, email, session...) stay in
 * the database until something asks for them, except for anomalies, whose raw text and detail columns travel with
 * the scan because alerts read them.
 */
import type { NormalisedEvent, StoredEvent } from '../../events/schema.ts';
import type { EventPage } from '../detection-reads.ts';
import { NO_REASONS } from './event-rows.ts';
import { parallelScan, type ScanColumn, type ScanPage } from './parallel-scan.ts';

/** The columns a scanned event reads on demand (`ScannedEvent.detail`), in this order. */
export const DETAIL_COLUMNS = 'actor_name, actor_email, entity_type, entity_name, session_id, location_id, entity_id, action_ts_ms';
/**
 * Rows whose raw text and detail columns the scan carries: anomalies (events with reasons), what alerts are mostly
 * made of. A NULL test costs the scan nothing per row; an anomaly stored without reasons reads them on demand.
 */
const CARRIED = 'reasons IS NOT NULL';

/**
 * What a time-ordered scan reads per event: what rules look at on every event, plus the raw text and the detail
 * columns of anomalies (rules and alert context read their `details` and names; about one event in a hundred, so
 * the scan carries them for less than the point queries would cost), plus the entity (id and name) of the actions
 * the caller names (`carryEntityOf`: alert context lists the files a user downloaded and their related events). The
 * rest is read on demand. `kind`: how the column travels from the scan worker: numbers as numbers, unique text as
 * text, values that repeat a lot (action, user + IP + user agent, reasons) as dictionary codes.
 *
 * @example db.prepare(`SELECT ${scanColumns(['file_downloaded']).map((c) => c.name).join(', ')} FROM events`)
 */
export function scanColumns(carryEntityOf: readonly string[] = []): ReadonlyArray<ScanColumn> {
  return [
    { name: 'seq', kind: 'num' },
    { name: 'id', kind: 'text' },
    { name: 'ts', kind: 'num' },
    { name: 'action', kind: 'dict' },
    // Who, from where, with what, as one value: one string and one dictionary lookup per row instead of three (the
    // scan worker's cost is mostly making strings), and the combinations repeat about as much as users do.
    { name: 'json_array(actor_id, ip, ua) AS who', kind: 'dict' },
    { name: 'reasons', kind: 'dict' },
    // A scan worker reads these two by sequence number for the rows with reasons (`lookup`; `workerScan` passes the
    // reasons column as `lookupWhen`), so that its scan reads the time index alone (it holds every other column:
    // migration 10).
    { name: `CASE WHEN ${CARRIED} THEN raw END AS carried_raw`, kind: 'text', lookup: 'raw' },
    { name: `CASE WHEN ${CARRIED} THEN json_array(${DETAIL_COLUMNS}) END AS carried_detail`, kind: 'text', lookup: `json_array(${DETAIL_COLUMNS})` },
    { name: `${carriedEntitySql(carryEntityOf, 'json_array(entity_id, entity_name)')} AS carried_entity`, kind: 'text' },
  ];
}

/**
 * The SQL of the carried-entity column: `pair` (a JSON array of entity id and name) for rows of the given actions
 * that are not anomalies (those carry every detail column), NULL otherwise. Shared with the PostgreSQL scan.
 *
 * @example carriedEntitySql(['file_downloaded'], 'json_array(entity_id, entity_name)')
 */
export function carriedEntitySql(actions: readonly string[], pair: string): string {
  if (actions.length === 0) return 'NULL';
  const list = actions.map((a) => `'${a.replaceAll("'", "''")}'`).join(', ');
  return `CASE WHEN reasons IS NULL AND action IN (${list}) THEN ${pair} END`;
}

const WHO_COLUMN = 4;
const REASONS_COLUMN = 5;
const RAW_COLUMN = 6;
const DETAIL_COLUMN = 7;
const ENTITY_COLUMN = 8;

/** What a scanned row brought besides the lean columns (see `scanColumns`); each null when it did not. */
export interface Carried {
  raw: string | null;
  /** The detail columns, a JSON array in `DETAIL_COLUMNS` order. */
  detail: string | null;
  /** Entity id and name: a JSON array, or the pair itself. */
  entity: string | EntityPair | null;
}

/** Entity id and name of a row. */
export type EntityPair = readonly [string | null, string | null];

/** Actor id, IP and user agent of a scanned row. */
type Who = readonly [string | null, string | null, string | null];
const whoOf = (json: string): Who => JSON.parse(json) as Who;

/** A row as better-sqlite3 returns it in raw mode: seq, id, ts and action first. */
export type Row = [number, string, number, string, ...Array<string | number | null>];

/**
 * Point queries for what a row did not bring, by seq: the raw text, the detail columns (an array in
 * `DETAIL_COLUMNS` order). Synchronous: better-sqlite3 statements, or the PostgreSQL store's blocking lookups
 * (`postgres/sync-query.ts`).
 */
export interface Fetchers {
  raw: { get(seq: number): unknown };
  detail: { get(seq: number): unknown };
}

/** A stored event whose raw text is read from the database on first access. */
export class LazyEvent implements StoredEvent {
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
export class ScannedEvent implements StoredEvent, NormalisedEvent {
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
  /** Entity id and name when the scan carried them (`Carried.entity`; JSON text parsed on first access). */
  private entity: string | EntityPair | undefined;

  constructor(
    readonly seq: number,
    id: string,
    ts: number,
    action: string,
    actorId: string | null,
    ip: string | null,
    ua: string | null,
    reasons: string[],
    /** What the scan carried (raw text, detail columns, entity); the rest is read on first access. */
    carried: Carried | null,
    private readonly fetch: Fetchers,
  ) {
    if (carried) {
      this.text = carried.raw ?? undefined;
      this.detailJson = carried.detail ?? undefined;
      this.entity = carried.entity ?? undefined;
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
    const carried = carriedOf((c) => r[c] as string | null);
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
    return this.entity !== undefined ? this.carriedEntity()[1] : (this.detail(3) as string | null);
  }
  get sessionId() {
    return this.detail(4) as string | null;
  }
  get locationId() {
    return this.detail(5) as string | null;
  }
  get entityId() {
    return this.entity !== undefined ? this.carriedEntity()[0] : (this.detail(6) as string | null);
  }

  private carriedEntity(): EntityPair {
    if (typeof this.entity === 'string') this.entity = JSON.parse(this.entity) as EntityPair;
    return this.entity!;
  }

  get actionTimestampMs() {
    return this.detail(7) as number | null;
  }
}

/**
 * What a row carried, from a reader of its text columns by index (a row array, a scan page), or null for nothing.
 * `entityOf` decodes the entity column where it does not travel as a JSON array (PostgreSQL's scan: a pair).
 *
 * @example carriedOf((c) => page.text(c, i))
 */
export function carriedOf(text: (column: number) => string | null, entityOf: (text: string) => string | EntityPair = (t) => t): Carried | null {
  const raw = text(RAW_COLUMN);
  const entity = text(ENTITY_COLUMN);
  if (raw === null && entity === null) return null;
  return { raw, detail: raw === null ? null : text(DETAIL_COLUMN), entity: entity === null ? null : entityOf(entity) };
}

/**
 * The scan after a position, read on a worker thread (`parallelScan`), as pages.
 *
 * @example for await (const p of workerScan(db.name, scanColumns(), until, { ts, seq }, 10_000, fetch)) dispatcher.pushPage(p);
 */
export async function* workerScan(
  path: string,
  columns: ReturnType<typeof scanColumns>,
  until: number,
  after: { ts: number; seq: number },
  batchSize: number,
  fetch: Fetchers,
): AsyncGenerator<EventPage> {
  // Dictionary entries are decoded once (reasons split, who parsed): rows share the (never mutated) results.
  const decode = (c: number, v: string) => (c === REASONS_COLUMN ? v.split(',') : c === WHO_COLUMN ? whoOf(v) : v);
  for await (const p of parallelScan({ path, columns, until, after, batchSize, lookupWhen: REASONS_COLUMN }, decode)) {
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
          p.dict<string[]>(REASONS_COLUMN, i) ?? NO_REASONS, carriedOf((c) => p.text(c, i)), fetch);
      },
    };
  }
}
