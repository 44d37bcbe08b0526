import type { Clock } from '../util/clock.ts';
import { abortableSleep, type Sleep } from './retry.ts';

/** Calls that may go out back to back before the budget spaces them evenly. */
export const DEFAULT_BUDGET_BURST = 3;

/**
 * Client-side call budget: a token bucket at `perMinute` with a small burst, and never more than `perMinute` calls in
 * any `windowMs` (60 s) span.
 *
 * The Audit Logs API limit (~50 calls/min, itself a bucket with a small burst) is shared by every app of the
 * Enterprise org, so gridwatch keeps below it (default 40) and spreads its calls evenly (one every 1.5 s at 40/min
 * after at most `burst` back to back): a window's worth of calls sent at once would empty the org's bucket and draw
 * 429s for gridwatch and the org's other apps alike. Every HTTP attempt, retries included, takes a token.
 *
 * @example
 * const budget = new CallBudget({ perMinute: 40, clock: systemClock, sleep: realSleep });
 * await budget.acquire(); // resolves when a call may be made, and records it
 */
export class CallBudget {
  readonly perMinute: number;
  readonly burst: number;
  readonly windowMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Milliseconds per token. */
  private readonly intervalMs: number;
  /** Tokens in the bucket at `filledAt` (starts full). */
  private tokens: number;
  private filledAt: number | null = null;
  /** Start times of the calls inside the current window, oldest first. */
  private readonly times: number[] = [];
  /** Serialises concurrent acquirers so that they are served in order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(opts: { perMinute: number; clock: Clock; sleep: Sleep; burst?: number; windowMs?: number }) {
    if (!(opts.perMinute >= 1)) throw new RangeError('budgetPerMinute must be at least 1');
    this.perMinute = Math.floor(opts.perMinute);
    this.burst = Math.max(1, Math.min(this.perMinute, Math.floor(opts.burst ?? DEFAULT_BUDGET_BURST)));
    this.windowMs = opts.windowMs ?? 60_000;
    this.intervalMs = this.windowMs / this.perMinute;
    this.tokens = this.burst;
    this.clock = opts.clock;
    this.sleep = opts.sleep;
  }

  /** How long a call made now would have to wait (0 when it may go at once). */
  waitMs(): number {
    const now = this.clock.now();
    this.refill(now);
    this.prune(now);
    const bucketWait = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.intervalMs);
    const windowWait = this.times.length < this.perMinute ? 0 : this.times[0]! + this.windowMs - now;
    const wait = Math.max(bucketWait, windowWait);
    return wait > 0 ? Math.max(1, wait) : 0;
  }

  /** Calls recorded in the last window. */
  used(): number {
    this.prune(this.clock.now());
    return this.times.length;
  }

  /**
   * Wait until a call may be made, then record it. `onWait` is told each wait before it starts.
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
        this.tokens -= 1;
        this.times.push(this.clock.now());
        return;
      }
      onWait?.(wait);
      await abortableSleep(this.sleep, wait, signal);
    }
  }

  private refill(now: number): void {
    if (this.filledAt !== null && now > this.filledAt) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.filledAt) / this.intervalMs);
    }
    if (this.filledAt === null || now > this.filledAt) this.filledAt = now;
  }

  private prune(now: number): void {
    // A call at time t occupies the window (t, t + windowMs]; at exactly t + windowMs it has left.
    while (this.times.length > 0 && this.times[0]! + this.windowMs <= now) this.times.shift();
  }
}
