// The search index's catch-up on a worker thread (see search.ts): folds every new event in chunks, so the server's
// thread keeps answering while a large store is indexed. Plain JavaScript: a worker does not inherit tsx.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { FOLD_CHUNK, prepareFold } from './search-fold.mjs';

let db;
let fold;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  for (const p of workerData.pragmas) db.pragma(p);
  fold = prepareFold(db).fold;
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
    if (!fold) throw new Error('search worker could not open the database');
    let folded = 0;
    for (let n; (n = fold(FOLD_CHUNK)) > 0; ) folded += n;
    parentPort.postMessage({ id: m.id, folded });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
