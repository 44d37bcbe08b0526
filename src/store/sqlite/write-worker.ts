/**
 * Writes on a worker thread: while the worker inserts one batch (SQLite, indexes, WAL), the caller parses and
 * validates the next. better-sqlite3 is synchronous, so a second thread is the only way to overlap the two; a long
 * import then costs about the larger of the two instead of their sum.
 *
 * Batches are packed (packed.ts) so the hand-over is a few string and typed-array copies. Each batch is one
 * transaction on the worker's connection: results are exactly those of `appendEvents` on the store's own connection.
 */
import { Worker } from 'node:worker_threads';
import type { AppendResult, BackgroundWriter, IncomingEvent } from '../types.ts';
import { appendResultOf, packEvents } from './packed.ts';


type Reply = { id: number; inserted: Uint8Array } | { id?: number; error: string };

/**
 * Start a write worker on a SQLite file (the schema must already be migrated).
 *
 * @example
 * const w = await openWriteWorker('gridwatch.db', ['journal_mode = WAL']);
 * const r = await w.append(batch); await w.close();
 */
export async function openWriteWorker(path: string, pragmas: readonly string[]): Promise<BackgroundWriter> {
  // Plain JavaScript: without the parent's flags (`--import tsx`) the worker starts in half the time.
  const worker = new Worker(new URL('./write-worker.mjs', import.meta.url), { execArgv: [], workerData: { path, pragmas } });
  const waiting = new Map<number, { resolve: (m: Uint8Array) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('message', (m: Reply) => {
    if ('error' in m) {
      const e = new Error(`write worker: ${m.error}`);
      if (m.id === undefined) return failAll(e);
      waiting.get(m.id)?.reject(e);
    } else {
      waiting.get(m.id)?.resolve(m.inserted);
    }
    if (m.id !== undefined) waiting.delete(m.id);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`write worker exited (code ${code})`)));
  let next = 0;
  return {
    async append(batch) {
      if (failure) throw failure;
      const id = next++;
      const inserted = await new Promise<Uint8Array>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, packed: packEvents(batch), now: Date.now() });
      });
      return appendResultOf(batch, inserted);
    },
    async close() {
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage('close');
      await exited;
    },
  };
}
