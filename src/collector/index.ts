import { quarantineItem, quarantineOnce } from '../events/quarantine.ts';
import { validateEventText } from '../events/validate.ts';
import type { Checkpoint, IncomingEvent, QuarantineItem, Store } from '../store/types.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { MAX_PAGE_LIMIT, type AuditClient } from '../slack/audit-client.ts';
import { InvalidCursorError } from '../slack/errors.ts';
import { clientFaultsSince, noClientFaults } from '../slack/faults.ts';
import { actionChunks, canonicalFilters, checkpointKey, filterRecord, type CollectFilters } from './filters.ts';
import { addFaults, noFaults, runFaults, storedTotals, type FaultCounts, type FaultTotals } from './faults.ts';
import type { Progress } from './progress.ts';
import { backwardWindow, DAY_SEC, forwardWindow, WindowSizer, windowSeconds, type TimeWindow } from './windows.ts';

export { ANOMALIES_ONLY, checkpointKey, canonicalFilters, filterRecord, type CollectFilters } from './filters.ts';
export { formatProgress, type Progress } from './progress.ts';
export { formatFaults, noFaults, nonZeroFaults, type FaultCounts, type FaultTotals } from './faults.ts';
export { followLoop, type FollowOptions, type FollowSummary } from './follow.ts';
export { describeCheckpoints, type CheckpointStatus } from './status.ts';
export type { TimeWindow } from './windows.ts';

export const DEFAULT_SETTLE_SEC = 120;
export const DEFAULT_OVERLAP_SEC = 6 * 3600;
export const DEFAULT_PAGE_LIMIT = 5000;
export const DEFAULT_INITIAL_LOOKBACK_SEC = 30 * DAY_SEC;
export const DEFAULT_OVERLAP_EVERY_SEC = 3600;
/** Times a window (chunk) is re-read from its start after `invalid_cursor` before giving up. */
export const DEFAULT_MAX_CURSOR_RESTARTS = 5;

export interface CollectOptions {
  store: Store;
  client: AuditClient;
  filters?: CollectFilters;
  /** Unix seconds: collect from here (first run), or extend the covered range back to here (backfill). */
  since?: number;
  /** Unix seconds, inclusive: collect no later than this (always capped at now - settleSec). */
  until?: number;
  /** Seconds an event needs to settle before its second is considered complete (default 120). */
  settleSec?: number;
  /** Seconds before the covered range's end re-read on every run to catch late arrivals (default 6 h; 0 = none). */
  overlapSec?: number;
  /** `limit` per request (default 5000, max 9999). */
  pageLimit?: number;
  /** First run without `since`: how far back to start (default 30 days). */
  initialLookbackSec?: number;
  /** First window length in seconds (default 1 day; windows then adapt). */
  initialWindowSec?: number;
  /** Consecutive re-reads of a window after `invalid_cursor` before failing (default 5). */
  maxCursorRestarts?: number;
  clock?: Clock;
  onProgress?: (p: Progress) => void;
  /** Aborting stops the run at once; what is stored stays stored and the checkpoint covers only committed windows. */
  signal?: AbortSignal;
  /** Called with the ids each page inserted (after they are committed). An error thrown here stops the run. */
  onStored?: (insertedIds: string[]) => void | Promise<void>;
}

export interface CollectSummary {
  /** Entries received (new + duplicates + quarantined). */
  fetched: number;
  new: number;
  duplicates: number;
  quarantined: number;
  pages: number;
  /** Windows drained and committed. */
  windows: number;
  /** New events at or before the covered range's end at run start (found by the overlap re-read). */
  late: number;
  /** Windows re-read from their start after Slack rejected a cursor (`invalid_cursor`). */
  restarts: number;
  /** What went wrong on the way and was retried: the client's retries, 429s, 5xx, broken bodies; re-read windows. */
  faults: FaultCounts;
  checkpoint: { key: string; low: number | null; high: number | null };
  /** True when the signal stopped the run (the figures cover what was done). */
  aborted?: boolean;
}

/** What `lastRun` on a checkpoint holds. Times are Unix ms. */
export interface LastRun {
  startedAt: number;
  finishedAt?: number;
  running?: boolean;
  summary: Omit<CollectSummary, 'checkpoint'>;
  /** Faults over every run of this filter set (this one included) since `totals.since`. */
  totals?: FaultTotals;
  /** Error message when the run failed (never contains the token). */
  error?: string;
  errorName?: string;
  aborted?: boolean;
}


function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/**
 * Collect audit events for one filter set into the store, resumably.
 *
 * The checkpoint holds a contiguous covered range `[low, high]` (Unix seconds, inclusive). A run reads forwards from
 * `high + 1 - overlapSec` to `min(until, now - settleSec)` (the overlap catches late arrivals), then, when `since`
 * is older than `low`, backwards from `low - 1` down to `since`. Each window is drained with the cursor, every filter
 * repeated on every page; the window's last page is stored in the same transaction as the checkpoint update, so an
 * interruption at any moment loses nothing and never moves the checkpoint past unstored events.
 *
 * @example
 * const summary = await collect({ store, client, filters: { actions: ['anomaly'] } });
 * console.log(summary.new, summary.checkpoint);
 */
export async function collect(opts: CollectOptions): Promise<CollectSummary> {
  const { store, client, signal } = opts;
  const clock = opts.clock ?? systemClock;
  const filters = canonicalFilters(opts.filters);
  const key = checkpointKey(filters);
  const filterRec = filterRecord(filters);
  const settleSec = opts.settleSec ?? DEFAULT_SETTLE_SEC;
  const overlapSec = Math.max(0, opts.overlapSec ?? DEFAULT_OVERLAP_SEC);
  const pageLimit = Math.max(1, Math.min(MAX_PAGE_LIMIT, Math.floor(opts.pageLimit ?? DEFAULT_PAGE_LIMIT)));
  const lookback = opts.initialLookbackSec ?? DEFAULT_INITIAL_LOOKBACK_SEC;
  const maxRestarts = opts.maxCursorRestarts ?? DEFAULT_MAX_CURSOR_RESTARTS;
  const initialWindow = opts.initialWindowSec ?? DAY_SEC;
  const chunks = actionChunks(filters.actions);
  const source = `api:${client.baseUrl}`;

  const startedAt = clock.now();
  const nowSec = Math.floor(startedAt / 1000);
  const target = Math.min(opts.until ?? Number.POSITIVE_INFINITY, nowSec - settleSec);

  const stats = { fetched: 0, new: 0, duplicates: 0, quarantined: 0, pages: 0, windows: 0, late: 0, restarts: 0 };
  // The client may outlive this run (`--follow`): this run's faults are what its counters gained meanwhile.
  const clientFaultsAtStart = client.faultCounts?.() ?? noClientFaults();
  const faultsOf = (): FaultCounts => runFaults(clientFaultsSince(client.faultCounts?.() ?? noClientFaults(), clientFaultsAtStart), stats.restarts);
  const prior = await store.getCheckpoint(key);
  const priorTotals: FaultTotals = storedTotals(prior?.lastRun) ?? { ...noFaults(), since: startedAt };
  let cur: { low: number; high: number } | null = prior ? { low: prior.low, high: prior.high } : null;
  const highAtStart = prior ? prior.high : null;

  // Plan the two ranges.
  let fStart: number;
  if (prior) {
    fStart = prior.high + 1 - overlapSec;
    fStart = Math.max(fStart, prior.low);
    if (opts.since !== undefined) fStart = Math.max(fStart, opts.since);
    fStart = Math.min(fStart, prior.high + 1); // never leave a gap after the covered range
  } else {
    fStart = opts.since ?? nowSec - lookback;
  }
  const forwardLen = target >= fStart ? target - fStart + 1 : 0;
  const backEnd = prior ? prior.low - 1 : null;
  const backFloor = opts.since;
  const backLen = prior && backFloor !== undefined && backEnd! >= backFloor ? backEnd! - backFloor + 1 : 0;
  const rangeTotalSec = forwardLen + backLen;
  let rangeDoneSec = 0;

  let phase: Progress['phase'] = 'forward';
  let curWindow: TimeWindow | null = null;
  let windowPages = 0;
  let windowMinTs: number | null = null;

  const summaryOf = (): CollectSummary => ({ ...stats, faults: faultsOf(), checkpoint: { key, low: cur?.low ?? null, high: cur?.high ?? null } });
  const lastRunOf = (extra: Partial<LastRun>): LastRun => {
    const { checkpoint: _c, ...summary } = summaryOf();
    return { startedAt, summary, totals: addFaults(priorTotals, summary.faults), ...extra };
  };
  const progress = () => {
    if (!opts.onProgress) return;
    const elapsedMs = clock.now() - startedAt;
    let inWindow = 0;
    if (curWindow && windowMinTs !== null) {
      inWindow = Math.max(0, Math.min(windowSeconds(curWindow), curWindow.latest - Math.max(windowMinTs, curWindow.oldest)));
    }
    const done = Math.min(rangeTotalSec, rangeDoneSec + inWindow);
    opts.onProgress({
      key,
      phase,
      events: stats.fetched,
      new: stats.new,
      duplicates: stats.duplicates,
      quarantined: stats.quarantined,
      late: stats.late,
      pages: stats.pages,
      windows: stats.windows,
      window: curWindow,
      windowPages,
      rate: elapsedMs > 0 ? (stats.fetched * 1000) / elapsedMs : 0,
      rangeTotalSec,
      rangeDoneSec: done,
      etaSec: done > 0 ? ((rangeTotalSec - done) * elapsedMs) / done / 1000 : null,
      elapsedMs,
    });
  };

  /**
   * Drain one window for every action chunk; the last page of the last chunk carries `commit()`'s checkpoint.
   * Returns the most pages any chunk needed.
   */
  async function drainWindow(w: TimeWindow, countLate: boolean, commit: () => Checkpoint): Promise<number> {
    curWindow = w;
    windowPages = 0;
    windowMinTs = null;
    let maxPages = 0;
    for (let ci = 0; ci < chunks.length; ci++) {
      const action = chunks[ci];
      const lastChunk = ci === chunks.length - 1;
      let cursor = '';
      let page = 0;
      for (;;) {
        if (signal?.aborted) throw abortError(signal);
        const res = await client.getLogs(
          { oldest: w.oldest, latest: w.latest, limit: pageLimit, action, actor: filters.actor, entity: filters.entity, cursor: cursor || undefined },
          { signal },
        );
        page++;
        windowPages++;
        stats.pages++;
        stats.fetched += res.entries.length;

        const batch: IncomingEvent[] = [];
        const tsById = new Map<string, number>();
        const bad: QuarantineItem[] = [];
        for (const entry of res.entries) {
          const v = validateEventText(entry.raw);
          if (v.ok) {
            const norm = v.norm;
            batch.push({ raw: entry.raw, norm });
            tsById.set(norm.id, norm.ts);
            if (windowMinTs === null || norm.ts < windowMinTs) windowMinTs = norm.ts;
          } else {
            const position = `window ${w.oldest}-${w.latest} page ${page} entry ${entry.index}${action !== undefined && chunks.length > 1 ? ` chunk ${ci + 1}` : ''}`;
            bad.push(quarantineItem(source, position, v.reason, entry.raw));
          }
        }
        stats.quarantined += bad.length;
        // Overlap re-reads and cursor restarts see the same entry again: it is stored once (events/quarantine.ts).
        if (bad.length > 0) await quarantineOnce(store, bad, 'api', clock.now());

        const done = !res.nextCursor;
        const cp = done && lastChunk ? commit() : undefined;
        const r = await store.appendEvents(batch, cp);
        if (cp) cur = { low: cp.low, high: cp.high };
        stats.new += r.inserted;
        stats.duplicates += r.duplicates;
        if (countLate && highAtStart !== null) {
          for (const id of r.insertedIds) {
            const ts = tsById.get(id);
            if (ts !== undefined && ts <= highAtStart) stats.late++;
          }
        }
        if (r.insertedIds.length > 0 && opts.onStored) await opts.onStored(r.insertedIds);
        progress();
        if (done) break;
        cursor = res.nextCursor;
      }
      maxPages = Math.max(maxPages, page);
    }
    return maxPages;
  }

  /**
   * Drain a window; when Slack rejects the cursor (expired or lost), nothing of the window is committed yet, so the
   * window is abandoned and re-read from its start (no cursor; the store's dedupe makes it safe), half as long so
   * that it needs fewer pages and fits in a cursor's life even when the call budget makes the collector wait.
   * Returns null for "re-read"; gives up after `maxRestarts` consecutive rejections.
   */
  let restarts = 0;
  async function drainOrShrink(w: TimeWindow, sizer: WindowSizer, countLate: boolean, commit: () => Checkpoint): Promise<number | null> {
    try {
      const pages = await drainWindow(w, countLate, commit);
      restarts = 0;
      return pages;
    } catch (e) {
      if (!(e instanceof InvalidCursorError) || restarts >= maxRestarts || signal?.aborted) throw e;
      restarts++;
      stats.restarts++;
      sizer.size = Math.max(1, Math.floor(windowSeconds(w) / 2));
      return null;
    }
  }

  const checkpointWith = (low: number, high: number): Checkpoint => ({
    key,
    filters: filterRec,
    low,
    high,
    updatedAt: clock.now(),
    lastRun: lastRunOf({ running: true }) as unknown as Record<string, unknown>,
  });

  try {
    // (1) Forward: new events, re-reading the overlap.
    phase = 'forward';
    const fSizer = new WindowSizer(initialWindow);
    for (let pos = fStart; ; ) {
      const w = forwardWindow(pos, target, fSizer.size);
      if (!w) break;
      const pages = await drainOrShrink(w, fSizer, true, () => (cur ? checkpointWith(cur.low, Math.max(cur.high, w.latest)) : checkpointWith(w.oldest, w.latest)));
      if (pages === null) continue; // re-read from the same start with a shorter window
      stats.windows++;
      rangeDoneSec += windowSeconds(w);
      fSizer.update(pages, windowSeconds(w));
      pos = w.latest + 1;
    }
    // (2) Backfill: older than the covered range, walking backwards so that the range stays contiguous.
    if (cur && backFloor !== undefined && cur.low - 1 >= backFloor) {
      phase = 'backfill';
      const bSizer = new WindowSizer(initialWindow);
      for (let end = cur.low - 1; ; ) {
        const w = backwardWindow(end, backFloor, bSizer.size);
        if (!w) break;
        const pages = await drainOrShrink(w, bSizer, false, () => checkpointWith(Math.min(cur!.low, w.oldest), cur!.high));
        if (pages === null) continue; // re-read from the same end with a shorter window
        stats.windows++;
        rangeDoneSec += windowSeconds(w);
        bSizer.update(pages, windowSeconds(w));
        end = w.oldest - 1;
      }
    }
    phase = 'done';
    curWindow = null;
    progress();
    await recordLastRun(lastRunOf({ finishedAt: clock.now() }));
    return summaryOf();
  } catch (e) {
    curWindow = null;
    if (signal?.aborted) {
      await recordLastRun(lastRunOf({ finishedAt: clock.now(), aborted: true })).catch(() => undefined);
      return { ...summaryOf(), aborted: true };
    }
    const err = e as Error;
    await recordLastRun(lastRunOf({ finishedAt: clock.now(), error: err?.message ?? String(e), errorName: err?.name })).catch(() => undefined);
    throw e;
  }

  async function recordLastRun(lastRun: LastRun): Promise<void> {
    const cp = await store.getCheckpoint(key);
    if (!cp) return; // nothing committed yet: the error reaches the caller, there is no range to annotate
    await store.putCheckpoint({ ...cp, updatedAt: clock.now(), lastRun: lastRun as unknown as Record<string, unknown> });
  }
}

