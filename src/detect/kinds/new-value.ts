/**
 * `new_value`: an event the rule fires on carries a value (IP, /24, ASN, user-agent family...) the key has not shown
 * in [t - lookback, t - grace). The grace keeps an attacker's own activity just before the anomaly (downloads from
 * the new IP minutes earlier) from making the IP look known.
 *
 * History is kept exactly but compactly: per (key, value), the first and last time seen in each bucket of
 * b = min(1 day, lookback - grace). Because b ≤ lookback - grace, the two ends of the history interval fall in
 * different buckets, so min/max per bucket answer "seen in [lo, hi)?" exactly; memory is at most lookback / b + 1
 * buckets per value, whatever the number of events.
 */
import type { CompiledRule } from '../compiled.ts';
import type { Getter } from '../conditions.ts';
import type { EventView } from '../event-view.ts';
import { maxSeverity } from './severity.ts';
import { HISTORY, TRIGGER, type Firing, type Horizons, type KeyEvaluator } from './types.ts';

/**
 * A new value depends on the lookback before the event.
 *
 * @example newValueHorizons(30 * 86400) // { history: 2592000, forward: 0 }
 */
export function newValueHorizons(lookback: number): Horizons {
  return { history: lookback, forward: 0 };
}

/** Per-value history: parallel arrays of bucket index, first and last time seen, oldest first. */
class Seen {
  idx: number[] = [];
  min: number[] = [];
  max: number[] = [];

  add(ts: number, b: number, oldest: number): void {
    const i = Math.floor(ts / b);
    const n = this.idx.length;
    if (n && this.idx[n - 1] === i) {
      if (ts < this.min[n - 1]!) this.min[n - 1] = ts;
      if (ts > this.max[n - 1]!) this.max[n - 1] = ts;
      return;
    }
    this.idx.push(i);
    this.min.push(ts);
    this.max.push(ts);
    // Only a new bucket adds memory, so pruning then bounds it; `seenIn` ignores buckets outside its interval anyway.
    this.prune(oldest, b);
  }

  prune(oldest: number, b: number): void {
    let drop = 0;
    while (drop < this.idx.length && (this.idx[drop]! + 1) * b <= oldest) drop++;
    if (drop) {
      this.idx.splice(0, drop);
      this.min.splice(0, drop);
      this.max.splice(0, drop);
    }
  }

  /** Was the value seen at a time in [lo, hi)? Exact when hi - lo ≥ b. */
  seenIn(lo: number, hi: number, b: number): { seen: boolean; last?: number } {
    let found: number | undefined;
    for (let j = 0; j < this.idx.length; j++) {
      const bs = this.idx[j]! * b;
      const be = bs + b;
      if (be <= lo || bs >= hi) continue;
      if (bs >= lo && be <= hi) found = this.max[j];
      else if (bs < lo && this.max[j]! >= lo) found = Math.min(this.max[j]!, hi - 1);
      else if (be > hi && this.min[j]! < hi) found = this.min[j];
    }
    return found === undefined ? { seen: false } : { seen: true, last: found };
  }

  get newest(): number {
    return this.max.length ? this.max[this.max.length - 1]! : -Infinity;
  }
}

class NewValueEvaluator implements KeyEvaluator {
  lastTs = 0;
  private readonly seen = new Map<string, Seen>();
  /** The value recorded last and its history: a key's events mostly repeat its value (one IP for hours). */
  private lastValue: string | null = null;
  private lastSeen: Seen | null = null;
  private readonly b: number;
  private pushes = 0;

  constructor(
    private readonly rule: CompiledRule,
    private readonly value: Getter,
    private readonly lookback: number,
    private readonly grace: number,
  ) {
    this.b = Math.min(86400, lookback - grace);
  }

  push(v: EventView, roles: number, out: Firing[]): void {
    const raw = this.value(v);
    if (raw === null || raw === undefined || raw === '') return;
    const val = String(raw);
    const ts = v.norm.ts;
    if (roles & TRIGGER) {
      const hit = this.seen.get(val)?.seenIn(ts - this.lookback, ts - this.grace, this.b);
      if (!hit?.seen) {
        out.push({ anchor: ts, events: [v], severity: maxSeverity(this.rule, [v]), facts: { value: val, lookback: this.lookback, grace: this.grace } });
      }
    }
    this.record(val, ts, (roles & HISTORY) !== 0);
  }

  pushValue(value: string, ts: number): void {
    if (value !== '') this.record(value, ts, true);
  }

  private record(val: string, ts: number, history: boolean): void {
    this.lastTs = ts;
    if (history) {
      let s = val === this.lastValue ? this.lastSeen : this.seen.get(val);
      if (!s) this.seen.set(val, (s = new Seen()));
      this.lastValue = val;
      this.lastSeen = s;
      s.add(ts, this.b, ts - this.lookback);
    }
    // Now and then drop values not seen within the lookback, so a key's memory follows its recent values only.
    if (++this.pushes % 1024 === 0) {
      for (const [k, x] of this.seen) {
        if (x.newest >= ts - this.lookback) continue;
        this.seen.delete(k);
        if (x === this.lastSeen) this.lastValue = this.lastSeen = null;
      }
    }
  }

  flush(): void {}

  advance(): void {}

  pendingAnchor(): number {
    return Infinity;
  }
}

/**
 * @example const ev = newValueEvaluator(rule, fieldGetter('ip', env), 30 * 86400, 86400)
 */
export function newValueEvaluator(rule: CompiledRule, value: Getter, lookback: number, grace: number): KeyEvaluator {
  return new NewValueEvaluator(rule, value, lookback, grace);
}
