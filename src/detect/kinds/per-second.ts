import type { EventView } from '../event-view.ts';
import { TRIGGER, type Firing, type KeyEvaluator } from './types.ts';

/**
 * The timing shared by evaluators that look back over a sliding window (correlate, sliding threshold): events of
 * one second are simultaneous, so the decision for a second is taken once every event of it is in, when a later
 * event arrives, time advances past it, or the input ends.
 *
 * @example
 * class Burst extends PerSecondEvaluator {
 *   protected add(v) { this.seen.push(v); return true; }
 *   protected decideAt(ts, out) { if (this.seen.length > 10) out.push(...); }
 * }
 */
export abstract class PerSecondEvaluator implements KeyEvaluator {
  lastTs = 0;
  private pendingTs = -Infinity;
  private pending = false;

  /** Take one triggering event; true when it can change the decision for its second. */
  protected abstract add(v: EventView): boolean;

  /** Decide for second `ts` (the window ending there is complete) and emit at most one firing. */
  protected abstract decideAt(ts: number, out: Firing[]): void;

  push(v: EventView, roles: number, out: Firing[]): void {
    if (!(roles & TRIGGER)) return;
    const ts = v.norm.ts;
    if (ts > this.pendingTs) {
      this.decide(out);
      this.pendingTs = ts;
    }
    this.lastTs = ts;
    if (this.add(v)) this.pending = true;
  }

  private decide(out: Firing[]): void {
    if (!this.pending) return;
    this.pending = false;
    this.decideAt(this.pendingTs, out);
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
