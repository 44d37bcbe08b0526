// The worker side of `SyncQuery` (sync-query.ts): one PostgreSQL connection (reopened after it was lost) answering queries posted on a
// MessagePort; after posting each answer it wakes the blocked caller through the shared Int32Array. Plain
// JavaScript: a worker thread does not inherit the TypeScript loader.
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import { markLost, postedError } from './worker-error.mjs';

const { url, port, signal } = workerData;
const flag = new Int32Array(signal);
// bigint columns as numbers, as the store's pool reads them (connect.ts).
const types = { getTypeParser: (oid, format) => (oid === 20 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) };
let client = null;
let ready;

/** A connection, opened on the first lookup and again on the next one after it was lost (the server restarted). */
function connection() {
  if (client) return client;
  const c = (client = new pg.Client({ connectionString: url, types, application_name: 'gridwatch lookups' }));
  const lost = (e) => {
    markLost(e); // as the pool's clients mark theirs (connect.ts)
    if (client === c) client = null;
  };
  // The server going away emits 'error' between queries; unhandled, it would kill the worker (and the process with
  // it) instead of failing this lookup.
  c.on('error', lost);
  c.on('end', lost);
  ready = c.connect();
  ready.catch(lost);
  return c;
}

port.on('message', async ({ sql, params }) => {
  let answer;
  try {
    const c = connection();
    await ready;
    answer = { rows: (await c.query({ text: sql, values: params, rowMode: 'array' })).rows };
  } catch (e) {
    answer = postedError(e);
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
