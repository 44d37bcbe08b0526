import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../sim/ratelimit.ts';
import { CallBudget } from './budget.ts';
import { backoffDelay, retryAfterMs } from './retry.ts';

function fakeTime(start = 1_700_000_000_000) {
  const t = { now: start, sleeps: [] as number[] };
  const clock = { now: () => t.now };
  const sleep = async (ms: number) => {
    t.sleeps.push(ms);
    t.now += ms;
  };
  return { t, clock, sleep };
}

describe('CallBudget', () => {
  it('never allows more than perMinute calls in any 60 s', async () => {
    const { t, clock, sleep } = fakeTime();
    const b = new CallBudget({ perMinute: 5, clock, sleep });
    const calls: number[] = [];
    for (let i = 0; i < 23; i++) {
      await b.acquire();
      calls.push(t.now);
      t.now += 700; // each call takes 0.7 s
    }
    for (let i = 0; i < calls.length; i++) {
      const inWindow = calls.filter((c) => c > calls[i]! - 60_000 && c <= calls[i]!).length;
      expect(inWindow).toBeLessThanOrEqual(5);
    }
    // 23 calls at 5/min need at least 4 full minutes after the first.
    expect(calls[22]! - calls[0]!).toBeGreaterThanOrEqual(4 * 60_000);
    // And no more than that: the budget does not waste time.
    expect(calls[22]! - calls[0]!).toBeLessThan(4 * 60_000 + 5_000);
  });

  it('does not wait while there is room, and waits exactly until the oldest call leaves', async () => {
    const { t, clock, sleep } = fakeTime(0);
    const b = new CallBudget({ perMinute: 3, clock, sleep });
    await b.acquire();
    t.now = 10_000;
    await b.acquire();
    t.now = 20_000;
    await b.acquire();
    expect(t.sleeps).toEqual([]);
    t.now = 30_000;
    const waits: number[] = [];
    await b.acquire(undefined, (ms) => waits.push(ms));
    expect(waits).toEqual([30_000]);
    expect(t.now).toBe(60_000);
    expect(b.used()).toBe(3);
  });

  it('serialises concurrent acquirers', async () => {
    const { t, clock, sleep } = fakeTime(0);
    const b = new CallBudget({ perMinute: 2, clock, sleep });
    const got: number[] = [];
    await Promise.all([0, 1, 2, 3].map(() => b.acquire().then(() => got.push(t.now))));
    expect(got).toEqual([0, 0, 60_000, 60_000]);
  });

  it('spreads calls evenly at the budget rate after a burst of at most `burst`', async () => {
    const { t, clock, sleep } = fakeTime(0);
    const b = new CallBudget({ perMinute: 40, burst: 3, clock, sleep });
    const calls: number[] = [];
    for (let i = 0; i < 20; i++) {
      await b.acquire();
      calls.push(t.now);
    }
    expect(calls.slice(0, 3)).toEqual([0, 0, 0]);
    // Then one call every 60 s / 40 = 1.5 s, not the rest of the minute's calls back to back.
    for (let i = 3; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!).toBe(1500);
  });

  it('never draws a 429 from an org budget of 50 calls/min with a burst of 5 (the default budget, fake time)', async () => {
    const { t, clock, sleep } = fakeTime(0);
    const b = new CallBudget({ perMinute: 40, clock, sleep }); // the client's defaults: 40/min, burst 3
    const org = new RateLimiter({ perMinute: 50, burst: 5 }); // the simulator's model of Slack's shared budget
    const rejected: number[] = [];
    for (let i = 0; i < 200; i++) {
      await b.acquire();
      if (!org.take(t.now).ok) rejected.push(i);
      t.now += i % 7 === 0 ? 900 : 35; // pages answered in 35 ms, some slower
    }
    expect(rejected).toEqual([]);
    expect(t.now).toBeGreaterThan(4 * 60_000); // 200 calls at 40/min
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = { now: () => 0 };
    const b = new CallBudget({ perMinute: 1, clock, sleep: () => new Promise(() => undefined) });
    await b.acquire();
    const ac = new AbortController();
    const p = b.acquire(ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('backoff and Retry-After', () => {
  it('full jitter stays under the capped exponential ceiling', () => {
    const o = { baseMs: 500, capMs: 30_000 };
    expect(backoffDelay(0, o, () => 0.999)).toBeLessThan(500);
    expect(backoffDelay(3, o, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, o, () => 0.999)).toBeLessThan(30_000);
    expect(backoffDelay(5, o, () => 0)).toBe(0);
  });

  it('reads seconds, HTTP dates and defaults to 1 s', () => {
    expect(retryAfterMs('30', 0)).toBe(30_000);
    expect(retryAfterMs(null, 0)).toBe(1000);
    expect(retryAfterMs('soon', 0)).toBe(1000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
  });
});
