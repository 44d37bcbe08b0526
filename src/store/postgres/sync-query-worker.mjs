// The worker side of `SyncQuery` (sync-query.ts): one PostgreSQL connection answering queries posted on a
// MessagePort; after posting each answer it wakes the blocked caller through the shared Int32Array. Plain
// JavaScript: a worker thread does not inherit the TypeScript loader.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { url, port, signal } = workerData;
const flag = new Int32Array(signal);
// bigint columns as numbers, as the store's pool reads them (connect.ts).
const types = { getTypeParser: (oid, format) => (oid === 20 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) };
const client = new pg.Client({ connectionString: url, types, application_name: 'gridwatch lookups' });
const ready = client.connect();
ready.catch(() => {});

port.on('message', async ({ sql, params }) => {
  let answer;
  try {
    await ready;
    answer = { rows: (await client.query({ text: sql, values: params, rowMode: 'array' })).rows };
  } catch (e) {
    answer = { error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
