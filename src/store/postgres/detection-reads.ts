/**
 * The reads detection makes (`DetectionReads`) on PostgreSQL. The replay scan reads only what rules look at (the
 * lean columns of `sqlite/scanned-events.ts`, plus the actor's name and e-mail, which alerts read), the raw text and
 * detail columns of anomalies, and leaves the rest in the database until asked for (`SyncQuery`). Past its first
 * page the scan streams as one binary COPY on a worker thread (`scan-worker.mjs`), so fetching and decoding rows
 * overlaps rule evaluation on the main thread; pages arrive as the same typed-array columns the SQLite
 * scan worker sends (`workerPages`). `all` and `allOf`: one query each (`detection-windows.ts`).
 */
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { eventsOfPage, pageOfEvents, type DetectionReads, type EventPage, type ScanOptions } from '../detection-reads.ts';
import { NO_REASONS } from '../sqlite/event-rows.ts';
import { PAGES_AHEAD, workerPages, type ScanColumnKind, type ScanPage } from '../sqlite/parallel-scan.ts';
import { carriedEntitySql, carriedOf, type Carried, DETAIL_COLUMNS, type EntityPair, type Fetchers, ScannedEvent } from '../sqlite/scanned-events.ts';
import type { CopyColumn } from './copy-pages.mjs';
import { pgWindowReads } from './detection-windows.ts';
import { SyncQuery } from './sync-query.ts';

/** Rows whose raw text and detail columns travel with the scan (anomalies: what alerts are mostly made of). */
const CARRIED = 'reasons IS NOT NULL';

/**
 * What the scan selects, and how each column travels from the worker (see `sqlite/scan-worker.mjs`). The pool reads
 * the first page with `name`; the worker's COPY selects `fields` instead where given (several columns that travel as
 * one dictionary value: the worker looks them up by their bytes and builds the JSON array only for a new one).
 */
function scanColumns(carryEntityOf: readonly string[] = []): ReadonlyArray<{ name: string; kind: ScanColumnKind; fields?: string[]; only?: CopyColumn['only'] }> {
  return [
    { name: 'seq', kind: 'num' },
    { name: 'id', kind: 'text' },
    { name: 'ts', kind: 'num' },
    { name: 'action', kind: 'dict' },
    // Who, from where, with what (and the actor's name and e-mail) as one value: one string and one dictionary
    // lookup per row; the combinations repeat about as much as users do. ::text: no JSON parse per row by the driver.
    { name: 'json_build_array(actor_id, ip, ua, actor_name, actor_email)::text AS who', kind: 'dict', fields: ['actor_id', 'ip', 'ua', 'actor_name', 'actor_email'] },
    { name: 'reasons', kind: 'dict' },
    { name: `CASE WHEN ${CARRIED} THEN raw END AS carried_raw`, kind: 'text' },
    { name: `CASE WHEN ${CARRIED} THEN json_build_array(${DETAIL_COLUMNS})::text END AS carried_detail`, kind: 'text' },
    // The worker's COPY sends every row's entity and keeps it for these actions itself (`only`, copy-pages.mjs): a
    // CASE per row cost the server more than the bytes.
    {
      name: `${carriedEntitySql(carryEntityOf, 'json_build_array(entity_id, entity_name)::text')} AS carried_entity`,
      kind: 'text',
      ...(carryEntityOf.length ? { fields: ['entity_id', 'entity_name'], only: { column: ACTION, values: carryEntityOf, unlessColumn: REASONS } } : {}),
    },
  ];
}
const ACTION = 3;
const WHO = 4;
const REASONS = 5;

type Who = readonly [string | null, string | null, string | null, string | null, string | null];

/**
 * The entity pair as the worker sends it (copy-pages.mjs): a flag letter ('a', plus 1 for a NULL id, 2 for a NULL
 * name), the id, a NUL, the name.
 *
 * @example pairOf('aF1\0doc.xlsx') // ['F1', 'doc.xlsx']
 */
export function pairOf(text: string): EntityPair {
  const flags = text.charCodeAt(0) - 97;
  const nul = text.indexOf('\0', 1);
  return [flags & 1 ? null : text.slice(1, nul), flags & 2 ? null : text.slice(nul + 1)];
}
const whoOf = (json: string): Who => JSON.parse(json) as Who;

/** A scanned event that knows its actor's name and e-mail from the scan (no lookup for them). */
class PgScannedEvent extends ScannedEvent {
  constructor(seq: number, id: string, ts: number, action: string, who: Who, reasons: string[], carried: Carried | null, fetch: Fetchers) {
    super(seq, id, ts, action, who[0], who[1], who[2], reasons, carried, fetch);
    this.who = who;
  }
  private readonly who: Who;
  override get actorName() {
    return this.who[3];
  }
  override get actorEmail() {
    return this.who[4];
  }
}

/** The scan query over (since, until], after a (ts, seq) position; every value an integer, so inlined. */
function scanSql(since: number, until: number, after: { ts: number; seq: number }, columns: string, limit?: number): string {
  const int = (x: number) => String(Math.trunc(Math.min(Math.max(x, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER)));
  return `SELECT ${columns} FROM events WHERE ts >= ${int(since)} AND ts <= ${int(until)} AND (ts, seq) > (${int(after.ts)}, ${int(after.seq)})
          ORDER BY ts, seq${limit ? ` LIMIT ${int(limit)}` : ''}`;
}

type Row = [number, string, number, string, string, string | null, string | null, string | null, string | null];

function eventOfRow(r: Row, fetch: Fetchers): ScannedEvent {
  const carried = carriedOf((c) => r[c] as string | null);
  return new PgScannedEvent(r[0], r[1], r[2], r[3], whoOf(r[WHO]), r[REASONS] ? r[REASONS].split(',') : NO_REASONS, carried, fetch);
}

function pageOfScan(p: ScanPage, fetch: Fetchers): EventPage {
  // The dispatcher reads actorId, ip and ua of a row one after the other: one dictionary lookup for the three.
  let whoRow = -1;
  let whoOfRow: Who = [null, null, null, null, null];
  const who = (i: number) => {
    if (i !== whoRow) {
      whoOfRow = p.dict<Who>(WHO, i)!;
      whoRow = i;
    }
    return whoOfRow;
  };
  return {
    n: p.n,
    ts: (i) => p.num(2, i),
    action: (i) => p.dict(3, i)!,
    actorId: (i) => who(i)[0],
    ip: (i) => who(i)[1],
    ua: (i) => who(i)[2],
    event: (i) =>
      new PgScannedEvent(p.num(0, i), p.text(1, i)!, p.num(2, i), p.dict(3, i)!, who(i), p.dict<string[]>(REASONS, i) ?? NO_REASONS, carriedOf((c) => p.text(c, i), pairOf), fetch),
  };
}

/** Detection reads that also own resources (the lookup and scan workers): `close` with the store. */
export interface PgDetectionReads extends DetectionReads {
  close(): Promise<void>;
}

/**
 * Detection reads on a PostgreSQL store; `url` is the store's connection URL (the workers open their own).
 *
 * @example const reads = pgDetectionReads(pool, url); for await (const p of reads.scanPages(0, now, 10_000)) ...
 */
export function pgDetectionReads(pool: pg.Pool, url: string): PgDetectionReads {
  const windows = pgWindowReads(pool);
  const lookups = new SyncQuery(url);
  const fetch: Fetchers = {
    raw: { get: (seq) => lookups.rows('SELECT raw FROM events WHERE seq = $1', [seq])[0]?.[0] },
    detail: { get: (seq) => lookups.rows(`SELECT ${DETAIL_COLUMNS} FROM events WHERE seq = $1`, [seq])[0] },
  };
  async function* pages(since: number, until: number, batchSize: number, opts: ScanOptions = {}): AsyncGenerator<EventPage> {
    const columns = scanColumns(opts.carryEntityOf);
    // The first page on the pool: a short scan (an incremental detect) is over before a worker would have started.
    const selected = columns.map((c) => c.name).join(', ');
    const first = await pool.query<Row>({ text: scanSql(since, until, { ts: since - 1, seq: Number.MAX_SAFE_INTEGER }, selected, batchSize), rowMode: 'array' });
    const rows = first.rows as unknown as Row[];
    if (rows.length) yield pageOfEvents(rows.map((r) => eventOfRow(r, fetch)));
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1]!;
    const worker = new Worker(new URL('./scan-worker.mjs', import.meta.url), {
      execArgv: [],
      workerData: {
        url,
        sql: scanSql(since, until, { ts: last[2], seq: last[0] }, columns.map((c) => c.fields?.join(', ') ?? c.name).join(', ')),
        columns: columns.map((c): CopyColumn => ({ kind: c.kind, fields: c.fields?.length ?? 1, ...(c.only ? { only: c.only } : {}) })),
        batchSize,
        maxDictSize: 200_000,
      },
    });
    const decode = (c: number, v: string) => (c === REASONS ? v.split(',') : c === WHO ? whoOf(v) : v);
    for await (const p of workerPages(worker, columns.length, PAGES_AHEAD, decode)) yield pageOfScan(p, fetch);
  }
  return {
    async *scan(since, until, batchSize) {
      for await (const p of pages(since, until, batchSize)) yield eventsOfPage(p);
    },
    scanPages: pages,
    all: windows.all,
    allOf: windows.allOf,
    close: () => lookups.close(),
  };
}
