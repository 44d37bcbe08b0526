/**
 * Search that finds things: free text over the fields analysts search, and people by name, e-mail or id. SQLite:
 * `sqlite/search.ts` (an FTS5 trigram index and a people directory, folded in from the events by sequence number).
 *
 * Free text matches, case-insensitively, a substring of one of `SEARCHED_FIELDS` of an event. The index is kept by
 * catch-up, not by the insert (it would double the cost of ingest); a search still sees every stored event, because
 * the events not yet folded in are matched one by one (see `EventSearch.searchEvents`).
 */
import type { NormalisedEvent, StoredEvent } from '../events/schema.ts';
import type { EventQuery } from './types.ts';

/** The normalised fields free text searches: names, e-mails, ids, file/channel/app names, IPs, user agents, actions. */
export const SEARCHED_FIELDS = ['actorName', 'actorEmail', 'actorId', 'entityName', 'entityId', 'ip', 'ua', 'action'] as const satisfies ReadonlyArray<keyof NormalisedEvent>;

/**
 * Does one of the searched fields (or an anomaly reason) contain `needle` (already lower-cased)?
 *
 * @example matchesFields(ev.norm, 'glengarry') // true for the Glengarry-Leads.xlsx download
 */
export function matchesFields(e: NormalisedEvent, needle: string): boolean {
  for (const f of SEARCHED_FIELDS) {
    const v = e[f];
    if (typeof v === 'string' && v.toLowerCase().includes(needle)) return true;
  }
  return e.reasons.some((r) => r.toLowerCase().includes(needle));
}

/** One page of free-text results, newest first. */
export interface EventSearchPage {
  events: StoredEvent[];
  /** Where to continue (the last position examined), or null when the range is exhausted. */
  next: { ts: number; seq: number } | null;
  /** True when a time budget, not the limit, ended the search. */
  partial: boolean;
}

/** A person of the audit log: an actor or a user entity, with the newest name and e-mail seen. */
export interface PersonMatch {
  id: string;
  name: string | null;
  email: string | null;
  /** Newest event naming them, Unix seconds. */
  last_ts: number;
}

export interface EventSearch {
  /**
   * Fold the events stored since the last call into the index, at most `maxEvents` (all when omitted), on this
   * thread. Returns how many. Safe when several processes share the store.
   */
  catchUp(maxEvents?: number): Promise<number>;
  /** The same on another thread where the backend can (the caller stays responsive); resolves when caught up. */
  catchUpInBackground(): Promise<number>;
  /** Sequence number folded in so far (0 before the first catch-up). */
  position(): Promise<number>;
  /**
   * Events matching `q` whose searched fields contain `needle` (lower-cased), newest first, at most `limit`; null
   * when the index cannot answer quickly (term under 3 characters, too common, or too many events not yet folded
   * in): the caller then scans.
   */
  searchEvents(needle: string, q: EventQuery, limit: number): Promise<EventSearchPage | null>;
  /** People whose id, e-mail, name or a word of their name starts with `prefix` (case ignored), newest first. */
  people(prefix: string, limit: number): Promise<PersonMatch[]>;
  /** People whose name, e-mail or id is exactly `value` (case ignored): the Actor filter's name resolution. */
  peopleNamed(value: string): Promise<PersonMatch[]>;
  /** Stop any background thread. */
  close(): Promise<void>;
}
