/**
 * Alerts: what the detection engine stores, the analyst works on, and the sinks deliver.
 *
 * The `AlertStore` interface is deliberately narrow and async so a PostgreSQL backend can implement it beside the
 * SQLite one (`store/sqlite/alerts.ts`, reached through `store.alertStore()`); the diffing logic both need lives in
 * `reconcile.ts`, not in the backends. It stays here, beside the types it stores, so the engine, the server and the
 * sinks' wiring import it without reaching into a backend.
 */
import { SEVERITIES, type Severity } from '../config/schema.ts';

export { SEVERITIES, type Severity };

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One IP address involved in an alert, with the checks an analyst would otherwise do by hand. */
export interface IpFacts {
  ip: string;
  /** Not used by this user in the context window before the alert (the last day before it does not count). */
  new_for_user: boolean;
  /** This user's use of the IP in the context window before the alert's first event (null when never). */
  history: { first_seen: string; last_seen: string; count: number } | null;
  trusted: { trusted: boolean; by?: 'cidr' | 'asn'; match?: string };
  /** Name of the configured VPN range holding the IP, or null. */
  vpn: string | null;
  threat_intel: { listed: boolean; entry?: string } | null;
  /** What Slack said about the address (`ip_address_details`: new-asn, cloud-asn, in-ioc-list). */
  slack_said: string[];
  asn: { asn: number; name?: string } | null;
}

/** One user agent involved in an alert. */
export interface UaFacts {
  ua: string;
  family: string;
  name: string;
  version: string | null;
  /** Matches one of the configured expected user agents. */
  expected: boolean;
  new_for_user: boolean;
  history: { first_seen: string; last_seen: string; count: number } | null;
}

/** A file the user downloaded (or viewed) in the alert's window. */
export interface DownloadFact {
  event_id: string;
  time: string;
  file_id: string | null;
  file_name: string | null;
  ip: string | null;
  ua: string | null;
}

/** A related event of the same user around the alert (anomalies, logins, session resets...). */
export interface RelatedEvent {
  event_id: string;
  time: string;
  action: string;
  reasons?: string[];
  ip: string | null;
  ua: string | null;
  entity: string | null;
}

/** Everything the analyst needs next to the alert, built from stored events (see `context.ts`). */
export interface AlertContext {
  summary: string;
  /** Anomaly reasons seen in the alert's events. */
  reasons: string[];
  /** Rule-specific figures: counts, thresholds, baseline, the new value... */
  facts: Record<string, unknown>;
  /** The entity acted on by the first event (the promoted user, the app, the channel...). */
  target: { type: string | null; id: string | null; name: string | null } | null;
  ips: IpFacts[];
  user_agents: UaFacts[];
  /** `file_downloaded` events of the user within the window (download and scraping alerts). */
  downloads: { window: { from: string; to: string }; count: number; files: DownloadFact[] } | null;
  related: RelatedEvent[];
  /** Slack's Anomaly Event Response already signed the user out (after the alert's first event). */
  aer_reset: { time: string; event_id: string } | null;
  /** Slack's own anomaly details (location, previous IP/UA, detected client...). */
  slack: Record<string, unknown>[];
}

/** A stored alert. Times are ISO 8601 (UTC) for people and sinks; `*_ts` are Unix seconds for code. */
export interface Alert {
  id: string;
  rule: string;
  severity: Severity;
  title: string;
  status: AlertStatus;
  status_note: string | null;
  status_by: string | null;
  user_id: string | null;
  user_name: string | null;
  user_email: string | null;
  first_seen: string;
  last_seen: string;
  first_ts: number;
  last_ts: number;
  /** Ids of the events that triggered it, oldest first (at most `MAX_EVENT_IDS`). */
  event_ids: string[];
  /** Number of distinct triggering events (may exceed `event_ids.length`). */
  event_count: number;
  tags: string[];
  context: AlertContext;
  created_at: string;
  updated_at: string;
  /** Grouping key (the user id unless the rule says otherwise). */
  key: string;
  /** Day number (in the configured time zone) the alert belongs to: alerts never span two days. */
  period: number;
  /** Time of the alert's first firing: with rule and key, its identity. */
  anchor: number;
  /** Incremented whenever what the alert says changes; sinks receive each version once. */
  version: number;
}

/** What the engine computes for an alert; the store adds status, times and version. */
export type AlertDraft = Omit<Alert, 'status' | 'status_note' | 'status_by' | 'created_at' | 'updated_at' | 'version' | 'first_seen' | 'last_seen'>;

/** Filters for listing alerts; all optional, arrays mean "any of". */
export interface AlertFilter {
  status?: AlertStatus[];
  rule?: string[];
  /** User id, email or name (exact). */
  user?: string;
  severity?: Severity[];
  /** Alerts whose events overlap [since, until] (Unix seconds, inclusive). */
  since?: number;
  until?: number;
  limit?: number;
  /** Alerts to skip (after ordering) before the first returned: with `limit`, one page. */
  offset?: number;
}

/** One change of an alert's status, as a responder made it (table `alert_status_log`). */
export interface AlertStatusChange {
  status: AlertStatus;
  note: string | null;
  by: string | null;
  /** ISO 8601 time of the change. */
  at: string;
}

/** How many alerts a filter matches per value of one dimension, most first. */
export interface FacetCount {
  name: string;
  count: number;
}

/**
 * Counts per rule, status, severity and user. Each dimension is counted under every filter but its own, so a
 * filter's choices keep showing their counts once one of them is picked.
 */
export interface AlertFacets {
  /** Alerts matching the whole filter. */
  total: number;
  rules: FacetCount[];
  statuses: FacetCount[];
  severities: FacetCount[];
  /** The users with most alerts (at most `MAX_FACET_USERS`). */
  users: Array<{ id: string; name: string | null; email: string | null; count: number }>;
}

/** Cap on the users a facet query lists: an organisation may have thousands. */
export const MAX_FACET_USERS = 100;

/** The alerts a recomputation owns: these rules, these periods, optionally one key. */
export interface AlertScope {
  rules: readonly string[];
  periodFrom: number;
  periodTo: number;
  key?: string;
}

export interface ReplaceResult {
  created: Alert[];
  updated: Alert[];
  /** Ids of alerts that no longer fire and were removed (open alerts only; an analyst's verdict is kept). */
  removed: string[];
  unchanged: number;
}

export interface AlertStore {
  get(id: string): Promise<Alert | null>;
  /** Newest first (by last event time). */
  list(filter?: AlertFilter): Promise<Alert[]>;
  /** How many alerts match a filter (`limit` and `offset` ignored). */
  count(filter?: AlertFilter): Promise<number>;
  /** Counts per rule, status, severity and user (see `AlertFacets`); `limit` and `offset` ignored. */
  facets(filter?: AlertFilter): Promise<AlertFacets>;
  /** Every status change of an alert with its note, who and when, oldest first (empty for an unknown id). */
  history(id: string): Promise<AlertStatusChange[]>;
  /** Existing alerts of a scope (used to diff a recomputation). */
  inScope(scope: AlertScope): Promise<Alert[]>;
  /**
   * Replace the alerts of a scope by a recomputation, atomically: same id → update (status kept, version bumped when
   * what it says changed), new id → create (inheriting the status of an alert it absorbs), missing → remove.
   */
  replace(scope: AlertScope, drafts: readonly AlertDraft[], nowMs: number): Promise<ReplaceResult>;
  /** Alerts of one user (user id or grouping key) whose last event is in [from, to]: their context may need a refresh. */
  forUser(user: string, from: number, to: number): Promise<Alert[]>;
  /**
   * Alerts whose stored triggering events include `eventId` (newest first); `ts` is that event's time, which lies
   * within each such alert's [first_ts, last_ts] and bounds the search.
   */
  containingEvent(eventId: string, ts: number): Promise<Alert[]>;
  /** Store a refreshed context (no version change: context alone does not re-notify). */
  setContext(id: string, context: AlertContext, nowMs: number): Promise<void>;
  updateStatus(id: string, status: AlertStatus, note: string | null, by: string | null, nowMs?: number): Promise<Alert | null>;
  /** Alerts created or changed whose current version has not been handed to the sinks yet. */
  pendingNotifications(limit: number): Promise<Alert[]>;
  /** The sinks accepted these versions (a newer version stays pending). */
  markNotified(items: ReadonlyArray<{ id: string; version: number }>): Promise<void>;
}

/** Cap on stored event ids per alert: a brute-force burst must not make one alert megabytes long. */
export const MAX_EVENT_IDS = 500;
