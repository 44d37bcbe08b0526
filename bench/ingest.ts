import { createReadStream, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ingestFile } from '../src/ingest/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { bigEventFile } from './data.ts';

/**
 * The process's resident memory split as Linux accounts it: anonymous (heaps, buffers: what the process itself
 * holds) and file-backed (pages of the database file that SQLite maps with mmap: the OS page cache, reclaimable).
 */
function rssParts(): { total: number; anon: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { total: kb('VmRSS'), anon: kb('RssAnon') };
  } catch {
    const rss = process.memoryUsage.rss();
    return { total: rss, anon: rss };
  }
}

/** Peak resident memory (total and anonymous) sampled every 50 ms while `f` runs. */
export async function withPeakRss<T>(f: () => Promise<T>): Promise<{ result: T; peakRssMb: number; peakAnonMb: number }> {
  let total = 0;
  let anon = 0;
  const sample = () => {
    const r = rssParts();
    total = Math.max(total, r.total);
    anon = Math.max(anon, r.anon);
  };
  sample();
  const timer = setInterval(sample, 50);
  try {
    const result = await f();
    sample();
    return { result, peakRssMb: Math.round(total / 1048576), peakAnonMb: Math.round(anon / 1048576) };
  } finally {
    clearInterval(timer);
  }
}

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
