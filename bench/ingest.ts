import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { estimateEvents, ingestFile } from '../src/ingest/index.ts';
import { normalise } from '../src/events/normalise.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import type { IncomingEvent } from '../src/store/types.ts';
import { withPeakRss } from '../src/util/memory.ts';
import { bigEventFile } from './data.ts';

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
 * through `appendEvents` on this thread, with the same bulk-load index handling as an import. What SQLite costs for
 * this schema and its indexes, whatever the parser does.
 */
async function storeOnly(path: string, dbPath: string): Promise<number> {
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
  const store = await openSqliteStore(dbPath);
  let appendMs = 0;
  let runMs = 0;
  let n = 0;
  const t0 = performance.now();
  await store.bulkLoad(estimateEvents(path, statSync(path).size), async () => {
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
  });
  // The index rebuild after the import (bulkLoad's own time outside the run) is store work too.
  const rebuildMs = performance.now() - t0 - runMs;
  await store.close();
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
  return Math.round(n / ((appendMs + rebuildMs) / 1000));
}

export async function benchIngest(dir: string, events: number) {
  const file = await bigEventFile(dir, events);
  const mb = statSync(file).size / 1048576;
  let t = performance.now();
  const parsed = await parseOnly(file);
  const parseSec = (performance.now() - t) / 1000;
  const dbPath = join(dir, 'ingest-bench.db');
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
  const store = await openSqliteStore(dbPath);
  t = performance.now();
  const { result, peakRssMb, peakAnonMb } = await withPeakRss(() => ingestFile(file, { store }));
  const ingestSec = (performance.now() - t) / 1000;
  await store.close();
  const storeOnlyPerSec = await storeOnly(file, join(dir, 'store-only-bench.db'));
  return {
    events: parsed,
    fileMb: Math.round(mb),
    parseOnlyPerSec: Math.round(parsed / parseSec),
    ingestPerSec: Math.round(result.ingested / ingestSec),
    storeOnlyPerSec,
    ratio: +(ingestSec / parseSec).toFixed(2),
    ingestSeconds: +ingestSec.toFixed(1),
    peakRssMb,
    peakAnonMb,
    dbPath,
  };
}
