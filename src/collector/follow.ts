/** `collect --follow`: one collection run every interval until stopped. */
import { AuthError, RequestError } from '../slack/errors.ts';
import { abortableSleep, realSleep, type Sleep } from '../slack/retry.ts';
import { systemClock } from '../util/clock.ts';
import { addFaults, noFaults } from './faults.ts';
import { collect, DEFAULT_OVERLAP_EVERY_SEC, type CollectOptions, type CollectSummary } from './index.ts';

export interface FollowOptions extends CollectOptions {
  /** Seconds between runs. */
  intervalSec: number;
  /** The overlap re-read (overlapSec) happens at most this often; other runs start right after `high` (default 1 h). */
  overlapEverySec?: number;
  /** Waits between runs (default a real timer). */
  sleep?: Sleep;
  /** After each successful run. */
  onRun?: (s: CollectSummary, run: number) => void;
  /** A run failed with an error worth retrying (network, 5xx, rate limit, store...); the loop goes on. */
  onError?: (e: unknown, run: number) => void;
}

export interface FollowSummary extends Omit<CollectSummary, 'checkpoint' | 'aborted'> {
  runs: number;
  errors: number;
  checkpoint: CollectSummary['checkpoint'] | null;
}

/**
 * `collect --follow`: run `collect` every `intervalSec` until the signal aborts. Auth and request errors stop the
 * loop (rethrown: fixing them needs a person); other errors are reported to `onError` and retried next interval
 * (an unknown host or a bad certificate too: DNS and certificates can be fixed while gridwatch runs).
 * The overlap re-read runs on the first run and then every `overlapEverySec`.
 *
 * @example
 * await followLoop({ store, client, intervalSec: 60, signal, onRun: (s) => console.log(s.new) });
 */
export async function followLoop(opts: FollowOptions): Promise<FollowSummary> {
  if (!(opts.intervalSec > 0)) throw new RangeError('intervalSec must be positive');
  const clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? realSleep;
  const overlapEveryMs = (opts.overlapEverySec ?? DEFAULT_OVERLAP_EVERY_SEC) * 1000;
  const total: FollowSummary = { fetched: 0, new: 0, duplicates: 0, quarantined: 0, pages: 0, windows: 0, late: 0, restarts: 0, faults: noFaults(), runs: 0, errors: 0, checkpoint: null };
  let lastOverlapAt: number | null = null;
  const { signal } = opts;
  while (!signal?.aborted) {
    const now = clock.now();
    const withOverlap = lastOverlapAt === null || now - lastOverlapAt >= overlapEveryMs;
    total.runs++;
    try {
      const s = await collect({ ...opts, overlapSec: withOverlap ? opts.overlapSec : 0 });
      if (withOverlap && !s.aborted) lastOverlapAt = now;
      for (const k of ['fetched', 'new', 'duplicates', 'quarantined', 'pages', 'windows', 'late', 'restarts'] as const) total[k] += s[k];
      total.faults = addFaults(total.faults, s.faults);
      total.checkpoint = s.checkpoint;
      if (s.aborted) break;
      opts.onRun?.(s, total.runs);
    } catch (e) {
      if (signal?.aborted) break;
      if (e instanceof AuthError || e instanceof RequestError) throw e;
      total.errors++;
      opts.onError?.(e, total.runs);
    }
    try {
      await abortableSleep(sleep, opts.intervalSec * 1000, signal);
    } catch {
      break;
    }
  }
  return total;
}

