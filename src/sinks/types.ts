/**
 * Shapes shared by the alert sinks. `DeliverableAlert` is deliberately loose: the detection engine's `Alert` type is
 * assignable to it, and sinks pass unknown fields through untouched.
 */
import { SEVERITIES, severityRank, type Severity } from '../config/severity.ts';

export interface DeliverableAlert {
  /** Stable alert id: an update to the same alert keeps it. */
  id: string;
  rule: string;
  severity: string;
  title: string;
  user_id: string | null;
  user_name?: string | null;
  /** ISO 8601 times of the first and last event that make up the alert. */
  first_seen: string;
  last_seen: string;
  event_ids: string[];
  /** Rule-specific facts for people (files downloaded, IPs, reasons...). */
  context?: unknown;
  [k: string]: unknown;
}

// One severity scale for the whole project; sinks re-export it for their own callers.
export { SEVERITIES, severityRank, type Severity };

/**
 * Does an alert pass a sink's `min_severity`? An alert whose severity is not on the scale passes: an unexpected value
 * must not silently swallow an alert.
 *
 * @example
 * meetsMinSeverity('medium', 'high') // false
 * meetsMinSeverity('weird', 'high')  // true
 */
export function meetsMinSeverity(severity: string, min: Severity | undefined): boolean {
  if (!min) return true;
  const r = severityRank(severity);
  return r === -1 || r >= severityRank(min);
}

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

/** A configured destination. `send` resolves when the alert is accepted and rejects with a reason otherwise. */
export interface Sink {
  /** Unique, stable name: the outbox key (defaults to the type). */
  readonly name: string;
  readonly type: 'stdout' | 'file' | 'webhook' | 'slack';
  readonly minSeverity?: Severity;
  /**
   * Deliver one alert. `deliveryId` identifies this (alert version, sink) delivery and stays the same across
   * retries, so a receiver can drop duplicates (delivery is at least once).
   */
  send(alert: DeliverableAlert, deliveryId: string): Promise<void>;
  /** A description safe to log: never a secret or a Slack webhook URL. */
  describe(): string;
}
