/** A source of "now", injected wherever windows, delays or timestamps matter so that tests control time. */
export interface Clock {
  /** Current time, Unix milliseconds. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
