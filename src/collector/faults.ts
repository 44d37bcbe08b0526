/**
 * Faults of a collection run (the client's retries, 429s, 5xx and broken bodies, and the collector's re-read
 * windows), and their running totals per filter set, kept on the checkpoint's `lastRun` record.
 */
import { z } from 'zod';
import { ClientFaultsSchema, type ClientFaults } from '../slack/faults.ts';

export const FaultCountsSchema = ClientFaultsSchema.extend({
  /** Windows re-read from their start after Slack rejected a cursor (`invalid_cursor`). */
  rereads: z.number().int().nonnegative(),
});
export type FaultCounts = z.infer<typeof FaultCountsSchema>;

/** Totals over every run of one filter set since `since` (Unix ms, the first run that recorded them). */
export const FaultTotalsSchema = FaultCountsSchema.extend({ since: z.number() });
export type FaultTotals = z.infer<typeof FaultTotalsSchema>;

const KEYS = ['retries', 'rate_limited', 'server_errors', 'truncated', 'rereads'] as const;

/** @example noFaults().retries // 0 */
export const noFaults = (): FaultCounts => ({ retries: 0, rate_limited: 0, server_errors: 0, truncated: 0, rereads: 0 });

/** A run's counts from the client's and the collector's. */
export const runFaults = (client: ClientFaults, rereads: number): FaultCounts => ({ ...client, rereads });

/**
 * `a + b`, field by field; `since` kept from `a`.
 *
 * @example addFaults({ ...noFaults(), since: 0 }, { ...noFaults(), retries: 2 }).retries // 2
 */
export function addFaults<T extends FaultCounts>(a: T, b: FaultCounts): T {
  const out = { ...a };
  for (const k of KEYS) out[k] = a[k] + b[k];
  return out;
}

/**
 * Totals read back from a stored `lastRun` (anything unreadable, e.g. written by an older version, starts afresh).
 *
 * @example storedTotals({ totals: { retries: 1, rate_limited: 0, server_errors: 1, truncated: 0, rereads: 0, since: 5 } })?.retries // 1
 */
export function storedTotals(lastRun: Record<string, unknown> | undefined): FaultTotals | null {
  const r = FaultTotalsSchema.safeParse(lastRun?.totals);
  return r.success ? r.data : null;
}

const LABELS: Record<(typeof KEYS)[number], [string, string]> = {
  retries: ['retry', 'retries'],
  rate_limited: ['rate limited (429)', 'rate limited (429)'],
  server_errors: ['server error (5xx)', 'server errors (5xx)'],
  truncated: ['truncated body', 'truncated bodies'],
  rereads: ['re-read window', 're-read windows'],
};

/**
 * The non-zero counts as words, or '' when there were none.
 *
 * @example formatFaults({ retries: 3, rate_limited: 2, server_errors: 1, truncated: 0, rereads: 0 }) // '3 retries, 2 rate limited (429), 1 server error (5xx)'
 */
export function formatFaults(f: FaultCounts): string {
  return KEYS.filter((k) => f[k] > 0)
    .map((k) => `${f[k]} ${LABELS[k][f[k] === 1 ? 0 : 1]}`)
    .join(', ');
}

/**
 * The non-zero counts only (for log lines' fields).
 *
 * @example nonZeroFaults({ retries: 2, rate_limited: 0, server_errors: 2, truncated: 0, rereads: 0 }) // { retries: 2, server_errors: 2 }
 */
export function nonZeroFaults(f: FaultCounts): Partial<FaultCounts> {
  return Object.fromEntries(KEYS.filter((k) => f[k] > 0).map((k) => [k, f[k]]));
}
