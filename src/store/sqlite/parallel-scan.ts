/**
 * A time-ordered scan of the `events` table run on a worker thread, so reading rows out of SQLite overlaps with
 * whatever the main thread does with them (rule evaluation in a replay). Pages arrive as typed-array columns: numbers
 * as Float64Array, low-cardinality text as dictionary codes (the main thread allocates no string for them), other
 * text as one joined string per page.
 *
 * Why a worker: a replay spends about as long pulling rows out of SQLite (and allocating their strings) as evaluating
 * the rules; better-sqlite3 is synchronous, so only a second thread can do both at once. The worker keeps at most
 * `PAGES_AHEAD` pages ahead, so memory stays bounded.
 */
import { Worker } from 'node:worker_threads';
import { errorFromWorker, type PostedError } from '../postgres/unreachable.ts';

export type ScanColumnKind = 'num' | 'text' | 'dict';

/** A scanned column: its SQL, how it travels, and for a column read only for some rows, the expression read then. */
export interface ScanColumn {
  name: string;
  kind: ScanColumnKind;
  /** Read by sequence number for the rows `ParallelScanOptions.lookupWhen` marks (an expression over `events`). */
  lookup?: string;
}

/**
 * How many pages a scan worker reads ahead of its consumer. A replay's main thread stops reading for half a second
 * or more while it builds and stores a day's alerts; with three pages of credit the worker stopped too. Sixteen pages
 * of 10,000 events (about as many as it reads in that time) keep it reading, for some tens of megabytes.
 */
export const PAGES_AHEAD = 16;

export interface ParallelScanOptions {
  /** The SQLite file (must not be `:memory:`: the worker opens its own connection). */
  path: string;
  /**
   * Columns to select (a name, or `expression AS name`), with how each travels. Must include `ts` and `seq`. A
   * column with `lookup` is read by sequence number in a second query, only for the rows where column `lookupWhen`
   * is not NULL (NULL for the others): the scan itself then reads what an index holds, not the table.
   */
  columns: ReadonlyArray<ScanColumn>;
  /** Index of the column whose non-NULL value marks the rows the `lookup` columns are read for. */
  lookupWhen?: number;
  until: number;
  /** Start after this (ts, seq) position. */
  after: { ts: number; seq: number };
  batchSize: number;
  /** Pages the worker may read ahead of the consumer (default `PAGES_AHEAD`). */
  ahead?: number;
  /** A dictionary larger than this starts over (default 200,000 entries). */
  maxDictSize?: number;
}

/** One page: `n` rows; `num(c, i)`, `text(c, i)`, `dict(c, i)` read column `c` of row `i`. */
export interface ScanPage {
  n: number;
  num(c: number, i: number): number;
  /** Text of a `text` column (null for NULL). */
  text(c: number, i: number): string | null;
  /** The dictionary value (an interned string, or what `mapDict` made of it), null for NULL. */
  dict<T = string>(c: number, i: number): T | null;
}

/**
 * A text column as it travels: one joined string and the end of each row's text in it (the SQLite worker), or the
 * UTF-8 bytes and each row's byte end (the PostgreSQL worker: `ascii` when every byte is). NULL rows: `nulls[i]` 1.
 */
export type WireText =
  | { kind: 'text'; text: string; ends: Int32Array; nulls: Uint8Array }
  | { kind: 'text'; bytes: Uint8Array; ascii: boolean; ends: Int32Array; nulls: Uint8Array; buffer?: Buffer };

type WireColumn =
  | { kind: 'num'; values: Int32Array | Float64Array }
  | WireText
  | { kind: 'dict'; codes: Int32Array; added: string[]; reset: boolean };

/**
 * Row i of a text column in the wire format, null for NULL.
 *
 * @example wireText(message.cols[1], 0) // the first row's id
 */
export function wireText(col: WireText, i: number): string | null {
  if (col.nulls[i]) return null;
  const start = i === 0 ? 0 : col.ends[i - 1]!;
  if ('text' in col) return col.text.slice(start, col.ends[i]);
  // A Buffer over the transferred bytes, made once per page (the message's typed arrays arrive as plain views).
  const b = (col.buffer ??= Buffer.from(col.bytes.buffer, col.bytes.byteOffset, col.bytes.byteLength));
  return b.toString(col.ascii ? 'latin1' : 'utf8', start, col.ends[i]);
}

type WireMessage = { n: number; cols: WireColumn[]; done: boolean } | PostedError;

/**
 * The scan worker's keyset-paged query (parameters: until, after ts, after seq, limit): `lookup` columns are NULL
 * here and read by sequence number afterwards.
 *
 * @example db.prepare(`EXPLAIN QUERY PLAN ${workerScanSql(columns)}`).all(2e9, 0, 0, 1)
 */
export function workerScanSql(columns: ReadonlyArray<ScanColumn>): string {
  const lean = columns.map((c) => (c.lookup === undefined ? c.name : 'NULL'));
  return `SELECT ${lean.join(', ')} FROM events WHERE ts <= ? AND (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?`;
}

/**
 * Scan `events` in (ts, seq) order after a position, on a worker thread. `mapDict` may turn each new dictionary
 * entry into something else once (e.g. split a comma list), so per-row work is a lookup.
 *
 * @example
 * for await (const page of parallelScan({ path, columns, until, after: { ts: 0, seq: 0 }, batchSize: 10_000 })) {
 *   for (let i = 0; i < page.n; i++) console.log(page.num(0, i), page.dict(2, i));
 * }
 */
export async function* parallelScan(
  opts: ParallelScanOptions,
  mapDict: (column: number, value: string) => unknown = (_c, v) => v,
): AsyncGenerator<ScanPage> {
  const names = opts.columns.map((c) => c.name);
  const tsIndex = names.indexOf('ts');
  const seqIndex = names.indexOf('seq');
  if (tsIndex < 0 || seqIndex < 0) throw new Error('parallelScan needs the ts and seq columns');
  const sql = workerScanSql(opts.columns);
  const looked = opts.columns.flatMap((c, i) => (c.lookup === undefined ? [] : [{ index: i, sql: c.lookup }]));
  if (looked.length && opts.lookupWhen === undefined) throw new Error('parallelScan: lookup columns need lookupWhen');
  const lookup = looked.length
    ? {
        when: opts.lookupWhen,
        into: looked.map((l) => l.index),
        sql: `SELECT seq, ${looked.map((l) => l.sql).join(', ')} FROM events WHERE seq IN (SELECT value FROM json_each(?))`,
      }
    : null;
  const worker = new Worker(new URL('./scan-worker.mjs', import.meta.url), {
    // Plain JavaScript: without the parent's flags (`--import tsx`) the worker starts in half the time.
    execArgv: [],
    workerData: {
      path: opts.path,
      sql,
      kinds: opts.columns.map((c) => c.kind),
      tsIndex,
      seqIndex,
      lookup,
      until: opts.until,
      after: opts.after,
      batchSize: opts.batchSize,
      maxDictSize: opts.maxDictSize ?? 200_000,
    },
  });
  yield* workerPages(worker, opts.columns.length, opts.ahead ?? PAGES_AHEAD, mapDict);
}

/**
 * The consuming side of a scan worker that posts pages in the wire format of `scan-worker.mjs` (typed-array
 * columns, dictionaries kept in step) and reads `ahead` pages ahead on credit: the SQLite scan above and the
 * PostgreSQL one (`postgres/scan-worker.mjs`) share it. The worker is stopped and terminated when the scan ends.
 *
 * @example yield* workerPages(new Worker(url, { workerData }), 8, 3, (_c, v) => v);
 */
export async function* workerPages(
  worker: Worker,
  columnCount: number,
  ahead: number,
  mapDict: (column: number, value: string) => unknown = (_c, v) => v,
): AsyncGenerator<ScanPage> {
  const queue: WireMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: WireMessage) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (e) => {
    failure = e;
    notify();
  });
  worker.on('exit', (code) => {
    if (code !== 0 && !failure) failure = new Error(`scan worker exited with code ${code}`);
    notify();
  });
  const dicts: unknown[][] = Array.from({ length: columnCount }, () => []);
  worker.postMessage(ahead);
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
      }
      const m = queue.shift()!;
      if ('error' in m) throw errorFromWorker(m, 'scan worker');
      worker.postMessage(1);
      m.cols.forEach((col, c) => {
        if (col.kind !== 'dict') return;
        if (col.reset) dicts[c] = [];
        const d = dicts[c]!;
        for (const v of col.added) d.push(mapDict(c, v));
      });
      if (m.n) yield pageOf(m.n, m.cols, dicts);
      if (m.done) return;
    }
  } finally {
    worker.postMessage('stop');
    await worker.terminate();
  }
}

function pageOf(n: number, cols: WireColumn[], current: unknown[][]): ScanPage {
  // The dictionaries as they are now: a reset replaces a column's array, and a page kept for later (alert context
  // keeps a day or two of pages) must still read its codes in the one they were made for.
  const dicts = current.slice();
  return {
    n,
    num: (c, i) => (cols[c] as { values: Int32Array | Float64Array }).values[i]!,
    text: (c, i) => wireText(cols[c] as WireText, i),
    dict: <T>(c: number, i: number) => {
      const code = (cols[c] as { codes: Int32Array }).codes[i]!;
      return code < 0 ? null : (dicts[c]![code] as T);
    },
  };
}
