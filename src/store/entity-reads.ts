/**
 * The read model behind the user and IP pages: the people of the audit log (from the UI's actor rollup) and what
 * one user or one address did, aggregated. Every list stops at the `limit` the caller gives (ask for one more than
 * shown to know whether more exist); nothing here returns events one by one. SQLite: `sqlite/entity-reads.ts`.
 */

/** One person of the audit log, as the actor rollup holds them. Times are Unix seconds. */
export interface PersonRow {
  id: string;
  name: string | null;
  email: string | null;
  first_ts: number;
  last_ts: number;
  /** Events stored for them. */
  n: number;
}

/** How often one value (an IP, a user agent, a file, a user) was seen, and when first and last. */
export interface SeenRow<V> {
  v: V;
  n: number;
  first: number;
  last: number;
}

/** `SeenRow` of a user's IP or user agent, plus how many of the uses fall at or after the range's `since`. */
export type UsageRow = SeenRow<string> & { in_range: number };

/** A user's counts in one 15-minute slot (every time zone's midnight falls on a slot boundary). */
export interface ActivitySlot {
  /** Start of the slot, Unix seconds (a multiple of 900). */
  slot: number;
  file_downloaded: number;
  /** `anomaly` events with the `excessive_downloads` reason. */
  excessive_downloads: number;
}

/** The users and user agents of an address, from its newest `scanned` events (`partial` when older ones exist). */
export interface AddressLists {
  users: Array<SeenRow<string | null> & { name: string | null; email: string | null }>;
  user_agents: Array<SeenRow<string>>;
  /** Events the lists were gathered from. */
  scanned: number;
  /** More events matched than were scanned: counts and first-seen times cover the newest ones only. */
  partial: boolean;
}

export interface EntityReads {
  /** A person by actor id or e-mail (case-insensitive), or null. */
  person(idOrEmail: string): Promise<PersonRow | null>;
  /** People whose id, name or e-mail contains `q` (literally: `%` and `_` are not wildcards), most active first. */
  searchPeople(q: string, limit: number): Promise<PersonRow[]>;
  /**
   * A user's IPs or user agents with events in `from..until`, most recently used first; `in_range` counts the uses
   * at or after `since` (the history before it tells first-seen).
   */
  userUsage(actorId: string, column: 'ip' | 'ua', w: { from: number; since: number; until: number }, limit: number): Promise<UsageRow[]>;
  /** The files a user downloaded in the range (grouped by id, else name), most recent first. */
  userFiles(actorId: string, since: number, until: number, limit: number): Promise<Array<SeenRow<string | null> & { name: string | null }>>;
  /** A user's daily-series counts per 15-minute slot in the range; slots without either are left out. */
  userActivity(actorId: string, since: number, until: number): Promise<ActivitySlot[]>;
  /** A user's events per bucket of `width` seconds (`b` is the bucket's start, a multiple of `width`). */
  userTimeline(actorId: string, since: number, until: number, width: number): Promise<Array<{ b: number; n: number }>>;
  /** An address's event count and first and last times in the range (null times when none). */
  addressTotals(ip: string, since: number, until: number): Promise<{ n: number; first: number | null; last: number | null }>;
  /**
   * An address's users and user agents in the range, most recently seen first, each list at most `limit` long,
   * gathered from its newest `maxScan` events at most: a NAT or VPN egress with millions of events costs no more
   * than one with `maxScan`.
   */
  addressLists(ip: string, since: number, until: number, limit: number, maxScan: number): Promise<AddressLists>;
}
