// The PostgreSQL replay scan on a worker thread (postgres/detection-reads.ts): one `COPY (SELECT ...) TO STDOUT
// (FORMAT binary)`, its rows decoded where they lie in the socket's chunks (copy-out.mjs) into the page wire format
// `workerPages` reads (copy-pages.mjs). Pages are posted on credit from the consumer; without credit the socket is not
// read, so the server waits on it and memory stays bounded.
//
// Plain JavaScript: a worker thread does not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { copyOut } from './copy-out.mjs';
import { copyPageDecoder } from './copy-pages.mjs';
import { markLost, postedError } from './worker-error.mjs';

/** columns: [{ kind: 'num' | 'text' | 'dict', fields: number }] in SELECT order ('dict' may span several fields). */
const { url, sql, columns, batchSize, maxDictSize } = workerData;
const client = new pg.Client({ connectionString: url, application_name: 'gridwatch scan' });
// The server going away: the statement fails with this error, marked so the CLI says the database is unreachable.
client.on('error', markLost);

let credit = 0;
let stopped = false;
/** Decoded pages waiting for credit (a socket chunk fills at most one or two). */
const waiting = [];
let copy = null;
let drained = null;
let onStop = null;
const stop = new Promise((r) => (onStop = r));

/** Post what credit allows; read the socket again once nothing waits. */
function flush() {
  while (credit > 0 && waiting.length && !stopped) {
    const { message, transfer } = waiting.shift();
    credit--;
    parentPort.postMessage(message, transfer);
  }
  if (!waiting.length || stopped) {
    copy?.resume();
    const d = drained;
    drained = null;
    d?.();
  } else copy?.pause();
}

parentPort.on('message', (m) => {
  if (m === 'stop') {
    stopped = true;
    onStop();
  } else credit += m;
  flush();
});

async function run() {
  await client.connect().catch((e) => {
    if (!e?.severity) markLost(e); // a socket error or a dropped connection, not the server's refusal
    throw e;
  });
  // The planner costs a whole-result COPY as a scan plus a sort (spilling to disk at the default work_mem) on
  // parallel workers; each partition's (ts, seq) index gives the rows in order already, partition after partition,
  // and parallel workers would only compete with this process for the same cores. No JIT either: the whole-table
  // estimate would have the server compile for a few hundred milliseconds before the first row.
  await client.query('SET enable_sort = off; SET max_parallel_workers_per_gather = 0; SET jit = off');
  const decoder = copyPageDecoder({ columns, batchSize, maxDictSize });
  copy = copyOut(client, `COPY (${sql}) TO STDOUT (FORMAT binary)`, (buf, start, end) => {
    if (stopped) return;
    const pages = decoder.push(buf, start, end);
    if (pages.length) {
      waiting.push(...pages);
      flush();
    }
  });
  // A consumer that stopped the scan early: the connection is closed below (pg destroys the socket of a client in
  // the middle of a statement), which ends the statement.
  await Promise.race([copy.done, stop]);
  if (stopped) return;
  waiting.push(decoder.end());
  await new Promise((r) => {
    drained = r;
    flush();
  });
}

try {
  await run();
} catch (e) {
  parentPort.postMessage(postedError(e));
} finally {
  await client.end().catch(() => {});
  parentPort.close();
}
