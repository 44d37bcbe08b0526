// The worker side of `openWriteWorker` (write-worker.ts): inserts packed batches (insert-packed.mjs) on its own
// connection, one transaction per batch, and answers with which events were new. Plain JavaScript: a worker thread
// does not inherit the TypeScript loader the CLI registers.
import { insertPacked, prepareInsert } from './insert-packed.mjs';
import { serveRequests } from './request-worker.mjs';

serveRequests(
  'write worker',
  (db) => {
    const stmts = prepareInsert(db);
    return db.transaction((packed, now) => insertPacked(stmts, packed, now));
  },
  (insertBatch, m) => {
    // IMMEDIATE: see insertPacked.
    const inserted = insertBatch.immediate(m.packed, m.now);
    return { reply: { inserted }, transfer: [inserted.buffer] };
  },
);
