/**
 * The Audit Logs rate limit: Tier 3, about 50 calls a minute, shared by every token and app of the organisation
 * (docs/slack-api.md 1.5). A sliding window: a full window's worth of calls may come as a burst ("sporadic bursts
 * allowed"), then callers wait until the oldest call leaves the window. Rejected calls do not use up a slot.
 */

export interface RateLimitOptions {
  /** Calls allowed per window (the window is a minute unless `windowSec` says otherwise). */
  perMinute: number;
  /** Window length in seconds. Default 60; tests use 1 to recover quickly. */
  windowSec?: number;
  /** Send this fixed `Retry-After` instead of the time until a slot frees. */
  retryAfterSec?: number;
  /** The error string in the 429 body. Default `rate_limited` (the Audit API's); the Web API says `ratelimited`. */
  error?: 'rate_limited' | 'ratelimited';
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSec: number };

/**
 * A sliding-window limiter on a millisecond clock.
 *
 * @example
 * const rl = new RateLimiter({ perMinute: 2 });
 * rl.take(0); rl.take(1);  // { ok: true } twice
 * rl.take(2);              // { ok: false, retryAfterSec: 60 }
 */
export class RateLimiter {
  private readonly calls: number[] = [];
  private readonly windowMs: number;

  constructor(private readonly opts: RateLimitOptions) {
    if (!(Number.isInteger(opts.perMinute) && opts.perMinute > 0)) throw new RangeError(`perMinute must be a positive integer, got ${opts.perMinute}`);
    this.windowMs = (opts.windowSec ?? 60) * 1000;
    if (!(this.windowMs > 0)) throw new RangeError(`windowSec must be positive, got ${opts.windowSec}`);
  }

  /** Try to use a slot at time `nowMs`. */
  take(nowMs: number): RateDecision {
    while (this.calls.length > 0 && this.calls[0]! <= nowMs - this.windowMs) this.calls.shift();
    if (this.calls.length < this.opts.perMinute) {
      this.calls.push(nowMs);
      return { ok: true };
    }
    const computed = Math.ceil((this.calls[0]! + this.windowMs - nowMs) / 1000);
    return { ok: false, retryAfterSec: this.opts.retryAfterSec ?? Math.max(1, computed) };
  }

  /** The error string to send with a 429. */
  get errorCode(): string {
    return this.opts.error ?? 'rate_limited';
  }
}
