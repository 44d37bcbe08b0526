/**
 * When the UI's read models catch up with the events (the store keeps them: `store/ui-reads.ts`). The stores keep them
 * up to date as events are written, so a catch-up normally finds nothing; a store written by an older version has a
 * backlog, folded once. Every read route that uses them asks first; asking is cheap when nothing is new, a burst of
 * requests asks the store once, and a request during a long catch-up waits for it rather than read half-folded counts.
 */
import type { UiRollups } from '../store/ui-reads.ts';

/**
 * @example
 * const rollups = new Rollups(store.uiRollups());
 * await rollups.catchUp(); // 0 unless the store was written by an older version
 * await rollups.catchUp(2000, clock.now()); // in a route: at most once per 2 s
 */
export class Rollups {
  private lastCheck = 0;
  private running: Promise<number> | null = null;

  constructor(private readonly store: UiRollups) {}

  /**
   * Fold in the events stored since the last call; calls within `minIntervalMs` of the previous one return 0 at
   * once, so a burst of requests does not repeat the check, unless a catch-up is running: then they wait for it.
   * Returns the number of events folded in (by the call that ran it).
   */
  async catchUp(minIntervalMs = 0, nowMs = Date.now()): Promise<number> {
    if (this.running) return this.running;
    if (minIntervalMs > 0 && nowMs - this.lastCheck < minIntervalMs) return 0;
    this.lastCheck = nowMs;
    const run = this.store.catchUp().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  /** Events stored but not yet folded in (the backlog a catch-up would fold). */
  async backlog(maxSeq: number): Promise<number> {
    return Math.max(0, maxSeq - (await this.store.position()));
  }
}
