/**
 * `correlate`: for one key, every `require` condition met within `window` (inclusive at both ends).
 *
 * Each condition must be met by a *distinct signal* (see signals.ts): paired reasons count once, while one anomaly
 * with two unrelated reasons can meet two conditions. A firing is decided at each timestamp where a matching event
 * arrives and the window ending there is complete; the firing holds the window's matching events.
 *
 * Memory per key: the latest k candidates per condition (k = number of conditions, enough to find distinct
 * representatives when they exist) plus the matching events inside the window (capped).
 */
import type { CompiledRule } from '../compiled.ts';
import type { Predicate } from '../conditions.ts';
import type { EventView } from '../event-view.ts';
import { signalGroups } from '../signals.ts';
import { maxSeverity } from './severity.ts';
import { TRIGGER, type Firing, type Horizons, type KeyEvaluator } from './types.ts';

/** Most matching events a firing keeps (the oldest are dropped first). */
const MAX_WINDOW_EVENTS = 200;

interface Candidate {
  ts: number;
  /** Signal identity: event id and signal index. */
  sig: string;
}

/**
 * A correlation depends on the window before each firing, nothing after it.
 *
 * @example correlateHorizons(3600) // { history: 3600, forward: 0 }
 */
export function correlateHorizons(window: number): Horizons {
  return { history: window, forward: 0 };
}

/** Is there an assignment of distinct signals to every condition? (k is small: plain backtracking.) */
function distinctRepresentatives(cands: Candidate[][]): boolean {
  const used = new Set<string>();
  const pick = (i: number): boolean => {
    if (i === cands.length) return true;
    for (const c of cands[i]!) {
      if (used.has(c.sig)) continue;
      used.add(c.sig);
      if (pick(i + 1)) return true;
      used.delete(c.sig);
    }
    return false;
  };
  return pick(0);
}

class CorrelateEvaluator implements KeyEvaluator {
  lastTs = 0;
  private readonly cands: Candidate[][];
  private readonly windowEvents: EventView[] = [];
  private pendingTs = -Infinity;
  private pending = false;

  constructor(
    private readonly rule: CompiledRule,
    private readonly conds: Predicate[],
    private readonly names: string[],
    private readonly window: number,
  ) {
    this.cands = conds.map(() => []);
  }

  push(v: EventView, roles: number, out: Firing[]): void {
    if (!(roles & TRIGGER)) return;
    const ts = v.norm.ts;
    if (ts > this.pendingTs) {
      this.decide(out);
      this.pendingTs = ts;
    }
    this.lastTs = ts;
    const signals = v.reasons.length > 1 ? signalGroups(v.reasons).map((g) => v.withReasons(g)) : [v];
    const k = this.conds.length;
    let matched = false;
    for (let s = 0; s < signals.length; s++) {
      for (let c = 0; c < k; c++) {
        if (!this.conds[c]!(signals[s]!)) continue;
        const list = this.cands[c]!;
        list.push({ ts, sig: `${v.norm.id}#${s}` });
        if (list.length > k) list.shift();
        matched = true;
      }
    }
    if (!matched) return;
    this.windowEvents.push(v);
    if (this.windowEvents.length > MAX_WINDOW_EVENTS) this.windowEvents.shift();
    this.pending = true;
  }

  /** Decide the firing for the pending timestamp, now that all its events are in. */
  private decide(out: Firing[]): void {
    if (!this.pending) return;
    this.pending = false;
    const lo = this.pendingTs - this.window;
    for (const list of this.cands) while (list.length && list[0]!.ts < lo) list.shift();
    while (this.windowEvents.length && this.windowEvents[0]!.norm.ts < lo) this.windowEvents.shift();
    if (this.cands.some((l) => l.length === 0) || !distinctRepresentatives(this.cands)) return;
    const events = this.windowEvents.slice();
    out.push({
      anchor: this.pendingTs,
      events,
      severity: maxSeverity(this.rule, events),
      facts: { window: this.window, conditions: this.names },
    });
  }

  flush(out: Firing[]): void {
    this.decide(out);
  }

  advance(now: number, out: Firing[]): void {
    if (this.pending && this.pendingTs < now) this.decide(out);
  }

  pendingAnchor(): number {
    return this.pending ? this.pendingTs : Infinity;
  }
}

/**
 * @example const ev = correlateEvaluator(rule, [uaAnomaly, volumeAnomaly], ['user_agent', 'data_volume'], 3600)
 */
export function correlateEvaluator(rule: CompiledRule, conds: Predicate[], names: string[], window: number): KeyEvaluator {
  return new CorrelateEvaluator(rule, conds, names, window);
}
