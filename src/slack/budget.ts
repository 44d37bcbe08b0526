import type { Clock } from '../util/clock.ts';
import { abortableSleep, type Sleep } from './retry.ts';

/**
 * Client-side sliding-window call budget: no more than `perMinute` calls in any `windowMs` (60 s) span.
 *
 * The Audit Logs API limit (~50 calls/min) is shared by every app of the Enterprise org, so gridwatch keeps below it
 * (default 40) and leaves room for the org's other Slack apps. Every HTTP attempt, retries included, takes a slot.
 *
 * @example
 * const budget = new SlidingWindowBudget({ perMinute: 40, clock: systemClock });
 * await budget.acquire(); // resolves when a call may be made, and records it
 */
export class SlidingWindowBudget {
  readonly perMinute: number;
  readonly windowMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Start times of the calls inside the current window, oldest first. */
  private readonly times: number[] = [];
  /** Serialises concurrent acquirers so that they are served in order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(opts: { perMinute: number; clock: Clock; sleep: Sleep; windowMs?: number }) {
    if (!(opts.perMinute >= 1)) throw new RangeError('budgetPerMinute must be at least 1');
    this.perMinute = Math.floor(opts.perMinute);
    this.windowMs = opts.windowMs ?? 60_000;
    this.clock = opts.clock;
    this.sleep = opts.sleep;
  }

  /** How long a call made now would have to wait (0 when there is room). */
  waitMs(): number {
    const now = this.clock.now();
    this.prune(now);
    if (this.times.length < this.perMinute) return 0;
    return Math.max(1, this.times[0]! + this.windowMs - now);
  }

  /** Calls recorded in the last window. */
  used(): number {
    this.prune(this.clock.now());
    return this.times.length;
  }

  /**
   * Wait until a call fits in the window, then record it. `onWait` is told each wait before it starts.
   * Rejects with the signal's reason if the signal aborts while waiting.
   */
  acquire(signal?: AbortSignal, onWait?: (ms: number) => void): Promise<void> {
    const run = this.chain.then(() => this.take(signal, onWait));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async take(signal?: AbortSignal, onWait?: (ms: number) => void): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.waitMs();
      if (wait === 0) {
        this.times.push(this.clock.now());
        return;
      }
      onWait?.(wait);
      await abortableSleep(this.sleep, wait, signal);
    }
  }

  private prune(now: number): void {
    // A call at time t occupies the window (t, t + windowMs]; at exactly t + windowMs it has left.
    while (this.times.length > 0 && this.times[0]! + this.windowMs <= now) this.times.shift();
  }
}
