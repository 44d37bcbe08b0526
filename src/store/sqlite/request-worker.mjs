// The common body of the SQLite workers that answer one request at a time on their own connection (search-worker.mjs,
// write-worker.mjs): open the file with the store's pragmas, prepare once, then answer each { id, ... } message with
// { id, ...reply } or { id, error }, and close the connection on 'close'. Plain JavaScript: a worker thread does not
// inherit the TypeScript loader the CLI registers.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const message = (e) => (e instanceof Error ? e.message : String(e));

/**
 * Serves requests on this worker thread. `prepare(db)` runs once after opening workerData.path with
 * workerData.pragmas; an error there is posted at once (no id) and every later request answers that `name` could
 * not open the database. `handle(prepared, m)` answers a request: `{ reply, transfer }`, where reply is spread into
 * the answer beside the request's id and transfer lists the buffers to move rather than copy.
 *
 * @example
 * serveRequests('search worker', (db) => prepareFold(db).fold, (fold, m) => ({ reply: { folded: fold(1000) } }));
 */
export function serveRequests(name, prepare, handle) {
  let db;
  let prepared;
  try {
    db = new Database(workerData.path, { fileMustExist: true });
    for (const p of workerData.pragmas) db.pragma(p);
    prepared = prepare(db);
  } catch (e) {
    parentPort.postMessage({ error: message(e) });
  }

  parentPort.on('message', (m) => {
    if (m === 'close') {
      if (db?.open) db.close();
      parentPort.close();
      return;
    }
    try {
      if (!prepared) throw new Error(`${name} could not open the database`);
      const { reply, transfer } = handle(prepared, m);
      parentPort.postMessage({ id: m.id, ...reply }, transfer);
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: message(e) });
    }
  });
}
