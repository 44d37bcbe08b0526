/**
 * `threshold`: count a key's matching events per fixed bucket (with an optional baseline from the key's own past
 * buckets) or in a sliding window ending at each event.
 *
 * Baseline: the counts of the `lookback` buckets before the current one (empty buckets count 0). With fewer than
 * `min_history` non-empty buckets the key's history says too little and `fallback` is the limit; otherwise `max`
 * (the highest count) or `mean_stddev` (mean + k·σ). With `above` as well, the limit is the larger of the two.
 * Memory per key: one count per past bucket in the lookback (e.g. 30 numbers), plus the current bucket's events
 * (capped), whatever the number of events.
 */
import type { CompiledRule } from '../compiled.ts';
import type { EventView } from '../event-view.ts';
import type { ThresholdRuleDef } from '../rule-schema.ts';
import type { TimeZone } from '../time.ts';
import { PerSecondEvaluator } from './per-second.ts';
import { maxSeverity } from './severity.ts';
import { TRIGGER, type Firing, type Horizons, type KeyEvaluator } from './types.ts';

/** Most events a bucket or window keeps for the alert (the count stays exact). */
const MAX_KEPT = 500;

type ThresholdSpec = ThresholdRuleDef['threshold'];

/**
 * A bucket's firing depends on its baseline buckets before it and on the rest of its bucket after its anchor.
 *
 * @example thresholdHorizons({ window: 300, above: 10 }) // { history: 300, forward: 0 }
 */
export function thresholdHorizons(t: ThresholdSpec): Horizons {
  if (t.window !== undefined) return { history: t.window, forward: 0 };
  const bucket = t.bucket!;
  const lookback = t.baseline ? Math.ceil(t.baseline.lookback / bucket) * bucket : 0;
  // A day bucket in a time zone with DST can be 25 h long: add a day of slack on both sides.
  const slack = bucket >= 86400 ? 86400 : 0;
  return { history: lookback + bucket + slack, forward: bucket + slack };
}

export interface Limit {
  limit: number;
  basis: 'fixed' | 'baseline' | 'fallback';
  history?: { buckets: number; non_empty: number; max: number; mean: number };
}

/**
 * The limit for a bucket given the counts of the buckets before it.
 *
 * @example bucketLimit({ bucket: 86400, baseline: { method: 'max', lookback: 2592000, k: 3, min_history: 1, fallback: 3 } }, [0, 1, 0]) // { limit: 1, basis: 'baseline', ... }
 */
export function bucketLimit(t: ThresholdSpec, past: readonly number[]): Limit {
  if (!t.baseline) return { limit: t.above!, basis: 'fixed' };
  const b = t.baseline;
  const n = past.length;
  const nonEmpty = past.filter((c) => c > 0).length;
  const max = n ? Math.max(...past) : 0;
  const mean = n ? past.reduce((a, c) => a + c, 0) / n : 0;
  const history = { buckets: n, non_empty: nonEmpty, max, mean: Math.round(mean * 100) / 100 };
  let r: Limit;
  if (nonEmpty < b.min_history) {
    r = { limit: b.fallback, basis: 'fallback', history };
  } else if (b.method === 'max') {
    r = { limit: max, basis: 'baseline', history };
  } else {
    const sd = Math.sqrt(past.reduce((a, c) => a + (c - mean) ** 2, 0) / n);
    r = { limit: Math.round((mean + b.k * sd) * 100) / 100, basis: 'baseline', history };
  }
  if (t.above !== undefined && t.above > r.limit) r = { ...r, limit: t.above, basis: 'fixed' };
  return r;
}

/**
 * The index of the fixed bucket holding a time: whole days of the time zone (`1d`, `2d`...) or divisions of a day.
 *
 * @example bucketIndexer({ bucket: 86400, baseline }, tz)(ts) === tz.dayOf(ts)
 */
export function bucketIndexer(t: ThresholdSpec, tz: TimeZone): (ts: number) => number {
  const days = t.bucket! >= 86400 ? t.bucket! / 86400 : 0;
  return days ? (ts) => Math.floor(tz.dayOf(ts) / days) : (ts) => Math.floor(ts / t.bucket!);
}

/**
 * A key's limit for one bucket from its counts per bucket (`countOf`, 0 for a bucket without events): the
 * `lookback` buckets before it go to `bucketLimit`. The engine decides with it, and the user page charts it, so the
 * line a user's chart shows is the one their alerts were raised against (same lookback, fallback and time zone).
 *
 * @example limitAt(def.threshold, bucketIndexer(def.threshold, tz)(ts), (b) => perDay.get(b) ?? 0) // { limit: 3, basis: 'fallback', ... }
 */
export function limitAt(t: ThresholdSpec, bucket: number, countOf: (bucket: number) => number): Limit {
  const lookbackBuckets = t.baseline ? Math.ceil(t.baseline.lookback / t.bucket!) : 0;
  const past: number[] = [];
  for (let i = bucket - lookbackBuckets; i < bucket; i++) past.push(countOf(i));
  return bucketLimit(t, past);
}

class BucketEvaluator implements KeyEvaluator {
  lastTs = 0;
  private cur = Number.NaN;
  private count = 0;
  private events: EventView[] = [];
  /** Past bucket index → count, only the lookback's. */
  private readonly past = new Map<number, number>();
  private readonly days: number;
  private readonly lookbackBuckets: number;
  private readonly bucketOf: (ts: number) => number;

  constructor(
    private readonly rule: CompiledRule,
    private readonly t: ThresholdSpec,
    private readonly tz: TimeZone,
  ) {
    this.days = t.bucket! >= 86400 ? t.bucket! / 86400 : 0;
    this.lookbackBuckets = t.baseline ? Math.ceil(t.baseline.lookback / t.bucket!) : 0;
    this.bucketOf = bucketIndexer(t, tz);
  }

  push(v: EventView, roles: number, out: Firing[]): void {
    if (!(roles & TRIGGER)) return;
    this.lastTs = v.norm.ts;
    const b = this.bucketOf(v.norm.ts);
    if (b !== this.cur) {
      this.close(out);
      this.cur = b;
    }
    this.count++;
    if (this.events.length < MAX_KEPT) this.events.push(v);
  }

  private close(out: Firing[]): void {
    if (this.count === 0) return;
    const cur = this.cur;
    const lim = limitAt(this.t, cur, (i) => this.past.get(i) ?? 0);
    if (this.count > lim.limit) {
      out.push({
        anchor: this.events[0]!.norm.ts,
        events: this.events,
        severity: maxSeverity(this.rule, this.events),
        facts: { count: this.count, ...lim, bucket: this.days ? `${this.days}d` : `${this.t.bucket}s` },
      });
    }
    if (this.lookbackBuckets > 0) {
      this.past.set(cur, this.count);
      for (const k of this.past.keys()) if (k < cur - this.lookbackBuckets) this.past.delete(k);
    }
    this.count = 0;
    this.events = [];
  }

  flush(out: Firing[]): void {
    this.close(out);
    this.cur = Number.NaN;
  }

  advance(now: number, out: Firing[]): void {
    if (this.count === 0) return;
    const end = this.days ? this.tz.dayStart((this.cur + 1) * this.days) : (this.cur + 1) * this.t.bucket!;
    if (end <= now) this.flush(out);
  }

  pendingAnchor(): number {
    return this.count > 0 ? this.events[0]!.norm.ts : Infinity;
  }
}

class SlidingEvaluator extends PerSecondEvaluator {
  private readonly recent: EventView[] = [];
  private readonly keep: number;

  constructor(
    private readonly rule: CompiledRule,
    private readonly window: number,
    private readonly above: number,
  ) {
    super();
    this.keep = Math.max(MAX_KEPT, Math.floor(above) + 1);
  }

  protected add(v: EventView): boolean {
    this.recent.push(v);
    if (this.recent.length > this.keep) this.recent.shift();
    return true;
  }

  protected decideAt(at: number, out: Firing[]): void {
    const lo = at - this.window;
    while (this.recent.length && this.recent[0]!.norm.ts < lo) this.recent.shift();
    if (this.recent.length > this.above) {
      const events = this.recent.slice();
      out.push({
        anchor: at,
        events,
        severity: maxSeverity(this.rule, events),
        facts: { count: events.length, limit: this.above, basis: 'fixed', window: this.window },
      });
    }
  }
}

/**
 * @example const ev = thresholdEvaluator(rule, def.threshold, env.tz)
 */
export function thresholdEvaluator(rule: CompiledRule, t: ThresholdSpec, tz: TimeZone): KeyEvaluator {
  return t.window !== undefined ? new SlidingEvaluator(rule, t.window, t.above!) : new BucketEvaluator(rule, t, tz);
}
