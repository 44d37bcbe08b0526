/**
 * The event-volume histogram of the Audit Logs view.
 *
 * Unfiltered (or action-only) histograms over more than a day read the hourly rollup (`store/ui-reads.ts`): thousands of
 * rows instead of millions of events. The partial hours at either end of the range are counted from the events
 * themselves, so the totals are exact. Histograms with other filters (actor, IP or network, session, entity, reason) group the
 * matching events directly: those filters go through an index and select few events. Free text is not applied to
 * the histogram (it would need a full scan); the answer says so. The bucket maths is here; the store only counts.
 */
import type { EventQuery } from '../store/types.ts';
import type { UiReads } from '../store/ui-reads.ts';
import type { Volume } from './api-types.ts';
import { bucketGrid } from './buckets.ts';
import { VolumeStack } from './volume-categories.ts';

/** Bucket widths offered, seconds: the smallest one giving at most the requested number of buckets is used. */
const WIDTHS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];
const HOUR = 3600;

/** The event filters of the histogram (the store's), plus free text (not applied) and the wanted number of buckets. */
export interface VolumeRequest extends Omit<EventQuery, 'limit' | 'before'> {
  text?: string;
  buckets: number;
}

/**
 * The histogram's range: the stored data's extent by default, and a requested range cut to it where it reaches past
 * either end (`since=0000-01-01` shows the data, not ten thousand empty years). A range entirely outside the data is
 * kept as asked: it is empty, and the bucket grid bounds its size.
 */
function clampToStored(extent: { firstHour: number; lastHour: number } | null, req: { since?: number; until?: number }, nowS: number): { since: number; until: number } {
  const hi = extent ? extent.lastHour * HOUR + HOUR - 1 : nowS;
  const lo = extent ? extent.firstHour * HOUR : hi - 86400 + 1;
  let since = req.since ?? lo;
  let until = req.until ?? (since > hi ? Math.max(since, nowS) : hi);
  if (extent && since <= hi && until >= lo) {
    since = Math.max(since, lo);
    until = Math.min(until, hi);
  }
  // An open end past the other one (since after the last event, until before the first): an empty range.
  if (since > until) since = until;
  return { since, until };
}

/**
 * Compute the histogram for a request. The range defaults to the stored data's extent and is cut to it; there are
 * never more than `buckets + 1` buckets. The UI's read models should have caught up first (`Rollups.catchUp`).
 *
 * @example
 * const v = await volume(store.uiReads(), { actions: ['file_downloaded'], buckets: 120 });
 * v.t.length === v.n.length // one count per bucket
 * v.categories // [{ category: 'file', n: [...] }, ...]: the same counts split by action category; v.anomalies marks anomalies
 */
export async function volume(reads: UiReads, req: VolumeRequest): Promise<Volume> {
  const { since, until } = clampToStored(await reads.volumeExtent(), req, Math.floor(Date.now() / 1000));
  const span = Math.max(1, until - since + 1);
  const { text: _text, buckets: _buckets, since: _since, until: _until, ...q } = req;
  const onlyActions = Object.entries(q).every(([k, v]) => k === 'actions' || v === undefined);
  // Past a day, an unfiltered histogram reads the rollup: buckets are at least an hour.
  const useRollup = onlyActions && span > 86400;
  const { width, first, count } = bucketGrid(since, until, req.buckets, WIDTHS, useRollup ? HOUR : 60);
  const t = Array.from({ length: count }, (_, i) => first + i * width);
  const stack = new VolumeStack(first, width, count);
  const add = stack.add.bind(stack);
  const fromEvents = async (lo: number, hi: number) => {
    if (lo <= hi) add(await reads.eventVolume({ ...q, since: lo, until: hi }, width));
  };

  if (useRollup) {
    // Whole hours inside [since, until] from the rollup; the partial hours at the ends from the events.
    const h0 = Math.ceil(since / HOUR);
    const h1 = Math.floor((until + 1) / HOUR) - 1;
    if (h0 <= h1) {
      add(await reads.hourlyVolume(h0, h1, width, req.actions));
      await fromEvents(since, h0 * HOUR - 1);
      await fromEvents((h1 + 1) * HOUR, until);
    } else {
      await fromEvents(since, until);
    }
  } else {
    await fromEvents(since, until);
  }
  const n = stack.totals();
  const total = n.reduce((a, b) => a + b, 0);
  return { since, until, bucket: width, t, n, total, source: useRollup ? 'rollup' : 'events', text_ignored: !!req.text, ...stack.stack() };
}
