/**
 * Test helpers for code that talks to the simulator: one `/logs` call that never throws on a bad body, and a drain
 * loop that repeats the filters on every page (the correct client behaviour).
 */
import type { Simulator } from './server.ts';

/** A fixed end time for reproducible tests: 2026-01-01T00:00:00Z. */
export const TEST_END = 1767225600;

export interface LogsResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json?: { entries?: Array<Record<string, unknown>>; response_metadata?: { next_cursor?: string }; ok?: boolean; error?: string };
}

/**
 * One GET `/audit/v1/logs` with the owner token (or `token`; null sends no Authorization header).
 * Parameters are URL-encoded, cursors included.
 *
 * @example
 * const r = await fetchLogs(sim, { limit: '10', action: 'anomaly' });
 * r.json?.entries?.length
 */
export async function fetchLogs(sim: Simulator, params: Record<string, string | number> = {}, token: string | null = sim.tokens.owner): Promise<LogsResponse> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  const res = await fetch(`${sim.auditBaseUrl}/logs${qs ? `?${qs}` : ''}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  let json: LogsResponse['json'];
  try {
    json = JSON.parse(text) as LogsResponse['json'];
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Read every page of a filtered query, sending the same filters with each cursor. Throws on a non-200 page.
 * Returns the entries in the order served and the number of pages.
 *
 * @example
 * const { entries } = await drainLogs(sim, { oldest: 1767000000, action: 'file_downloaded' }, 500);
 */
export async function drainLogs(
  sim: Simulator,
  filters: Record<string, string | number> = {},
  limit = 9999,
): Promise<{ entries: Array<Record<string, unknown>>; pages: number; texts: string[] }> {
  const entries: Array<Record<string, unknown>> = [];
  const texts: string[] = [];
  let cursor = '';
  let pages = 0;
  for (;;) {
    const r = await fetchLogs(sim, { ...filters, limit, ...(cursor ? { cursor } : {}) });
    if (r.status !== 200 || !r.json) throw new Error(`page ${pages + 1}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    pages++;
    texts.push(r.text);
    entries.push(...(r.json.entries ?? []));
    cursor = r.json.response_metadata?.next_cursor ?? '';
    if (!cursor) return { entries, pages, texts };
  }
}
