/**
 * Free-text search over events, newest first, within a time budget.
 *
 * A substring match cannot use an index, so instead of one unbounded scan the matching is done page by page along
 * the (ts, seq) index: the request stops when it has `limit` matches, reaches the end of the range, or has spent
 * `budgetMs`. In the last case it returns what it found with a cursor at the point where it stopped, so the UI
 * says "searched back to <time>" and can continue: latency stays bounded on millions of events.
 */
import type { StoredEvent } from '../events/schema.ts';
import type { EventQuery, Store } from '../store/types.ts';

export interface TextSearchResult {
  events: StoredEvent[];
  /** Where to continue (the last position examined), or null when the range is exhausted. */
  next: { ts: number; seq: number } | null;
  /** True when the time budget, not the limit, ended the search. */
  partial: boolean;
}

/**
 * Does an event contain `needle` (lower-cased) in its raw JSON text or its normalised fields?
 *
 * @example matchesText(ev, 'glengarry') // true for the Glengarry-Leads.xlsx download
 */
export function matchesText(e: StoredEvent, needle: string): boolean {
  return e.raw.toLowerCase().includes(needle);
}

/**
 * @example
 * const r = await textSearch(store, { actions: ['file_downloaded'] }, 'glengarry', 100);
 */
export async function textSearch(store: Store, q: EventQuery, text: string, limit: number, budgetMs = 400, pageSize = 4000): Promise<TextSearchResult> {
  const needle = text.toLowerCase();
  const started = performance.now();
  const out: StoredEvent[] = [];
  let before = q.before;
  for (;;) {
    const page = await store.queryEvents({ ...q, before, limit: pageSize });
    for (const e of page) {
      if (!matchesText(e, needle)) continue;
      out.push(e);
      if (out.length === limit) return { events: out, next: { ts: e.norm.ts, seq: e.seq }, partial: false };
    }
    if (page.length < pageSize) return { events: out, next: null, partial: false };
    const last = page[page.length - 1]!;
    before = { ts: last.norm.ts, seq: last.seq };
    if (performance.now() - started > budgetMs) return { events: out, next: before, partial: true };
  }
}
