// The PostgreSQL replay scan on a worker thread (postgres/detection-reads.ts): one `COPY (SELECT ...) TO STDOUT
// (FORMAT binary)`, decoded from the bytes into the page wire format `workerPages` reads (copy-pages.mjs). Pages are
// posted on credit from the consumer; without credit the stream is not read, so the server waits on the socket and
// memory stays bounded.
//
// Plain JavaScript: a worker thread does not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { copyPageDecoder } from './copy-pages.mjs';

/** columns: [{ kind: 'num' | 'text' | 'dict', fields: number }] in SELECT order ('dict' may span several fields). */
const { url, sql, columns, batchSize, maxDictSize } = workerData;
const client = new pg.Client({ connectionString: url, application_name: 'gridwatch scan' });

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

/** Post a page once the consumer has room for it; false when the consumer stopped the scan. */
async function post({ message, transfer }) {
  while (credit === 0 && !stopped) await waitForCredit();
  if (stopped) return false;
  credit--;
  parentPort.postMessage(message, transfer);
  return true;
}

async function run() {
  await client.connect();
  // The planner costs a whole-result COPY as a scan plus a sort (spilling to disk at the default work_mem) on
  // parallel workers; each partition's (ts, seq) index gives the rows in order already, partition after partition,
  // and parallel workers would only compete with this process for the same cores. No JIT either: the whole-table
  // estimate would have the server compile for a few hundred milliseconds before the first row.
  await client.query('SET enable_sort = off; SET max_parallel_workers_per_gather = 0; SET jit = off');
  const stream = client.query(copyStreams.to(`COPY (${sql}) TO STDOUT (FORMAT binary)`));
  const decoder = copyPageDecoder({ columns, batchSize, maxDictSize });
  for await (const chunk of stream) {
    for (const page of decoder.push(chunk)) {
      if (!(await post(page))) {
        stream.destroy();
        return;
      }
    }
  }
  await post(decoder.end());
}

try {
  await run();
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
} finally {
  await client.end().catch(() => {});
  parentPort.close();
}
