// The worker side of `parallelScan` (parallel-scan.ts): runs a keyset-paged, time-ordered SELECT on its own read-only
// connection (parameters: until, after ts, after seq, limit) and posts each page as typed-array columns. Plain JavaScript on purpose: a worker thread does not
// inherit the TypeScript loader the CLI registers, and this file must load the same way under the CLI and the tests.
//
// Column kinds (workerData.kinds, one per selected column):
//   'num'  -> Int32Array when every value is a 32-bit integer, else Float64Array (NULL becomes NaN)
//   'text' -> one joined string plus an Int32Array of end offsets; a NULL is marked in a Uint8Array (1 = NULL)
//   'dict' -> Int32Array of codes into a dictionary kept in step on both sides (-1 for NULL); each page carries the
//             entries it added. Low-cardinality columns (action, user, IP, user agent) then cost the main thread an
//             array lookup instead of a string allocation per row.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { encodePage } from './scan-columns.mjs';

const { path, sql, kinds, tsIndex, seqIndex, lookup, until, after, batchSize, maxDictSize } = workerData;
let db;
let stmt;
let lookupStmt;
let done = false;
try {
  db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('mmap_size = 2147483648');
  stmt = db.prepare(sql).raw(true);
  if (lookup) lookupStmt = db.prepare(lookup.sql).raw(true);
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
  done = true;
}
const dicts = kinds.map((k) => (k === 'dict' ? new Map() : null));

let credit = 0;
let lastTs = after.ts;
let lastSeq = after.seq;

// The columns read by sequence number (lookup.into) of the rows whose column lookup.when is not NULL: point reads of
// the few rows that need them, while the scan reads only what its index holds.
function fillLookups(rows) {
  const seqs = [];
  for (const r of rows) if (r[lookup.when] !== null) seqs.push(r[seqIndex]);
  if (!seqs.length) return;
  const found = new Map();
  for (const got of lookupStmt.all(JSON.stringify(seqs))) found.set(got[0], got);
  for (const r of rows) {
    if (r[lookup.when] === null) continue;
    const got = found.get(r[seqIndex]);
    lookup.into.forEach((c, k) => (r[c] = got === undefined ? null : got[k + 1]));
  }
}

function page() {
  const rows = stmt.all(until, lastTs, lastSeq, batchSize);
  if (lookup) fillLookups(rows);
  const n = rows.length;
  const { cols, transfer } = encodePage(rows, kinds, dicts, maxDictSize);
  if (n) {
    lastTs = rows[n - 1][tsIndex];
    lastSeq = rows[n - 1][seqIndex];
  }
  done = n < batchSize;
  parentPort.postMessage({ n, cols, done }, transfer);
}

function pump() {
  try {
    while (credit > 0 && !done) {
      credit--;
      page();
    }
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
    done = true;
  }
  if (done && db?.open) db.close();
}

parentPort.on('message', (m) => {
  if (m === 'stop') {
    done = true;
    if (db?.open) db.close();
    parentPort.close();
    return;
  }
  credit += m;
  if (!done) pump();
});
