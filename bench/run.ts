/**
 * `npm run bench [-- --backend sqlite|postgres|both]`: throughput and latency figures, printed with their targets,
 * side by side per backend, each with its ratio to the 1M-event figure when run at another size. Not a test: numbers
 * vary with the machine's load, so nothing here fails a build.
 *
 * Environment: BENCH_EVENTS (default 1000000), BENCH_DIR (default bench/.data), BENCH_REPLAY_RUNS (default 3),
 * BENCH_BACKEND (sqlite, postgres or both; the flag wins), GRIDWATCH_BENCH_PG (a PostgreSQL server to use instead of
 * a throwaway cluster). A run at 1,000,000 events stores each backend's figures in BENCH_DIR/baseline-<backend>.json.
 */
// First, as in the CLI: the same V8 settings the product runs with.
import '../src/util/v8-tuning.ts';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import type { ReplayBench } from '../src/detect/bench.ts';
import { openStore } from '../src/store/index.ts';
import { backendsOf, storeSource, type Backend } from './backends.ts';
import { bigEventFile } from './data.ts';
import { Figures } from './figures.ts';
import { benchIngest, benchParse } from './ingest.ts';
import { benchQueries } from './queries.ts';

/**
 * Run `bench/replay.ts` `n` times, each in a fresh process with this process's Node flags (a cold start, like
 * `gridwatch detect`); the first run also measures the read rates.
 */
function replayRuns(location: string, n: number): ReplayBench[] {
  const out: ReplayBench[] = [];
  for (let i = 0; i < n; i++) {
    const args = [...process.execArgv, new URL('./replay.ts', import.meta.url).pathname, location, ...(i === 0 ? ['--reads'] : [])];
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
const backends = backendsOf(process.argv.slice(2), process.env);
const figures = new Figures();

console.log(`# gridwatch benchmarks (${events.toLocaleString('en')} events, node ${process.version}, ${backends.join(' and ')})\n`);
const file = await bigEventFile(dir, events);
const parse = await benchParse(file);
const rawBytes = statSync(file).size;
console.log(`file: ${parse.mb} MB JSON Lines, ${parse.events} events, ${Math.round(rawBytes / parse.events)} bytes per event`);
console.log(`JSON.parse only: ${parse.perSec.toLocaleString('en')} events/s (the ceiling for any importer)\n`);

async function benchBackend(backend: Backend): Promise<void> {
  const add = (name: string, value: number, unit: string, target?: string) => figures.add(backend, name, value, unit, target);
  const source = await storeSource(backend, dir);
  try {
    console.log(`## ${backend}: ingest (parse, validate, normalise, store)`);
    const ing = await benchIngest(file, source);
    add('ingest', ing.ingestPerSec, 'events/s', '>= 100,000');
    add('ingest / parse-only time', +(ing.ingestSeconds / parse.seconds).toFixed(2), 'x', '<= 4');
    add('store alone', ing.storeOnlyPerSec, 'events/s');
    add('ingest / store alone', +(ing.ingestPerSec / ing.storeOnlyPerSec).toFixed(2), 'x', '>= 0.9');
    add('ingest peak memory', ing.peakAnonMb, 'MB anon');
    const bytes = await source.bytesOnDisk(ing.location);
    add('bytes on disk per event', Math.round(bytes / ing.events), 'bytes', `raw JSON ${Math.round(rawBytes / parse.events)}`);
    add('disk / raw JSON', +(bytes / rawBytes).toFixed(2), 'x');
    console.log(`${ing.ingestPerSec.toLocaleString('en')} events/s; store alone ${ing.storeOnlyPerSec.toLocaleString('en')} events/s; ${Math.round(bytes / ing.events)} bytes per event on disk`);

    console.log(`## ${backend}: events queries (one page of 100, newest first)`);
    const store = await openStore(ing.location);
    try {
      for (const [name, r] of Object.entries(await benchQueries(store))) add(`query ${name} p95`, r.p95, 'ms', '< 100');
    } finally {
      await store.close();
    }

    console.log(`## ${backend}: detection replay (built-in rules, median of ${REPLAY_RUNS} fresh processes)`);
    try {
      const runs = replayRuns(ing.location, REPLAY_RUNS);
      const median = [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[Math.floor(runs.length / 2)]!;
      add('store raw read', runs[0]!.rawReadPerSec, 'events/s');
      add('lean scan', runs[0]!.leanReadPerSec, 'events/s');
      add('replay', median.eventsPerSec, 'events/s', '>= 250,000');
      add('replay peak memory', median.peakAnonMb, 'MB anon');
      console.log(`runs: ${runs.map((r) => r.eventsPerSec.toLocaleString('en')).join(', ')} events/s; ${median.alerts} alerts`);
    } catch (e) {
      console.log(`replay not run (${(e as Error).message})`);
    }

    console.log(`## ${backend}: web UI and API over HTTP on loopback`);
    try {
      const { benchHttp } = await import('./http.ts');
      for (const [k, r] of Object.entries(await benchHttp(ing.location))) {
        const once = k === 'search index build' || k === 'server start';
        add(once ? k : `http ${k} p95`, r.p95, 'ms', k === 'server start' ? '< 2,000' : once ? '' : '< 100');
      }
    } catch (e) {
      console.log(`HTTP not run (${(e as Error).message})`);
    }
    console.log('');
  } finally {
    await source.close();
  }
}

for (const b of backends) {
  try {
    await benchBackend(b);
  } catch (e) {
    console.log(`${b}: not run (${(e as Error).message})\n`);
  }
}

console.log(`## figures (${events.toLocaleString('en')} events)`);
console.log(figures.table(figures.baselines(dir, events)));
const { webBundleReport } = await import('./http.ts');
const w = webBundleReport();
console.log(
  w
    ? `\nfirst-load JS: ${(w.firstLoad.jsRaw / 1024).toFixed(1)} kB, ${(w.firstLoad.jsGzip / 1024).toFixed(1)} kB gzip (CSS ${(w.firstLoad.cssGzip / 1024).toFixed(1)} kB gzip)`
    : '\nweb app not built (npm run build:web)',
);
