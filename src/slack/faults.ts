/**
 * Fault counters of the Slack client: what went wrong on the way and was healed (or not) by retrying. The field
 * names are the ones `collect --format json` prints, so the schema is the contract.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** Faults one client saw since it was created. */
export const ClientFaultsSchema = z.object({
  /** Requests sent again after a failed attempt (429s included). */
  retries: count,
  /** HTTP 429 (or `rate_limited`) answers. */
  rate_limited: count,
  /** HTTP 5xx answers, and `ok:false` answers with a server-side error code (`internal_error`, ...). */
  server_errors: count,
  /** Bodies cut short, not valid UTF-8, not JSON, or without a readable `entries` array. */
  truncated: count,
});
export type ClientFaults = z.infer<typeof ClientFaultsSchema>;
export type ClientFaultKind = Exclude<keyof ClientFaults, 'retries'>;

/** @example const f = noClientFaults(); f.retries++; */
export const noClientFaults = (): ClientFaults => ({ retries: 0, rate_limited: 0, server_errors: 0, truncated: 0 });

/**
 * Counts of `now` minus `before`, field by field (the faults of one run of a long-lived client).
 *
 * @example clientFaultsSince({ ...noClientFaults(), retries: 5 }, { ...noClientFaults(), retries: 2 }).retries // 3
 */
export function clientFaultsSince(now: ClientFaults, before: ClientFaults): ClientFaults {
  return {
    retries: now.retries - before.retries,
    rate_limited: now.rate_limited - before.rate_limited,
    server_errors: now.server_errors - before.server_errors,
    truncated: now.truncated - before.truncated,
  };
}
