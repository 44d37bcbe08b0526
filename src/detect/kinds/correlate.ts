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
import { PerSecondEvaluator } from './per-second.ts';
import { maxSeverity } from './severity.ts';
import type { Firing, Horizons, KeyEvaluator } from './types.ts';

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

class CorrelateEvaluator extends PerSecondEvaluator {
  private readonly cands: Candidate[][];
  private readonly windowEvents: EventView[] = [];

  constructor(
    private readonly rule: CompiledRule,
    private readonly conds: Predicate[],
    private readonly names: string[],
    private readonly window: number,
  ) {
    super();
    this.cands = conds.map(() => []);
  }

  protected add(v: EventView): boolean {
    const ts = v.norm.ts;
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
    if (!matched) return false;
    this.windowEvents.push(v);
    if (this.windowEvents.length > MAX_WINDOW_EVENTS) this.windowEvents.shift();
    return true;
  }

  protected decideAt(at: number, out: Firing[]): void {
    const lo = at - this.window;
    for (const list of this.cands) while (list.length && list[0]!.ts < lo) list.shift();
    while (this.windowEvents.length && this.windowEvents[0]!.norm.ts < lo) this.windowEvents.shift();
    if (this.cands.some((l) => l.length === 0) || !distinctRepresentatives(this.cands)) return;
    const events = this.windowEvents.slice();
    out.push({
      anchor: at,
      events,
      severity: maxSeverity(this.rule, events),
      facts: { window: this.window, conditions: this.names },
    });
  }
}

/**
 * @example const ev = correlateEvaluator(rule, [uaAnomaly, volumeAnomaly], ['user_agent', 'data_volume'], 3600)
 */
export function correlateEvaluator(rule: CompiledRule, conds: Predicate[], names: string[], window: number): KeyEvaluator {
  return new CorrelateEvaluator(rule, conds, names, window);
}
