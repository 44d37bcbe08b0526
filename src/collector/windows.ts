/** Closed time windows (Unix seconds, both bounds inclusive) and their adaptive sizing. */

export const DAY_SEC = 86_400;
export const MAX_WINDOW_SEC = 30 * DAY_SEC;
/** A window that needed more pages than this makes the next one half as long. */
export const MANY_PAGES = 10;

export interface TimeWindow {
  /** First second, inclusive. */
  oldest: number;
  /** Last second, inclusive. */
  latest: number;
}

/** Seconds covered by a window. */
export const windowSeconds = (w: TimeWindow): number => w.latest - w.oldest + 1;

/**
 * Adaptive window length: start at one day; a window that needed more than ~10 pages halves the next, one that fit
 * in a single page doubles it (between 1 s and 30 days).
 */
export class WindowSizer {
  size: number;
  constructor(
    initial = DAY_SEC,
    readonly min = 1,
    readonly max = MAX_WINDOW_SEC,
  ) {
    this.size = Math.max(min, Math.min(max, Math.floor(initial)));
  }

  /** Record how many pages the last window took (for a split request: the most any chunk took). */
  update(pages: number, windowLen: number): void {
    if (pages > MANY_PAGES) this.size = Math.max(this.min, Math.floor(Math.min(this.size, windowLen) / 2));
    // Only grow when the window was full-length: a short tail window says little about density.
    else if (pages <= 1 && windowLen >= this.size) this.size = Math.min(this.max, this.size * 2);
  }
}

/** The next window walking forwards from `start` towards `end` (inclusive), or null when start > end. */
export function forwardWindow(start: number, end: number, size: number): TimeWindow | null {
  if (start > end) return null;
  return { oldest: start, latest: Math.min(end, start + size - 1) };
}

/** The next window walking backwards from `end` down to `floor` (inclusive), or null when end < floor. */
export function backwardWindow(end: number, floor: number, size: number): TimeWindow | null {
  if (end < floor) return null;
  return { oldest: Math.max(floor, end - size + 1), latest: end };
}

/** ISO text of a Unix-seconds time (for messages). */
