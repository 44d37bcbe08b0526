// The worker side of `openWriteWorker` (write-worker.ts): inserts packed batches (insert-packed.mjs) on its own
// connection, one transaction per batch, and answers with which events were new. Plain JavaScript: a worker thread
// does not inherit the TypeScript loader the CLI registers.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { insertPacked, prepareInsert } from './insert-packed.mjs';

let db;
let insertBatch;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  for (const p of workerData.pragmas) db.pragma(p);
  const stmts = prepareInsert(db);
  insertBatch = db.transaction((packed, now) => insertPacked(stmts, packed, now));
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
}

parentPort.on('message', (m) => {
  if (m === 'close') {
    if (db?.open) db.close();
    parentPort.close();
    return;
  }
  try {
    if (!insertBatch) throw new Error('write worker could not open the database');
    // IMMEDIATE: see insertPacked.
    const inserted = insertBatch.immediate(m.packed, m.now);
    parentPort.postMessage({ id: m.id, inserted }, [inserted.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
