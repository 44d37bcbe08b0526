/**
 * The bounds of the read API, in one place (docs/api.md lists them per route): how long a list may get, how long a
 * user page's range may be. Every list the API returns stops at its cap and says so (`*_truncated`), so no
 * parameter can make a response, or the work behind it, grow with the size of the store.
 */

/** Rows of each list on a user page (IPs, user agents, files) and of an IP page (users, user agents). */
export const MAX_LIST = 500;
/** Anomalies and alerts listed on a user page; the event list and the alert list page through the rest. */
export const MAX_USER_MARKS = 200;
/** Anomalies and alerts marked on a user's timeline. */
export const MAX_TIMELINE_MARKS = 500;
/** The longest range a user page covers, days (its daily series has one entry per day). */
export const MAX_USER_RANGE_DAYS = 366;
/**
 * Events of one address an IP page's users and user-agents lists are gathered from (the newest): a NAT or VPN
 * egress with millions of events would otherwise hold the event loop for seconds (its totals still count them all).
 */
export const MAX_IP_SCAN = 20_000;

/**
 * The first `max` rows of a query that asked for `max + 1`, and whether more exist.
 *
 * @example
 * const { rows, truncated } = capped(stmt.all({ limit: MAX_LIST + 1 }), MAX_LIST);
 */
export function capped<T>(rows: T[], max: number): { rows: T[]; truncated: boolean } {
  return rows.length > max ? { rows: rows.slice(0, max), truncated: true } : { rows, truncated: false };
}
