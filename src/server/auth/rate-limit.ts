/**
 * Password-guessing throttle, in memory, for logins and password changes alike (both check an account's password).
 *
 * - **Per account**: after `freeFailures` consecutive wrong passwords, each further try must wait a delay that doubles
 *   with every failure, up to `maxDelayMs`. There is no lockout: once the delay has passed the right password works,
 *   so a stranger can slow an analyst down by at most `maxDelayMs` but never lock them out. A success resets it.
 * - **Per client address**: more than `perAddress` failures in `windowMs` (over any names) are refused until the
 *   window slides past them. A success for an account forgives only that account's failures from the address (the
 *   owner mistyping), never those against other names (someone guessing).
 *
 * While throttled, tries are refused with 429 whether the password is right or not: otherwise the refusal would still
 * confirm a guessed password.
 */

export interface RateLimitOptions {
  /** Consecutive failures for an account name before delays start. Default 3. */
  freeFailures?: number;
  /** First delay; it doubles with each further failure. Default 1 s. */
  baseDelayMs?: number;
  /** Longest delay per account. Default 5 minutes. */
  maxDelayMs?: number;
  /** Failures allowed per client address (any names) in the window. Default 20. */
  perAddress?: number;
  /** The per-address window. Default 15 minutes. */
  windowMs?: number;
}

interface AccountState {
  failures: number;
  lastAt: number;
}

/** Memory bound against a flood of distinct names or addresses: the oldest entries go first. */
const MAX_KEYS = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key); // re-insert: Map order is insertion order, so the first key is the least recently failed
  map.set(key, value);
  if (map.size > MAX_KEYS) map.delete(map.keys().next().value as K);
}

/**
 * @example
 * const rl = new LoginRateLimiter();
 * const wait = rl.check('127.0.0.1', 'admin', now); // 0 when a try is allowed, else milliseconds to wait
 * if (ok) rl.succeed('127.0.0.1', 'admin'); else rl.fail('127.0.0.1', 'admin', now);
 */
export class LoginRateLimiter {
  private readonly accounts = new Map<string, AccountState>();
  /** Per address: failure times with the name each was for. */
  private readonly addresses = new Map<string, { at: number; name: string }[]>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly perAddress: number;
  private readonly windowMs: number;

  constructor(opts: RateLimitOptions = {}) {
    this.freeFailures = opts.freeFailures ?? 3;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 5 * 60_000;
    this.perAddress = opts.perAddress ?? 20;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
  }

  /**
   * The delay an account has earned after `failures` consecutive failures.
   *
   * @example new LoginRateLimiter().delayAfter(5) // 4000 (1 s, 2 s, 4 s after the 3rd, 4th, 5th failure)
   */
  delayAfter(failures: number): number {
    const over = failures - this.freeFailures;
    if (over < 0) return 0;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(over, 40));
  }

  private recent(address: string, nowMs: number): { at: number; name: string }[] {
    const list = (this.addresses.get(address) ?? []).filter((f) => f.at > nowMs - this.windowMs);
    if (list.length) this.addresses.set(address, list);
    else this.addresses.delete(address);
    return list;
  }

  /** Milliseconds until a password may be tried for `name` from `address`, 0 if now. */
  check(address: string, name: string, nowMs: number): number {
    const acc = this.accounts.get(name.toLowerCase());
    const accountWait = acc ? acc.lastAt + this.delayAfter(acc.failures) - nowMs : 0;
    const list = this.recent(address, nowMs);
    const addressWait = list.length >= this.perAddress ? list[list.length - this.perAddress]!.at + this.windowMs - nowMs : 0;
    return Math.max(0, accountWait, addressWait);
  }

  /** Record a wrong password; returns the account's consecutive failures so far. */
  fail(address: string, name: string, nowMs: number): number {
    const key = name.toLowerCase();
    const failures = (this.accounts.get(key)?.failures ?? 0) + 1;
    remember(this.accounts, key, { failures, lastAt: nowMs });
    const list = this.recent(address, nowMs);
    list.push({ at: nowMs, name: key });
    remember(this.addresses, address, list.slice(-Math.max(this.perAddress, 1) * 2));
    return failures;
  }

  /** A right password: the account starts afresh, and the address is forgiven its failures for this name only. */
  succeed(address: string, name: string): void {
    const key = name.toLowerCase();
    this.accounts.delete(key);
    const list = this.addresses.get(address)?.filter((f) => f.name !== key);
    if (list?.length) this.addresses.set(address, list);
    else this.addresses.delete(address);
  }
}
