/**
 * `npm run bench`: throughput and latency figures, printed with their targets. Not a test: numbers vary with the
 * machine's load, so nothing here fails a build.
 *
 * Environment: BENCH_EVENTS (default 1000000), BENCH_DIR (default bench/.data), BENCH_REPLAY_RUNS (default 3).
 */
// First, as in the CLI: the same V8 settings the product runs with.
import '../src/util/v8-tuning.ts';
import { spawnSync } from 'node:child_process';
import type { ReplayBench } from '../src/detect/bench.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { benchIngest } from './ingest.ts';
import { benchQueries } from './queries.ts';

/**
 * Run `bench/replay.ts` `n` times, each in a fresh process with this process's Node flags (a cold start, like
 * `gridwatch detect`); the first run also measures the read rates.
 */
function replayRuns(dbPath: string, n: number): ReplayBench[] {
  const out: ReplayBench[] = [];
  for (let i = 0; i < n; i++) {
    const args = [...process.execArgv, new URL('./replay.ts', import.meta.url).pathname, dbPath, ...(i === 0 ? ['--reads'] : [])];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`replay run failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
    out.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as ReplayBench);
  }
  return out;
}

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** Replays measured, each in its own process: the machine's speed drifts, the median is the figure. */
const REPLAY_RUNS = Number(process.env.BENCH_REPLAY_RUNS ?? 3);
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

await store.close();
console.log('## detection replay (built-in rules)');
try {
  const runs = replayRuns(ing.dbPath, REPLAY_RUNS);
  const median = [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[Math.floor(runs.length / 2)]!;
  const first = runs[0]!;
  console.log(`store raw read : ${first.rawReadPerSec.toLocaleString('en')} events/s (every column, raw JSON included)`);
  console.log(`lean scan      : ${first.leanReadPerSec.toLocaleString('en')} events/s (the columns rules read, on the scan worker)`);
  console.log(`replay         : ${median.eventsPerSec.toLocaleString('en')} events/s over ${median.events} events (${median.seconds.toFixed(1)} s), median of ${runs.length} runs  target >= 250,000`);
  console.log(`runs           : ${runs.map((r) => r.eventsPerSec.toLocaleString('en')).join(', ')} events/s (each in a fresh process, as \`gridwatch detect\` runs)`);
  console.log(`ratio          : ${(median.eventsPerSec / first.rawReadPerSec).toFixed(2)} of the raw read rate, ${(median.eventsPerSec / first.leanReadPerSec).toFixed(2)} of the lean scan`);
  console.log(`peak memory    : ${median.peakAnonMb} MB anonymous, ${median.peakRssMb} MB RSS including database pages mapped by SQLite`);
} catch (e) {
  console.log(`not run (${(e as Error).message})`);
}
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
