import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ingestFile } from '../src/ingest/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { withPeakRss } from '../src/util/memory.ts';
import { bigEventFile } from './data.ts';

/** JSON.parse of every line: the ceiling any importer of this file can reach. */
async function parseOnly(path: string): Promise<number> {
  let carry = '';
  let n = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop()!;
    for (const l of lines) if (l) { JSON.parse(l); n++; }
  }
  if (carry) { JSON.parse(carry); n++; }
  return n;
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
  return {
    events: parsed,
    fileMb: Math.round(mb),
    parseOnlyPerSec: Math.round(parsed / parseSec),
    ingestPerSec: Math.round(result.ingested / ingestSec),
    ratio: +(ingestSec / parseSec).toFixed(2),
    ingestSeconds: +ingestSec.toFixed(1),
    peakRssMb,
    peakAnonMb,
    dbPath,
  };
}
