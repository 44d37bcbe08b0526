/**
 * Resident memory as Linux accounts it: anonymous (heaps, buffers: what the process itself holds) apart from
 * file-backed pages (the database file SQLite maps with mmap: the OS page cache, shared and reclaimable).
 */
import { readFileSync } from 'node:fs';

/**
 * Current resident memory, total and anonymous, in bytes (both the total where /proc is missing).
 *
 * @example rssParts().anon / 1048576
 */
export function rssParts(): { total: number; anon: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { total: kb('VmRSS'), anon: kb('RssAnon') };
  } catch {
    const rss = process.memoryUsage.rss();
    return { total: rss, anon: rss };
  }
}

/**
 * Run `f` while sampling resident memory every 50 ms; peaks in MB.
 *
 * @example const { result, peakAnonMb } = await withPeakRss(() => ingestFile(path, { store }))
 */
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
