import type { TimeWindow } from './windows.ts';

/** Where a collection run is, for the CLI's progress line. Times are Unix seconds unless named `Ms`. */
export interface Progress {
  key: string;
  /** `forward`: new events up to now - settle (with the overlap re-read); `backfill`: older than the covered range. */
  phase: 'forward' | 'backfill' | 'done';
  /** Entries received (new + duplicates + quarantined). */
  events: number;
  new: number;
  duplicates: number;
  quarantined: number;
  late: number;
  pages: number;
  /** Windows fully drained and committed. */
  windows: number;
  /** Window being drained, or null between phases. */
  window: TimeWindow | null;
  /** Pages read so far in the current window (all action chunks). */
  windowPages: number;
  /** Received entries per second since the run started. */
  rate: number;
  /** Seconds of time range to read in this run, and how many are done (estimated inside a window). */
  rangeTotalSec: number;
  rangeDoneSec: number;
  /** Estimated remaining run time in seconds, from the remaining range; null until something is done. */
  etaSec: number | null;
  elapsedMs: number;
}

/** A human line for a progress object (the CLI may draw its own). */
export function formatProgress(p: Progress): string {
  const pct = p.rangeTotalSec > 0 ? Math.min(100, Math.floor((100 * p.rangeDoneSec) / p.rangeTotalSec)) : 100;
  const eta = p.etaSec === null ? '?' : p.etaSec < 90 ? `${Math.ceil(p.etaSec)}s` : `${Math.ceil(p.etaSec / 60)}m`;
  const win = p.window ? ` window ${new Date(p.window.oldest * 1000).toISOString().slice(0, 19)}Z..${new Date(p.window.latest * 1000).toISOString().slice(0, 19)}Z` : '';
  return `${p.phase} ${pct}% ${p.events} events (${p.new} new, ${p.duplicates} dup, ${p.quarantined} quarantined) ${p.pages} pages ${p.windows} windows ${p.rate.toFixed(0)}/s eta ${eta}${win}`;
}
