/**
 * Replay: run the enabled rules over a stored time range and make the stored alerts of those days exactly what the
 * rules say (`gridwatch detect --since 30d`).
 */
import type { Alert, AlertDraft, ReplaceResult } from '../alerts/types.ts';
import type { HistoryFields } from '../events/schema.ts';
import type { Store } from '../store/types.ts';
import { recentActions, RELATED_MARGIN } from '../alerts/context.ts';
import { DayUsage } from '../alerts/history.ts';
import { RecentTape } from '../alerts/recent-tape.ts';
import { contextLookBack, toDrafts, type ScannedHistory } from './drafts.ts';
import { evaluateDays, type Engine } from './engine.ts';
import type { GroupedAlert } from './grouping.ts';

export interface ReplayRunOptions {
  since?: number;
  until?: number;
  onProgress?: (events: number) => void;
  /** Keep the alerts (and created/updated lists) in the report (default true; false for huge replays). */
  collect?: boolean;
}

export interface ReplayReport {
  /** The alerts of the replayed days, as stored, oldest first (empty with `collect: false`). */
  alerts: Alert[];
  result: ReplaceResult;
  counts: { alerts: number; created: number; updated: number };
  /** Events read (including the history read before the range). */
  events: number;
  days: { from: number; to: number };
  seconds: { evaluate: number; store: number };
}

/** Oldest stored event time, or null for an empty store. */
async function oldestEventTime(store: Store): Promise<number | null> {
  for await (const batch of store.scanEvents({ batchSize: 1 })) return batch[0]?.norm.ts ?? null;
  return null;
}

/**
 * Turn grouped alerts into drafts (title, context), in a stable order.
 *
 * @example const drafts = await draftsOf(store, engine, grouped)
 */
export async function draftsOf(store: Store, engine: Engine, grouped: readonly GroupedAlert[], history?: ScannedHistory): Promise<AlertDraft[]> {
  const drafts = await toDrafts(store, engine.env, grouped, history);
  return drafts.sort((a, b) => a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1));
}

/**
 * Hand every alert version not yet delivered to the notifier (sinks). A failure leaves them pending for next time.
 *
 * @example await notifyPending(engine)
 */
export async function notifyPending(engine: Engine): Promise<void> {
  if (!engine.notifier) return;
  for (;;) {
    const pending = await engine.alerts.pendingNotifications(500);
    if (pending.length === 0) return;
    try {
      await engine.notifier.deliver(pending);
    } catch (e) {
      engine.log(`alert delivery failed, will retry on the next run: ${(e as Error).message}`);
      return;
    }
    await engine.alerts.markNotified(pending.map((a) => ({ id: a.id, version: a.version })));
    if (pending.length < 500) return;
  }
}

/**
 * Replay the enabled rules over [since, until] with an assembled engine (its alert store and notifier wired by the
 * caller: `cli/compose.ts`), store the alerts and report those of the replayed days.
 *
 * @example const report = await replayWithEngine(store, engine, { since: now - 30 * 86400 })
 */
export async function replayWithEngine(store: Store, engine: Engine, opts: ReplayRunOptions = {}): Promise<ReplayReport> {
  const counts = { alerts: 0, created: 0, updated: 0 };
  const since = opts.since ?? (await oldestEventTime(store));
  const until = opts.until ?? (await store.newestEventTime());
  const empty: ReplaceResult = { created: [], updated: [], removed: [], unchanged: 0 };
  if (since === null || until === null || until < since) {
    return { alerts: [], result: empty, counts, events: 0, days: { from: 0, to: -1 }, seconds: { evaluate: 0, store: 0 } };
  }
  const tz = engine.env.tz;
  const days = { from: tz.dayOf(since), to: tz.dayOf(until) };
  const rules = engine.rules.map((r) => r.id);
  const result: ReplaceResult = { created: [], updated: [], removed: [], unchanged: 0 };
  const stored: Alert[] = [];
  let storeMs = 0;
  const t0 = performance.now();
  // Alert context's history, collected from the scan itself instead of read back from the store: each user's day
  // usage over the month, and the recent events around alerts (the tape).
  const usage = new DayUsage();
  const observe = (h: HistoryFields) => usage.add(h, tz.dayOf(h.ts));
  const contextActions = recentActions(true);
  const tape = new RecentTape(contextActions, store.detectionReads());
  // What alerts of later days can still ask of the tape: their day, the day before, and the rules' longest look back.
  const keep = 2 * 86400 + contextLookBack(engine.rules);
  let nextDay = days.from;
  // A day's alerts are stored while the scan goes on with the next days: one write in flight at a time, in order
  // (their scopes are disjoint), every one awaited before the replay returns. On PostgreSQL the server inserts while
  // this process evaluates (10M events: 32 s of alert writes); on SQLite the write runs here anyway.
  let writing: Promise<void> = Promise.resolve();
  const storeDay = async (from: number, to: number, drafts: AlertDraft[]) => {
    const scope = { rules, periodFrom: from, periodTo: to };
    const r = await engine.alerts.replace(scope, drafts, engine.now());
    result.unchanged += r.unchanged;
    result.removed.push(...r.removed);
    counts.created += r.created.length;
    counts.updated += r.updated.length;
    counts.alerts += drafts.length;
    if (opts.collect !== false) {
      result.created.push(...r.created);
      result.updated.push(...r.updated);
      const ids = new Set(drafts.map((x) => x.id));
      stored.push(...(await engine.alerts.inScope(scope)).filter((a) => ids.has(a.id)));
    }
  };
  const evaluating = evaluateDays(store, engine, days.from, days.to, async (grouped, from, to) => {
    const t = performance.now();
    const drafts = await draftsOf(store, engine, grouped, { usage, recent: tape });
    usage.pruneBefore(to + 1 - engine.config.detect.context_days);
    nextDay = to + 1;
    await writing;
    writing = storeDay(from, to, drafts);
    // Not left unobserved while the scan goes on: the next day (or the end) awaits it and sees its error.
    writing.catch(() => {});
    storeMs += performance.now() - t;
  }, {
    onProgress: opts.onProgress,
    observe,
    historyDays: engine.config.detect.context_days,
    onPage: (p) => {
      tape.add(p);
      // Also while the scan reads the history before the first day (weeks of it for `detect --since 7d`).
      tape.pruneBefore(tz.dayStart(nextDay) - keep);
    },
    scan: { carryEntityOf: contextActions },
    // An alert's related events reach an hour past its last event: wait for the scan to pass them.
    settleMargin: RELATED_MARGIN,
  });
  // A failed scan still lets the write in flight finish before the caller closes the store.
  const { events } = await evaluating.catch(async (e: unknown) => {
    await writing.catch(() => {});
    throw e;
  });
  const t = performance.now();
  await writing;
  storeMs += performance.now() - t;
  await notifyPending(engine);
  const total = (performance.now() - t0) / 1000;
  stored.sort((a, b) => a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1));
  return { alerts: stored, result, counts, events, days, seconds: { evaluate: total - storeMs / 1000, store: storeMs / 1000 } };
}
