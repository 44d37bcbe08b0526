/**
 * Free-text search over events, newest first: the fields analysts search (`store/search.ts` SEARCHED_FIELDS: names,
 * e-mails, ids, file, channel and app names, IPs, user agents, actions, anomaly reasons), any substring, case ignored.
 *
 * The store's index answers when it can (a term of 3 characters or more that is not too common: a rare term costs a
 * few milliseconds at a million events). Otherwise the matching is done page by page along the (ts, seq) index
 * within a time budget: the request stops when it has `limit` matches, reaches the end of the range, or has spent
 * `budgetMs`. In the last case it returns what it found with a cursor at the point where it stopped, so the UI
 * says "searched back to <time>" and can continue. Both ways give the same events.
 */
import type { StoredEvent } from '../events/schema.ts';
import { matchesFields, type EventSearchPage } from '../store/search.ts';
import type { EventQuery, Store } from '../store/types.ts';

export type TextSearchResult = EventSearchPage;

/**
 * Does an event contain `needle` (lower-cased) in one of the searched fields?
 *
 * @example matchesText(ev, 'glengarry') // true for the Glengarry-Leads.xlsx download
 */
export function matchesText(e: StoredEvent, needle: string): boolean {
  return matchesFields(e.norm, needle);
}

/**
 * @example
 * const r = await textSearch(store, { actions: ['file_downloaded'] }, 'glengarry', 100);
 */
export async function textSearch(store: Store, q: EventQuery, text: string, limit: number, budgetMs = 400, pageSize = 4000): Promise<TextSearchResult> {
  const needle = text.toLowerCase();
  const indexed = await store.eventSearch?.().searchEvents(needle, q, limit);
  if (indexed) return indexed;
  return scanSearch(store, q, needle, limit, budgetMs, pageSize);
}

/**
 * The scan: common terms (found within the first pages) and terms the index cannot take.
 *
 * @example await scanSearch(store, {}, 'file_downloaded', 100)
 */
export async function scanSearch(store: Store, q: EventQuery, needle: string, limit: number, budgetMs = 400, pageSize = 4000): Promise<TextSearchResult> {
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
