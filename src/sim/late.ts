/**
 * Late arrivals: Slack does not document its ingestion delay, and anomalies are produced by a pipeline after the act
 * (docs/slack-api.md 7.7). A late event keeps its old `date_create` but only becomes visible `delaySec` later, so a collector
 * that already moved past that second misses it unless it re-reads with overlap.
 */
import type { SimEvent } from './builders.ts';
import type { Rng } from './random.ts';

/**
 * Give a fraction of the events `visibleAt = date_create + delaySec`. Events whose id is in `exclude` (the story's)
 * and events that already have a `visibleAt` are never touched. Returns how many were marked.
 *
 * @example
 * markLate(events, 0.05, 1800, createRng(7).fork('late'), new Set(storyIds)); // about 5 % of events now arrive late
 */
export function markLate(events: SimEvent[], fraction: number, delaySec: number, rng: Rng, exclude: ReadonlySet<string> = new Set()): number {
  if (!(fraction > 0)) return 0;
  let marked = 0;
  for (const ev of events) {
    // Draw for every event so that which events are late does not depend on the exclusions.
    const late = rng.chance(fraction);
    if (!late || ev.visibleAt !== undefined || exclude.has(String(ev.event.id))) continue;
    const ts = Number(ev.event.date_create);
    if (!Number.isFinite(ts)) continue;
    ev.visibleAt = ts + delaySec;
    marked++;
  }
  return marked;
}

/**
 * Wrap a plain event object as a `SimEvent` (its raw text is `JSON.stringify`), or pass a `SimEvent` through.
 *
 * @example
 * toSimEvent({ id: 'a', date_create: 1, action: 'user_login' }).raw // '{"id":"a","date_create":1,"action":"user_login"}'
 */
export function toSimEvent(e: object): SimEvent {
  const o = e as Partial<SimEvent>;
  if (typeof o.raw === 'string' && o.event !== null && typeof o.event === 'object') {
    return o.visibleAt === undefined ? { event: o.event, raw: o.raw } : { event: o.event, raw: o.raw, visibleAt: o.visibleAt };
  }
  return { event: e as Record<string, unknown>, raw: JSON.stringify(e) };
}
