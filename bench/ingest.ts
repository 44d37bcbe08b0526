import { createReadStream, statSync } from 'node:fs';
import { estimateEvents, ingestFile } from '../src/ingest/index.ts';
import { normalise } from '../src/events/normalise.ts';
import { openStore } from '../src/store/index.ts';
import type { IncomingEvent } from '../src/store/types.ts';
import { withPeakRss } from '../src/util/memory.ts';
import type { StoreSource } from './backends.ts';

/** The non-empty lines of a JSON Lines file, a chunk's worth at a time. */
async function* linesOf(path: string): AsyncGenerator<string[]> {
  let carry = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop()!;
    yield lines.filter(Boolean);
  }
  if (carry) yield [carry];
}

/** JSON.parse of every line: the ceiling any importer of this file can reach. */
async function parseOnly(path: string): Promise<number> {
  let n = 0;
  for await (const lines of linesOf(path)) for (const l of lines) (JSON.parse(l), n++);
  return n;
}

/**
 * The store's own share: the same file parsed and normalised outside the clock, then written in batches of 5,000
 * through `appendEvents` on this thread, with the same bulk-load handling as an import where the backend has one.
 * What the store costs for this schema and its indexes, whatever the parser does.
 */
async function storeOnly(path: string, location: string): Promise<number> {
  const store = await openStore(location);
  let appendMs = 0;
  let runMs = 0;
  let n = 0;
  const t0 = performance.now();
  const load = async () => {
    const tRun = performance.now();
    let batch: IncomingEvent[] = [];
    const write = async () => {
      const t = performance.now();
      n += (await store.appendEvents(batch)).inserted;
      appendMs += performance.now() - t;
      batch = [];
    };
    for await (const lines of linesOf(path)) {
      for (const l of lines) {
        batch.push({ raw: l, norm: normalise(JSON.parse(l)) });
        if (batch.length === 5000) await write();
      }
    }
    await write();
    runMs = performance.now() - tRun;
  };
  await (store.bulkLoad ? store.bulkLoad(estimateEvents(path, statSync(path).size), load) : load());
  // The index rebuild after the import (bulkLoad's own time outside the run) is store work too.
  const rebuildMs = performance.now() - t0 - runMs;
  await store.close();
  return Math.round(n / ((appendMs + rebuildMs) / 1000));
}

/**
 * Ingest figures for one backend: `gridwatch ingest` of the file into a fresh store (kept for the later figures),
 * then the store alone into another fresh one.
 *
 * @example const r = await benchIngest(file, await storeSource('sqlite', dir));
 */
export async function benchIngest(file: string, source: StoreSource) {
  const location = await source.fresh('ingest-bench');
  const store = await openStore(location);
  const t = performance.now();
  const { result, peakRssMb, peakAnonMb } = await withPeakRss(() => ingestFile(file, { store }));
  const ingestSec = (performance.now() - t) / 1000;
  await store.close();
  const storeOnlyPerSec = await storeOnly(file, await source.fresh('store-only-bench'));
  return {
    events: result.ingested,
    ingestPerSec: Math.round(result.ingested / ingestSec),
    storeOnlyPerSec,
    ingestSeconds: +ingestSec.toFixed(1),
    peakRssMb,
    peakAnonMb,
    location,
  };
}

/**
 * `JSON.parse` of every line of the file: the ceiling for any importer, the same for every backend.
 *
 * @example const { perSec, seconds } = await benchParse(file);
 */
export async function benchParse(file: string) {
  const t = performance.now();
  const n = await parseOnly(file);
  const seconds = (performance.now() - t) / 1000;
  return { events: n, seconds, perSec: Math.round(n / seconds), mb: Math.round(statSync(file).size / 1048576) };
}
