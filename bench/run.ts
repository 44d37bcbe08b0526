/**
 * `npm run bench`: throughput and latency figures, printed with their targets. Not a test: numbers vary with the
 * machine's load, so nothing here fails a build.
 *
 * Environment: BENCH_EVENTS (default 1000000), BENCH_DIR (default bench/.data).
 */
// First, as in the CLI: the same V8 settings the product runs with.
import '../src/util/v8-tuning.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { benchIngest } from './ingest.ts';
import { benchQueries } from './queries.ts';

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dir = process.env.BENCH_DIR ?? 'bench/.data';

console.log(`# gridwatch benchmarks (${events.toLocaleString('en')} events, node ${process.version})\n`);

const ing = await benchIngest(dir, events);
console.log('## ingest (parse, validate, normalise, store)');
console.log(`file: ${ing.fileMb} MB JSON Lines, ${ing.events} events`);
console.log(`JSON.parse only : ${ing.parseOnlyPerSec.toLocaleString('en')} events/s`);
console.log(`gridwatch ingest: ${ing.ingestPerSec.toLocaleString('en')} events/s (${ing.ingestSeconds} s)  target >= 100,000`);
console.log(`ratio           : ${ing.ratio}x the parse-only time  target <= 4x`);
console.log(`store alone     : ${ing.storeOnlyPerSec.toLocaleString('en')} events/s (SQLite writes and index builds only, events parsed outside the clock)`);
console.log(`peak memory     : ${ing.peakAnonMb} MB anonymous (heaps, buffers), ${ing.peakRssMb} MB RSS including database pages mapped by SQLite\n`);

const store = await openSqliteStore(ing.dbPath);
console.log('## events queries (one page of 100, newest first)  target: well under 100 ms');
for (const [name, r] of Object.entries(await benchQueries(store))) {
  console.log(`${name.padEnd(24)} p50 ${String(r.p50).padStart(7)} ms   p95 ${String(r.p95).padStart(7)} ms`);
}
console.log('');

try {
  const { benchReplay } = await import('../src/detect/bench.ts');
  const r = await benchReplay(store);
  console.log('## detection replay (built-in rules)');
  console.log(`store raw read : ${Math.round(r.rawReadPerSec).toLocaleString('en')} events/s (every column, raw JSON included)`);
  console.log(`lean scan      : ${Math.round(r.leanReadPerSec).toLocaleString('en')} events/s (the columns rules read, on the scan worker)`);
  console.log(`replay         : ${Math.round(r.eventsPerSec).toLocaleString('en')} events/s over ${r.events} events (${r.seconds.toFixed(1)} s)  target >= 250,000`);
  console.log(`ratio          : ${r.ratio.toFixed(2)} of the raw read rate`);
  console.log(`peak memory    : ${r.peakAnonMb} MB anonymous, ${r.peakRssMb} MB RSS including database pages mapped by SQLite`);
} catch (e) {
  console.log(`## detection replay: not run (${(e as Error).message})`);
}
await store.close();
console.log('');

const { benchHttp, webBundleReport } = await import('./http.ts');
console.log('## web UI and API over HTTP on loopback  target: p95 < 100 ms');
for (const [k, r] of Object.entries(await benchHttp(ing.dbPath))) {
  console.log(`${k.padEnd(32)} p50 ${String(r.p50).padStart(8)} ms   p95 ${String(r.p95).padStart(8)} ms`);
}
const w = webBundleReport();
console.log(
  w
    ? `first-load JS: ${(w.firstLoad.jsRaw / 1024).toFixed(1)} kB, ${(w.firstLoad.jsGzip / 1024).toFixed(1)} kB gzip (CSS ${(w.firstLoad.cssGzip / 1024).toFixed(1)} kB gzip)`
    : 'web app not built (npm run build:web)',
);
