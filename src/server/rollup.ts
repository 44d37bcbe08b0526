/**
 * When the UI's read models catch up with the events (the store keeps them: `store/ui-reads.ts`). Every read route
 * that uses them asks first; asking is cheap when nothing is new, and a burst of requests asks the store once.
 */
import type { UiRollups } from '../store/ui-reads.ts';

/**
 * @example
 * const rollups = new Rollups(store.uiRollups());
 * await rollups.catchUp(); // the first call folds in every stored event (about 1 s per million)
 * await rollups.catchUp(2000, clock.now()); // in a route: at most once per 2 s
 */
export class Rollups {
  private lastCheck = 0;

  constructor(private readonly store: UiRollups) {}

  /**
   * Fold in the events stored since the last call; calls within `minIntervalMs` of the previous one return 0 at
   * once, so a burst of requests does not repeat the check. Returns the number of events folded in.
   */
  async catchUp(minIntervalMs = 0, nowMs = Date.now()): Promise<number> {
    if (minIntervalMs > 0 && nowMs - this.lastCheck < minIntervalMs) return 0;
    this.lastCheck = nowMs;
    return this.store.catchUp();
  }
}
