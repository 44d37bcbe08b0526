/**
 * Helpers for killing a real `gridwatch collect` mid-collection and checking what it left behind: shared by the
 * crash test of `npm test` (test/collect-crash.test.ts) and the reliability suite (test/reliability/).
 */
import type { ChildProcess } from 'node:child_process';
import type { Simulator } from '../src/sim/index.ts';
import type { Store } from '../src/store/types.ts';

/**
 * An `onSpawn` for `runCli` that sends `signal` once the simulator has answered `after` more requests, so the kill
 * always lands mid-collection (while a page is in flight, or between a page's response and its transaction) whatever
 * the machine's speed.
 *
 * @example
 * const r = await runCli(args, { env, onSpawn: killAfterRequests(sim, 12) }); // r.signal === 'SIGKILL'
 */
export function killAfterRequests(sim: Simulator, after: number, signal: NodeJS.Signals = 'SIGKILL'): (child: ChildProcess) => void {
  return (child) => {
    const start = sim.stats.requests;
    const timer = setInterval(() => {
      if (sim.stats.requests - start >= after) {
        clearInterval(timer);
        child.kill(signal);
      }
    }, 2);
    child.on('exit', () => clearInterval(timer));
  };
}

/** What `checkpointIsHonest` found. */
export interface CheckpointCheck {
  /** Events stored. */
  stored: number;
  /** Events visible before the run began, inside the checkpoint's range, yet not stored (must be 0). */
  missingUnderCheckpoint: string[];
}

/**
 * Check that the checkpoint `key` covers no event the store lacks: every event of the simulator inside the checkpoint's
 * range that was already visible at `visibleBefore` (simulator clock, seconds; late events that appeared during the
 * run may still be missing legitimately) must be stored, and the store's count must agree with its ids.
 *
 * @example
 * const t0 = sim.now(); await runCli(args, ...); const c = await checkpointIsHonest(store, sim, t0);
 * expect(c.missingUnderCheckpoint).toEqual([]);
 */
export async function checkpointIsHonest(store: Store, sim: Simulator, visibleBefore = Infinity, key = 'all'): Promise<CheckpointCheck> {
  const cp = await store.getCheckpoint(key);
  const stored = await store.allIds();
  const missingUnderCheckpoint: string[] = [];
  if (cp) {
    for (const e of sim.events()) {
      const t = e.event.date_create as number;
      if (t < cp.low || t > cp.high) continue;
      if (e.visibleAt !== undefined && e.visibleAt >= visibleBefore) continue;
      if (!stored.has(e.event.id as string)) missingUnderCheckpoint.push(e.event.id as string);
    }
  }
  const count = await store.countEvents();
  if (count !== stored.size) throw new Error(`countEvents() says ${count} but allIds() holds ${stored.size}`);
  return { stored: stored.size, missingUnderCheckpoint };
}
