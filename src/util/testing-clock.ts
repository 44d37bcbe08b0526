/**
 * Test helper: fake time that moves only when someone sleeps. A frozen clock (`now: () => T`) with a no-op sleep
 * stalls anything that waits for time to pass (the call budget's token bucket refills only as `now` advances), so a
 * test that wants waits to cost nothing must advance `now` by exactly what each sleep asks for.
 */
import type { Clock } from './clock.ts';

export interface FakeTime extends Clock {
  /** Resolves at once, having moved `now` forward by `ms`. */
  sleep(ms: number): Promise<void>;
}

/**
 * A clock starting at `startMs` (Unix ms) whose `sleep` advances it instead of waiting.
 *
 * @example
 * const time = fakeTime(1_700_000_000_000);
 * const client = createAuditClient({ baseUrl, token, clock: time, sleep: time.sleep });
 */
export function fakeTime(startMs: number): FakeTime {
  let t = startMs;
  return {
    now: () => t,
    sleep: async (ms) => {
      // Never backwards, and always forwards: a wait of 0 or a negative wait still yields without moving time.
      if (ms > 0) t += ms;
    },
  };
}
