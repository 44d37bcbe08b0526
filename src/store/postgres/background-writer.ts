/**
 * The PostgreSQL store's background writer (`Store.openBackgroundWriter`, used by ingest). An append's work is
 * mostly PostgreSQL's, in its own process: handed the next batch at once, the store writes one while ingest parses
 * the next here. Batches handed over while one commits wait, and are then stored together in one transaction, in
 * order: what an append costs whatever its size (the read models' upserts touch every actor of a batch, the round
 * trips, the commit) is paid once for them all. Each caller still gets its own batch's figures.
 *
 * Failures end where one batch at a time would have: a merged transaction that fails is rolled back whole, its
 * batches are then tried one by one, and from the first that fails on its own every later batch is refused with
 * that error, so nothing is stored past a gap.
 */
import type { AppendResult, BackgroundWriter, IncomingEvent } from '../types.ts';

/** Events per merged transaction at most: bounds its memory and how long it holds the append lock. */
const MAX_MERGED_EVENTS = 20_000;

interface Pending {
  batch: readonly IncomingEvent[];
  resolve(r: AppendResult): void;
  reject(e: unknown): void;
}

/**
 * Split the result of one append of `batches` (concatenated, in order) into each batch's own: an inserted id
 * belongs to the batch holding its first copy, as if the batches had been appended one after another.
 *
 * @example splitResult([[a, b], [b, c]], { inserted: 3, duplicates: 1, insertedIds: ['a', 'b', 'c'] })
 * // [{ inserted: 2, duplicates: 0, insertedIds: ['a', 'b'] }, { inserted: 1, duplicates: 1, insertedIds: ['c'] }]
 */
export function splitResult(batches: ReadonlyArray<readonly IncomingEvent[]>, merged: AppendResult): AppendResult[] {
  const unclaimed = new Set(merged.insertedIds);
  return batches.map((batch) => {
    const insertedIds = batch.flatMap((e) => (unclaimed.delete(e.norm.id) ? [e.norm.id] : []));
    return { inserted: insertedIds.length, duplicates: batch.length - insertedIds.length, insertedIds };
  });
}

/**
 * @example const w = mergingWriter((batch) => store.appendEvents([...batch])); await w.append(batch); await w.close();
 */
export function mergingWriter(append: (batch: IncomingEvent[]) => Promise<AppendResult>, maxEvents = MAX_MERGED_EVENTS): BackgroundWriter {
  const queue: Pending[] = [];
  let running: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;

  const refuseRest = (error: unknown) => {
    failure = { error };
    for (const p of queue.splice(0)) p.reject(error);
  };

  const run = async () => {
    while (queue.length && !failure) {
      // The batches waiting, up to the size limit (always at least one).
      let n = 0;
      let events = 0;
      while (n < queue.length && (n === 0 || events + queue[n]!.batch.length <= maxEvents)) events += queue[n++]!.batch.length;
      const group = queue.splice(0, n);
      try {
        const results = splitResult(group.map((p) => p.batch), await append(group.flatMap((p) => p.batch)));
        group.forEach((p, i) => p.resolve(results[i]!));
      } catch (e) {
        if (group.length === 1) {
          group[0]!.reject(e);
          refuseRest(e);
          break;
        }
        // The merged transaction stored nothing: one at a time, to stop exactly at the batch that fails.
        for (const [i, p] of group.entries()) {
          try {
            p.resolve(await append([...p.batch]));
          } catch (alone) {
            p.reject(alone);
            for (const later of group.slice(i + 1)) later.reject(alone);
            refuseRest(alone);
            break;
          }
        }
      }
    }
    // In the same step as the last look at the queue: a batch handed over from here on starts a new run.
    running = null;
  };

  return {
    append(batch) {
      return new Promise<AppendResult>((resolve, reject) => {
        if (failure) return reject(failure.error);
        queue.push({ batch, resolve, reject });
        running ??= run();
      });
    },
    async close() {
      while (running) await running;
    },
  };
}
