import { describe, expect, it } from 'vitest';
import { CallBudget } from '../slack/budget.ts';
import { fakeTime } from './testing-clock.ts';

describe('fakeTime', () => {
  it('moves now by exactly what each sleep asks, never backwards', async () => {
    const time = fakeTime(1000);
    await time.sleep(250);
    await time.sleep(-5);
    expect(time.now()).toBe(1250);
  });

  it('lets the call budget refill, so waits end (a frozen clock never refills the bucket)', async () => {
    const time = fakeTime(0);
    const budget = new CallBudget({ perMinute: 60, burst: 2, clock: time, sleep: time.sleep });
    for (let i = 0; i < 10; i++) await budget.acquire();
    // 2 at once, then one per second for the other 8.
    expect(time.now()).toBe(8000);
  }, 2000);
});
