/**
 * Login throttling, in memory: failed attempts are counted per client address and per account name over a window.
 * Past the limit, logins are refused with 429 and a Retry-After until the window slides past the failures, whether the
 * password is right or not (otherwise the limiter would still confirm a guessed password).
 */

export interface RateLimitOptions {
  /** Failures allowed per account name (from any address) in the window. Default 10. */
  perName?: number;
  /** Failures allowed per client address (any names) in the window. Default 20. */
  perAddress?: number;
  /** Window length. Default 15 minutes. */
  windowMs?: number;
}

/**
 * @example
 * const rl = new LoginRateLimiter();
 * const wait = rl.check('127.0.0.1', 'admin'); // 0 when allowed, else milliseconds to wait
 * if (!ok) rl.fail('127.0.0.1', 'admin');
 */
export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly perName: number;
  private readonly perAddress: number;
  private readonly windowMs: number;

  constructor(opts: RateLimitOptions = {}) {
    this.perName = opts.perName ?? 10;
    this.perAddress = opts.perAddress ?? 20;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
  }

  private recent(key: string, nowMs: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Milliseconds until a login may be tried, 0 if it may be tried now. */
  check(address: string, name: string, nowMs = Date.now()): number {
    let wait = 0;
    for (const [key, limit] of [[`a:${address}`, this.perAddress], [`n:${name.toLowerCase()}`, this.perName]] as const) {
      const list = this.recent(key, nowMs);
      if (list.length >= limit) wait = Math.max(wait, list[list.length - limit]! + this.windowMs - nowMs);
    }
    return wait;
  }

  fail(address: string, name: string, nowMs = Date.now()): void {
    for (const key of [`a:${address}`, `n:${name.toLowerCase()}`]) {
      const list = this.recent(key, nowMs);
      list.push(nowMs);
      this.failures.set(key, list.slice(-100));
    }
    // Bound memory against a flood of distinct names.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** A successful login clears the address's count (not the name's: another address may be guessing it). */
  succeed(address: string): void {
    this.failures.delete(`a:${address}`);
  }
}
