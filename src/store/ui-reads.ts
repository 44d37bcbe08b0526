/**
 * The web UI's read models: derived data it reads instead of grouping millions of events (the events per action per
 * hour, the directory of actors), and the grouped counts of the Audit Logs histogram. `UiRollups` keeps the derived
 * data in step with the events; `UiReads` reads it. The server decides when to catch up (`server/rollup.ts`) and
 * how buckets fall (`server/volume.ts`); SQLite: `sqlite/ui-reads.ts`.
 *
 * The derived data is folded in by sequence number: events are only ever appended, so a high-water mark is exact,
 * late events included (they get new sequence numbers, whatever their time).
 */
import type { EventQuery } from './types.ts';

/** Maintenance of the UI's derived data. */
export interface UiRollups {
  /**
   * Fold in the events stored since the last call (every stored event the first time); returns how many. Safe when
   * several processes share the store: no event is counted twice.
   */
  catchUp(): Promise<number>;
  /** Sequence number folded in so far (0 before the first catch-up). */
  position(): Promise<number>;
  /**
   * Forget the derived data so the next `catchUp()` rebuilds it from the events: needed only if events are ever
   * deleted (retention), since it assumes append-only events.
   */
  reset(): Promise<void>;
}

/**
 * Events of one action counted per bucket: `start` is a multiple of the bucket width (Unix seconds). Buckets without
 * events are absent; a bucket has one count per action seen in it (the histogram stacks them by category).
 */
export interface VolumeCount {
  start: number;
  action: string;
  n: number;
}

/** What the UI reads from the derived data, and the histogram's grouped counts. */
export interface UiReads {
  /** First and last hour (`floor(ts / 3600)`) with folded events; null when none. */
  volumeExtent(): Promise<{ firstHour: number; lastHour: number } | null>;
  /** Folded events per action, over all time. */
  actionCounts(): Promise<Map<string, number>>;
  /** The id of the actor with this email (case ignored), from the directory of actors; null when unknown. */
  actorIdByEmail(email: string): Promise<string | null>;
  /** Every distinct context IP stored, as stored (the ASN filter looks each one up). */
  distinctIps(): Promise<string[]>;
  /** Events matching `q` (`before` and `limit` ignored) counted per bucket of `width` seconds and action. */
  eventVolume(q: EventQuery, width: number): Promise<VolumeCount[]>;
  /**
   * Folded events of the whole hours `fromHour..toHour` (inclusive, `floor(ts / 3600)`), of `actions` when given,
   * counted per bucket of `width` seconds (a multiple of an hour) and action: rows of the rollup, no event is read.
   */
  hourlyVolume(fromHour: number, toHour: number, width: number, actions?: readonly string[]): Promise<VolumeCount[]>;
}
