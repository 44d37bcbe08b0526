import { describe, expect, it } from 'vitest';
import { RateLimiter } from './ratelimit.ts';

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then says how long until the oldest call leaves the window', () => {
    const rl = new RateLimiter({ perMinute: 3 });
    expect([rl.take(0), rl.take(10_000), rl.take(20_000)].every((d) => d.ok)).toBe(true);
    expect(rl.take(30_000)).toEqual({ ok: false, retryAfterSec: 30 });
    expect(rl.take(59_500)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(rl.take(60_000)).toEqual({ ok: true });
    expect(rl.take(60_001)).toEqual({ ok: false, retryAfterSec: 10 });
  });

  it('does not count rejected calls, honours a fixed Retry-After and the error string', () => {
    const rl = new RateLimiter({ perMinute: 1, windowSec: 2, retryAfterSec: 7, error: 'ratelimited' });
    expect(rl.take(0).ok).toBe(true);
    for (let t = 1; t < 2000; t += 100) expect(rl.take(t)).toEqual({ ok: false, retryAfterSec: 7 });
    expect(rl.take(2000).ok).toBe(true);
    expect(rl.errorCode).toBe('ratelimited');
    expect(new RateLimiter({ perMinute: 1 }).errorCode).toBe('rate_limited');
    expect(() => new RateLimiter({ perMinute: 0 })).toThrow();
  });

  it('with a burst: a token bucket, burst calls back to back, then one per window / perMinute', () => {
    const rl = new RateLimiter({ perMinute: 60, burst: 3 }); // a token a second
    expect([rl.take(0), rl.take(0), rl.take(0)].every((d) => d.ok)).toBe(true);
    expect(rl.take(10)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(rl.take(1000)).toEqual({ ok: true });
    expect(rl.take(1500)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(rl.take(2000)).toEqual({ ok: true });
    // An idle spell refills up to the burst, no more.
    expect([rl.take(60_000), rl.take(60_000), rl.take(60_000)].every((d) => d.ok)).toBe(true);
    expect(rl.take(60_000).ok).toBe(false);
    expect(() => new RateLimiter({ perMinute: 5, burst: 0 })).toThrow();
  });
});
