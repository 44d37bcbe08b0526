// The search index's catch-up on a worker thread (see search.ts): folds every new event in chunks, so the server's
// thread keeps answering while a large store is indexed. Plain JavaScript: a worker does not inherit tsx.
import { serveRequests } from './request-worker.mjs';
import { FOLD_CHUNK, prepareFold } from './search-fold.mjs';

serveRequests(
  'search worker',
  (db) => prepareFold(db).fold,
  (fold) => {
    let folded = 0;
    for (let n; (n = fold(FOLD_CHUNK)) > 0; ) folded += n;
    return { reply: { folded } };
  },
);
