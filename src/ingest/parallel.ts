import { Worker } from 'node:worker_threads';
import type { IncomingEvent, QuarantineItem } from '../store/types.ts';
import type { IngestOptions, IngestSummary } from './index.ts';
import { maybeGunzip } from './gunzip.ts';

/** Messages from the main thread to the parse worker. */
export type ToWorker = { type: 'chunk'; data: ArrayBuffer } | { type: 'end' } | { type: 'ack' };
/** Messages from the parse worker. */
export type FromWorker =
  | { type: 'consumed' }
  | { type: 'batch'; events: IncomingEvent[]; quarantine: QuarantineItem[] }
  | { type: 'done' }
  | { type: 'error'; message: string };

const MAX_CHUNKS_IN_FLIGHT = 8;

/**
 * Import a byte stream on two threads: a worker splits, validates and normalises while this thread stores.
 * Same results as `ingestStream`, about twice the throughput on a 2-core machine; memory stays bounded by the
 * chunks and batches in flight (back-pressure both ways).
 *
 * @example
 * await ingestStreamParallel(fs.createReadStream('big.jsonl'), 'big.jsonl', { store });
 */
export async function ingestStreamParallel(input: AsyncIterable<Buffer>, source: string, opts: IngestOptions): Promise<IngestSummary> {
  const summary: IngestSummary = { ingested: 0, duplicates: 0, quarantined: 0 };
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { source, maxEventBytes: opts.maxEventBytes, batchSize: opts.batchSize ?? 20000 },
  });
  let inFlight = 0;
  let chunkWake: (() => void) | null = null;
  let failure: Error | null = null;
  // Batches are stored one after another, in arrival order, on this thread.
  let storing: Promise<void> = Promise.resolve();
  const finished = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'consumed') {
        inFlight--;
        chunkWake?.();
      } else if (m.type === 'batch') {
        storing = storing.then(() => storeBatch(m)).then(() => worker.postMessage({ type: 'ack' } satisfies ToWorker));
        storing.catch(reject);
      } else if (m.type === 'done') storing.then(resolve, reject);
      else if (m.type === 'error') reject(new Error(m.message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => code !== 0 && reject(new Error(`ingest worker exited with code ${code}`)));
  }).catch((e: Error) => {
    failure = e;
    chunkWake?.();
  });

  async function storeBatch(m: { events: IncomingEvent[]; quarantine: QuarantineItem[] }): Promise<void> {
    if (m.quarantine.length) {
      const items = m.quarantine.map((q) => ({ ...q, raw: Buffer.from(q.raw.buffer, q.raw.byteOffset, q.raw.byteLength) }));
      await opts.store.quarantine(items);
      summary.quarantined += items.length;
      for (const q of items) opts.onQuarantine?.(q);
    }
    if (!m.events.length) return;
    const r = await opts.store.appendEvents(m.events);
    summary.ingested += r.inserted;
    summary.duplicates += r.duplicates;
    if (opts.onStored && r.insertedIds.length) await opts.onStored(r.insertedIds);
  }

  try {
    for await (const chunk of maybeGunzip(input)) {
      if (failure) break;
      while (inFlight >= MAX_CHUNKS_IN_FLIGHT && !failure) await new Promise<void>((r) => (chunkWake = r));
      const copy = new Uint8Array(chunk).buffer; // own the bytes so they can be transferred
      inFlight++;
      worker.postMessage({ type: 'chunk', data: copy } satisfies ToWorker, [copy]);
    }
  } catch (e) {
    const item = { source, position: 'stream', reason: `cannot read input: ${(e as Error).message}`, raw: Buffer.alloc(0) };
    await opts.store.quarantine([item]);
    summary.quarantined++;
    opts.onQuarantine?.(item);
  }
  worker.postMessage({ type: 'end' } satisfies ToWorker);
  await finished;
  await worker.terminate();
  if (failure) throw failure;
  return summary;
}
