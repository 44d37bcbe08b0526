import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './rate-limit.ts';

const T0 = 1_700_000_000_000;

describe('LoginRateLimiter', () => {
  it('delays an account by a growing, capped delay and never locks it', () => {
    const rl = new LoginRateLimiter({ freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, perAddress: 1000 });
    let now = T0;
    for (let i = 0; i < 3; i++) {
      expect(rl.check('10.0.0.1', 'ana', now)).toBe(0);
      rl.fail('10.0.0.1', 'ana', now);
    }
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const wait = rl.check('10.0.0.2', 'ANA', now); // any address, any case: the same account
      waits.push(wait);
      now += wait;
      expect(rl.check('10.0.0.2', 'ana', now)).toBe(0);
      rl.fail('10.0.0.2', 'ana', now);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(rl.check('10.0.0.3', 'bob', now)).toBe(0); // other accounts are not slowed
    now += 8000;
    expect(rl.check('10.0.0.1', 'ana', now)).toBe(0); // after the delay a try is allowed: no lockout
    rl.succeed('10.0.0.1', 'ana');
    rl.fail('10.0.0.1', 'ana', now);
    expect(rl.check('10.0.0.1', 'ana', now)).toBe(0); // a success starts the count afresh
  });

  it('limits an address over all names, and a success forgives only that name', () => {
    const rl = new LoginRateLimiter({ freeFailures: 100, perAddress: 4, windowMs: 60_000 });
    rl.fail('10.0.0.9', 'ana', T0); // the owner mistypes
    rl.fail('10.0.0.9', 'bob', T0 + 1);
    rl.fail('10.0.0.9', 'carl', T0 + 2);
    rl.fail('10.0.0.9', 'dora', T0 + 3);
    expect(rl.check('10.0.0.9', 'ana', T0 + 10)).toBe(60_000 - 10);
    expect(rl.check('10.0.0.8', 'ana', T0 + 10)).toBe(0);
    rl.succeed('10.0.0.9', 'ana');
    expect(rl.check('10.0.0.9', 'eve', T0 + 10)).toBe(0); // ana's own failure forgiven: 3 left of 4
    rl.fail('10.0.0.9', 'eve', T0 + 20);
    expect(rl.check('10.0.0.9', 'ana', T0 + 30)).toBe(60_000 + 1 - 30); // the guesses at others still count
    rl.succeed('10.0.0.9', 'ana');
    expect(rl.check('10.0.0.9', 'frank', T0 + 30)).toBeGreaterThan(0);
    expect(rl.check('10.0.0.9', 'frank', T0 + 60_001 + 1)).toBe(0); // the window slides past them
  });
});
