// The PostgreSQL replay scan on a worker thread (postgres/detection-reads.ts): one server-side cursor over the lean
// scan query in a read-only REPEATABLE READ transaction, fetched a page at a time with the next FETCH already in
// flight while a page is encoded, and each page posted in the wire format `workerPages` reads
// (sqlite/scan-columns.mjs). Pages are posted on credit from the consumer, so memory stays bounded.
// Plain JavaScript: a worker thread does not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { encodePage } from '../sqlite/scan-columns.mjs';

const { url, sql, kinds, batchSize, maxDictSize } = workerData;
const types = { getTypeParser: (oid, format) => (oid === 20 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) };
const client = new pg.Client({ connectionString: url, types, application_name: 'gridwatch scan' });
const dicts = kinds.map((k) => (k === 'dict' ? new Map() : null));

let credit = 0;
let stopped = false;
let wake = null;
const waitForCredit = () => new Promise((r) => (wake = r));

parentPort.on('message', (m) => {
  if (m === 'stop') stopped = true;
  else credit += m;
  const w = wake;
  wake = null;
  w?.();
});

async function run() {
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query(`DECLARE scan NO SCROLL CURSOR FOR ${sql}`);
  const fetchPage = () => client.query({ text: `FETCH ${batchSize} FROM scan`, rowMode: 'array' });
  let next = fetchPage();
  for (;;) {
    const rows = (await next).rows;
    const done = rows.length < batchSize;
    // The server reads the next page while this one is encoded and consumed.
    if (!done) {
      next = fetchPage();
      next.catch(() => {}); // a stop may end the connection under it
    }
    while (credit === 0 && !stopped) await waitForCredit();
    if (stopped) return;
    credit--;
    const { cols, transfer } = encodePage(rows, kinds, dicts, maxDictSize);
    parentPort.postMessage({ n: rows.length, cols, done }, transfer);
    if (done) return;
  }
}

try {
  await run();
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
} finally {
  await client.end().catch(() => {});
  parentPort.close();
}
