/**
 * What every rule kind implements: a per-key evaluator fed that key's events in (time, id) order, emitting
 * *firings* (one detection each) that suppression later groups into alerts.
 *
 * Contract that makes replay and incremental runs agree whatever order events arrived in:
 * - a firing depends only on the key's events within [anchor - history, anchor + forward] (the kind's horizons);
 * - events with the same timestamp are treated as simultaneous (a firing is decided once all of them are in);
 * - firings come out in non-decreasing anchor order.
 */
import type { Severity } from '../../config/schema.ts';
import type { EventView } from '../event-view.ts';

/** The event is one the rule can fire on. */
export const TRIGGER = 1;
/** The event makes a value known (new_value rules). */
export const HISTORY = 2;

export interface Firing {
  /** The instant the detection is attributed to: decides its day and the alert it joins. */
  anchor: number;
  /** The events that make it up, oldest first (capped by the kind). */
  events: EventView[];
  severity: Severity;
  /** Rule-specific figures for the title and context (count, limit, value...). */
  facts: Record<string, unknown>;
}

export interface KeyEvaluator {
  /** Feed one event of this key (roles: TRIGGER | HISTORY bits). */
  push(v: EventView, roles: number, out: Firing[]): void;
  /**
   * Feed a history-only event by its value alone (no view): `new_value` evaluators, for the events a rule's
   * `historyLane` covers. Same effect as `push` with roles HISTORY.
   */
  pushValue?(value: string, ts: number): void;
  /** No more events: emit whatever is pending. */
  flush(out: Firing[]): void;
  /** Every event before `now` has been pushed: emit the firings that are decided by now. */
  advance(now: number, out: Firing[]): void;
  /** Time of the last event pushed (to drop idle keys). */
  readonly lastTs: number;
  /** Earliest anchor a firing not emitted yet could have (Infinity when nothing is pending). */
  pendingAnchor(): number;
}

/** How far from its anchor a firing can depend on events (seconds). */
export interface Horizons {
  history: number;
  forward: number;
}
