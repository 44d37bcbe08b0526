/**
 * Replay benchmark (`npm run bench`): the built-in rule set over every stored event, next to the store's raw read
 * rate (the ceiling: a scan that does nothing with the events).
 */
import type { AlertStore } from '../alerts/types.ts';
import { defaultConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { Store } from '../store/types.ts';
import { createEngine } from './engine.ts';
import { withPeakRss } from '../util/memory.ts';
import { replayWithEngine } from './replay.ts';

export interface ReplayBench {
  events: number;
  /** Whole replay: evaluation plus storing the alerts with their context. */
  seconds: number;
  eventsPerSec: number;
  /** Evaluation alone (rules, suppression), without building context and writing alerts. */
  evaluateSeconds: number;
  evaluatePerSec: number;
  /** The store's own time-ordered scan (`scanEvents`: every column, raw text included); NaN with `reads: false`. */
  rawReadPerSec: number;
  /** The scan replay uses: the columns rules read, raw text left in the database until asked for (NaN likewise). */
  leanReadPerSec: number;
  /** eventsPerSec / rawReadPerSec. */
  ratio: number;
  alerts: number;
  peakRssMb: number;
  /** Anonymous memory (heaps, buffers) apart from database pages mapped by SQLite. */
  peakAnonMb: number;
}

/**
 * Measure a full replay of the store with the built-in rules (alerts go to `alerts`, no sinks).
 *
 * @example
 * const store = await openSqliteStore('bench/.data/ingest-bench.db');
 * const r = await benchReplay(store, { alerts: alertStoreFor(store) });
 * console.log(`${r.eventsPerSec} events/s, ${r.ratio} of the raw read rate`);
 */
export async function benchReplay(store: Store, opts: { alerts: AlertStore; config?: Config; reads?: boolean }): Promise<ReplayBench> {
  // The read rates (reference figures) take longer than the replay itself: `reads: false` skips them.
  let scanned = 0;
  let rawSeconds = Number.NaN;
  let leanSeconds = Number.NaN;
  let lean = 0;
  let t: number;
  if (opts.reads !== false) {
    t = performance.now();
    for await (const batch of store.scanEvents({ batchSize: 10_000 })) scanned += batch.length;
    rawSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    for await (const batch of store.detectionReads().scan(0, Number.MAX_SAFE_INTEGER, 10_000)) lean += batch.length;
    leanSeconds = (performance.now() - t) / 1000;
  }

  const config = opts.config ?? defaultConfig();
  const engine = createEngine(config, opts.alerts, { notifier: null });
  t = performance.now();
  const { result: report, peakRssMb, peakAnonMb } = await withPeakRss(() => replayWithEngine(store, engine, { collect: false }));
  const seconds = (performance.now() - t) / 1000;
  const events = report.events || scanned;
  const eventsPerSec = Math.round(events / seconds);
  const rawReadPerSec = Math.round(scanned / rawSeconds);
  return {
    events,
    seconds: +seconds.toFixed(2),
    eventsPerSec,
    evaluateSeconds: +report.seconds.evaluate.toFixed(2),
    evaluatePerSec: Math.round(events / report.seconds.evaluate),
    rawReadPerSec,
    leanReadPerSec: Math.round(lean / leanSeconds),
    ratio: +(eventsPerSec / rawReadPerSec).toFixed(2),
    alerts: report.counts.alerts,
    peakRssMb,
    peakAnonMb,
  };
}
