/** What `collect --status` shows of each filter set's checkpoint. */
import type { Store } from '../store/types.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { isoSeconds } from '../util/time.ts';
import { FaultCountsSchema, storedTotals, type FaultCounts, type FaultTotals } from './faults.ts';
import type { LastRun } from './index.ts';

export interface CheckpointStatus {
  key: string;
  filters: Record<string, string>;
  low: number;
  high: number;
  lowIso: string;
  highIso: string;
  /** Seconds between now and the end of the covered range. */
  lagSec: number;
  updatedAt: number;
  lastRun: LastRun | null;
  /** Faults of the last run (null when it was recorded by a version that did not count them). */
  lastRunFaults: FaultCounts | null;
  /** Faults over every run of this filter set since `faultTotals.since` (Unix ms). */
  faultTotals: FaultTotals | null;
}

/**
 * The checkpoints for `collect --status`, sorted by key.
 *
 * @example for (const c of await describeCheckpoints(store)) console.log(c.key, c.highIso, c.faultTotals?.rate_limited);
 */
export async function describeCheckpoints(store: Store, clock: Clock = systemClock): Promise<CheckpointStatus[]> {
  const nowSec = Math.floor(clock.now() / 1000);
  const cps = await store.listCheckpoints();
  return cps
    .map((cp) => ({
      key: cp.key,
      filters: cp.filters,
      low: cp.low,
      high: cp.high,
      lowIso: isoSeconds(cp.low),
      highIso: isoSeconds(cp.high),
      lagSec: nowSec - cp.high,
      updatedAt: cp.updatedAt,
      lastRun: (cp.lastRun as LastRun | undefined) ?? null,
      lastRunFaults: lastRunFaults(cp.lastRun),
      faultTotals: storedTotals(cp.lastRun),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function lastRunFaults(lastRun: Record<string, unknown> | undefined): FaultCounts | null {
  const r = FaultCountsSchema.safeParse((lastRun?.summary as Record<string, unknown> | undefined)?.faults);
  return r.success ? r.data : null;
}
