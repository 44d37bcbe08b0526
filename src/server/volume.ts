/**
 * The event-volume histogram of the Audit Logs view.
 *
 * Unfiltered (or action-only) histograms over more than a day read the hourly rollup (`rollup.ts`): thousands of
 * rows instead of millions of events. The partial hours at either end of the range are counted from the events
 * themselves, so the totals are exact. Histograms with other filters (actor, IP, session, entity, reason) group the
 * matching events directly: those filters go through an index and select few events. Free text is not applied to
 * the histogram (it would need a full scan); the answer says so.
 */
import type Database from 'better-sqlite3';
import { buildEventWhere } from '../store/sqlite/query.ts';
import type { EventQuery } from '../store/types.ts';
import type { Volume } from './api-types.ts';
import { bucketGrid } from './buckets.ts';
import type { Rollups } from './rollup.ts';

/** Bucket widths offered, seconds: the smallest one giving at most the requested number of buckets is used. */
const WIDTHS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];
const HOUR = 3600;

/** The event filters of the histogram (the store's), plus free text (not applied) and the wanted number of buckets. */
export interface VolumeRequest extends Pick<EventQuery, 'actions' | 'actor' | 'entity' | 'ip' | 'session' | 'reason' | 'since' | 'until'> {
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
 * never more than `buckets + 1` buckets.
 *
 * @example
 * const v = volume(store.db, rollups, { actions: ['file_downloaded'], buckets: 120 });
 * v.t.length === v.n.length // one count per bucket
 */
export function volume(db: Database.Database, rollups: Rollups, req: VolumeRequest): Volume {
  const { since, until } = clampToStored(rollups.extent(), req, Math.floor(Date.now() / 1000));
  const span = Math.max(1, until - since + 1);
  const onlyActions = !req.actor && !req.entity && !req.ip && !req.session && !req.reason;
  // Past a day, an unfiltered histogram reads the rollup: buckets are at least an hour.
  const useRollup = onlyActions && span > 86400;
  const { width, first, count } = bucketGrid(since, until, req.buckets, WIDTHS, useRollup ? HOUR : 60);
  const t = Array.from({ length: count }, (_, i) => first + i * width);
  const n = new Array<number>(count).fill(0);
  const add = (bucketStart: number, k: number) => {
    const i = Math.floor((bucketStart - first) / width);
    if (i >= 0 && i < count) n[i]! += k;
  };
  const q: EventQuery = { actions: req.actions, actor: req.actor, entity: req.entity, ip: req.ip, session: req.session, reason: req.reason };

  const fromEvents = (lo: number, hi: number) => {
    if (lo > hi) return;
    const { where, params } = buildEventWhere({ ...q, since: lo, until: hi });
    const rows = db
      .prepare(`SELECT CAST(e.ts / @w AS INTEGER) * @w AS b, count(*) AS k FROM events e ${where} GROUP BY b`)
      .all({ ...params, w: width }) as Array<{ b: number; k: number }>;
    for (const r of rows) add(r.b, r.k);
  };

  if (useRollup) {
    // Whole hours inside [since, until] from the rollup; the partial hours at the ends from the events.
    const h0 = Math.ceil(since / HOUR);
    const h1 = Math.floor((until + 1) / HOUR) - 1;
    if (h0 <= h1) {
      const params: Record<string, unknown> = { h0, h1, w: width };
      let actionClause = '';
      if (req.actions?.length) {
        actionClause = `AND action IN (${req.actions.map((a, i) => ((params[`a${i}`] = a), `@a${i}`)).join(', ')})`;
      }
      const rows = db
        .prepare(`SELECT CAST((hour * 3600) / @w AS INTEGER) * @w AS b, sum(n) AS k FROM ui_volume_hourly WHERE hour BETWEEN @h0 AND @h1 ${actionClause} GROUP BY b`)
        .all(params) as Array<{ b: number; k: number }>;
      for (const r of rows) add(r.b, r.k);
      fromEvents(since, h0 * HOUR - 1);
      fromEvents((h1 + 1) * HOUR, until);
    } else {
      fromEvents(since, until);
    }
  } else {
    fromEvents(since, until);
  }
  const total = n.reduce((a, b) => a + b, 0);
  return { since, until, bucket: width, t, n, total, source: useRollup ? 'rollup' : 'events', text_ignored: !!req.text };
}
