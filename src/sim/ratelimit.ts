/**
 * The Audit Logs rate limit: Tier 3, about 50 calls a minute, shared by every token and app of the organisation
 * (docs/slack-api.md 1.5). Without `burst`, a sliding window: a full window's worth of calls may come at once, then
 * callers wait until the oldest call leaves the window. With `burst`, a token bucket: at most `burst` calls back to
 * back, then one per `window / perMinute` ("sporadic bursts allowed"), which is how an org budget shared with other
 * apps behaves for any one of them. Rejected calls do not use up a slot.
 */

/**
 * The simulator's default: Slack's documented 50 calls a minute as a sliding window. Slack documents "sporadic bursts
 * allowed" but no burst size, so the bucket (`burst`) is opt-in rather than an invented default.
 */
export const DEFAULT_AUDIT_RATE_LIMIT: Readonly<RateLimitOptions> = { perMinute: 50 };

export interface RateLimitOptions {
  /** Calls allowed per window (the window is a minute unless `windowSec` says otherwise). */
  perMinute: number;
  /** Window length in seconds. Default 60; tests use 1 to recover quickly. */
  windowSec?: number;
  /** Token bucket of this many calls instead of a sliding window (e.g. 5: Slack-like "sporadic bursts"). */
  burst?: number;
  /** Send this fixed `Retry-After` instead of the time until a slot frees. */
  retryAfterSec?: number;
  /** The error string in the 429 body. Default `rate_limited` (the Audit API's); the Web API says `ratelimited`. */
  error?: 'rate_limited' | 'ratelimited';
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSec: number };

/**
 * A sliding-window or token-bucket limiter on a millisecond clock.
 *
 * @example
 * const rl = new RateLimiter({ perMinute: 2 });
 * rl.take(0); rl.take(1);  // { ok: true } twice
 * rl.take(2);              // { ok: false, retryAfterSec: 60 }
 * const bucket = new RateLimiter({ perMinute: 60, burst: 1 });
 * bucket.take(0); bucket.take(500); // ok, then { ok: false, retryAfterSec: 1 }
 */
export class RateLimiter {
  private readonly calls: number[] = [];
  private readonly windowMs: number;
  private tokens: number;
  private filledAt: number | null = null;

  constructor(private readonly opts: RateLimitOptions) {
    if (!(Number.isInteger(opts.perMinute) && opts.perMinute > 0)) throw new RangeError(`perMinute must be a positive integer, got ${opts.perMinute}`);
    this.windowMs = (opts.windowSec ?? 60) * 1000;
    if (!(this.windowMs > 0)) throw new RangeError(`windowSec must be positive, got ${opts.windowSec}`);
    if (opts.burst !== undefined && !(Number.isInteger(opts.burst) && opts.burst > 0)) throw new RangeError(`burst must be a positive integer, got ${opts.burst}`);
    this.tokens = opts.burst ?? 0;
  }

  /** Try to use a slot at time `nowMs`. */
  take(nowMs: number): RateDecision {
    if (this.opts.burst !== undefined) return this.takeToken(nowMs, this.opts.burst);
    while (this.calls.length > 0 && this.calls[0]! <= nowMs - this.windowMs) this.calls.shift();
    if (this.calls.length < this.opts.perMinute) {
      this.calls.push(nowMs);
      return { ok: true };
    }
    const computed = Math.ceil((this.calls[0]! + this.windowMs - nowMs) / 1000);
    return { ok: false, retryAfterSec: this.opts.retryAfterSec ?? Math.max(1, computed) };
  }

  private takeToken(nowMs: number, burst: number): RateDecision {
    const perTokenMs = this.windowMs / this.opts.perMinute;
    if (this.filledAt !== null && nowMs > this.filledAt) this.tokens = Math.min(burst, this.tokens + (nowMs - this.filledAt) / perTokenMs);
    if (this.filledAt === null || nowMs > this.filledAt) this.filledAt = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const computed = Math.ceil(((1 - this.tokens) * perTokenMs) / 1000);
    return { ok: false, retryAfterSec: this.opts.retryAfterSec ?? Math.max(1, computed) };
  }

  /** The error string to send with a 429. */
  get errorCode(): string {
    return this.opts.error ?? 'rate_limited';
  }
}
