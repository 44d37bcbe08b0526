/**
 * The JSON bodies of the HTTP API (see docs/api.md): declared once here, produced by the routes (which check their
 * answers against these types with `satisfies`) and read by the web app, which imports them with `import type`.
 *
 * Types only: the web build erases these imports, so nothing here (or in what it imports) must be needed at run
 * time in the browser. Times are ISO 8601 (UTC) strings for people; `ts`, `since`, `until`, `t` are Unix seconds.
 */
import type { ActionRecord } from '../store/actions.ts';
import type { Alert, AlertContext, AlertFacets, AlertStatus, AlertStatusChange, IpFacts, Severity, UaFacts } from '../alerts/types.ts';
import type { Account, Role } from './auth/users.ts';

export type { Account, Alert, AlertContext, AlertFacets, AlertStatus, AlertStatusChange, Role, Severity };

/** One event as listed: the normalised fields, without the raw text. */
export interface EventSummary {
  id: string;
  seq: number;
  ts: number;
  time: string;
  action: string;
  actor: { id: string | null; name: string | null; email: string | null };
  entity: { type: string | null; id: string | null; name: string | null };
  /** The channel of a message entity (`entity.message.channel`), else null. */
  channel: string | null;
  ip: string | null;
  session_id: string | null;
  ua: string | null;
  reasons: string[];
}

/** `GET /events`: one page, newest first. */
export interface EventPage {
  events: EventSummary[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
  /** A free-text search stopped before the end of the range (see `searched_until`). */
  partial: boolean;
  searched_until?: string;
}

/** `GET /events/:id`: one event with the exact raw text received from Slack and the paths to highlight in it. */
export interface EventDetail {
  event: EventSummary;
  raw: string;
  highlight: string[];
  /** The alerts whose stored triggering events include this one, newest first, each with its incident (or null). */
  alerts: EventAlertRef[];
}

/** An alert containing an event, as the event panel lists it. */
export interface EventAlertRef {
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  incident_id: string | null;
}

/** `GET /stats/volume`: the event-volume histogram. */
export interface Volume {
  since: number;
  until: number;
  /** Bucket width in seconds; bucket i starts at `t[i]` (aligned on multiples of the width). */
  bucket: number;
  t: number[];
  n: number[];
  total: number;
  /** `rollup` (hourly table) or `events` (grouped directly). */
  source: 'rollup' | 'events';
  /** True when a free-text filter was given: the histogram counts the other filters only. */
  text_ignored: boolean;
  /**
   * `n` split by action category (the action catalogue's categories, `other` for actions it does not list), in
   * catalogue order, only categories with events in the range: for each bucket the rows sum to `n[i]`.
   */
  categories: Array<{ category: string; n: number[] }>;
  /** Anomaly events (action `anomaly`) per bucket. */
  anomalies: number[];
}

/** `GET /actions`: the action catalogue by category, with stored counts. */
export interface Catalogue {
  categories: Array<{ category: string; actions: Array<{ name: string; count: number }> }>;
}

/** `GET /auth/me` (and the answer to a login or password change). */
export interface Me {
  user: { name: string; role: Role; mustChangePassword: boolean };
  csrf: string;
}

/** An alert as listed: everything but the (large) context, plus its summary and reasons. */
export type AlertListItem = Omit<Alert, 'context'> & { summary: string | null; reasons: string[] };

/** `GET /alerts`: one page, newest first. */
export interface AlertList {
  alerts: AlertListItem[];
  /** False when the database has no alerts table (detection never ran). */
  available: boolean;
  /** Alerts matching the filters, over all pages. */
  total: number;
  /** Position of the first alert of this page among them, and the page size asked for. */
  offset: number;
  limit: number;
}

/** `GET /alerts/facets`: counts per rule, status, severity and user, for the filters. */
export type AlertFacetList = AlertFacets & { available: boolean };

/** `GET /alerts/:id`: the alert with its context, its newest triggering events and its status history. */
export interface AlertDetail {
  alert: Alert;
  events: Array<EventSummary & { highlight: string[] }>;
  events_truncated: boolean;
  /** Every status change, oldest first: who set which status when, with the note. */
  history: AlertStatusChange[];
  /** The response a playbook proposed for it (`responses:` in the config), with its status; null when none. */
  proposal: AlertProposal | null;
  /** The action log's records about this alert, newest first. */
  actions: ActionJson[];
  /** What the alert's rule says about itself (the loaded rules, overrides applied); null when it is not loaded. */
  rule: AlertRuleInfo | null;
}

/** A rule's own documentation, shown with its alerts. `tags` are namespaced as in Sigma (`attack.t1213`). */
export interface AlertRuleInfo {
  title: string;
  description: string;
  false_positives: string[];
  references: string[];
  runbook: string;
  tags: string[];
}

/** `POST /alerts/:id/exception/preview`: stored alerts of the rule the exception would have suppressed, of all. */
export interface ExceptionPreviewJson {
  rule: string;
  would_suppress: number;
  total: number;
  /** Ids of suppressed alerts, newest first (at most 20). */
  examples: string[];
}

/** A playbook's proposal as the UI shows it (docs/api.md "Respond"). */
export interface AlertProposal {
  action: 'sign-out';
  scope: 'all' | 'mobile' | 'web';
  mode: 'propose' | 'auto';
  status: 'proposed' | 'approved' | 'done' | 'failed' | 'skipped';
  reason?: string;
}

/** An action-log record without its hashes, `arguments` as `args` (as `GET /actions` lists them). */
export type ActionJson = Omit<ActionRecord, 'prev_hash' | 'hash' | 'arguments'> & { args: Record<string, unknown> };

/** First and last use of something (an IP, a user agent, a file), and how many events. */
export interface Seen {
  first_seen: string;
  last_seen: string;
  count: number;
}

/** What the local configuration says about an address: trusted, VPN egress, threat intelligence, ASN, country. */
export type AddressFacts = Pick<IpFacts, 'trusted' | 'vpn' | 'threat_intel'> & {
  asn: { asn: number; name: string | null } | null;
  /** ISO 3166-1 alpha-2 code from the IP data (shipped, or `ip_data.country_csv`), null when unknown. */
  country: string | null;
};

/** `Seen` plus how many of the uses fall in the selected range (the history reaches further back). */
export type Usage = Seen & { in_range: number };

/**
 * Mean and max of the baseline days before each day (null before the user's first day). For `excessive_downloads`
 * under the baseline rule (`daily.rule`), `max` is the rule's limit for the day (above it, it alerts: the `limit` of
 * its alert) and `mean` the mean of the rule's lookback.
 */
export interface Series {
  mean: Array<number | null>;
  max: Array<number | null>;
}

/** `GET /users/:id`: one person of the audit log over a range. */
export interface UserSummary {
  user: { id: string; name: string | null; email: string | null; first_seen: string; last_seen: string; events: number };
  /** The range answered; `clamped` when it differs from the one asked (cut to the data, at most a year). */
  range: { since: number; until: number; clamped: boolean };
  ips: Array<{ ip: string } & Usage & AddressFacts>;
  /** Each list stops at its cap (see docs/api.md); `*_truncated` says more exist. */
  ips_truncated: boolean;
  asns: Array<{ asn: number; name: string | null; ips: string[] } & Seen>;
  asn_data: string;
  user_agents: Array<Pick<UaFacts, 'ua' | 'family' | 'name' | 'version' | 'expected'> & { os: string | null } & Usage>;
  user_agents_truncated: boolean;
  daily: {
    days: string[];
    day_start: number[];
    timezone: string;
    file_downloaded: number[];
    excessive_downloads: number[];
    baseline_days: number;
    baseline: { file_downloaded: Series; excessive_downloads: Series };
    /** The baseline rule as configured, which `baseline.excessive_downloads` follows; null when it is not enabled. */
    rule: {
      id: string;
      bucket_days: number;
      lookback_days: number;
      fallback: number | null;
      /** Per day: the user's own history (`baseline`), too little of it (`fallback`) or the rule's `above`. */
      basis: Array<'baseline' | 'fallback' | 'fixed'>;
    } | null;
  };
  files: Array<{ file_id: string | null; name: string | null } & Seen>;
  files_truncated: boolean;
  /** Newest first; the rest through `GET /events?actor=&action=anomaly`. */
  anomalies: EventSummary[];
  anomalies_truncated: boolean;
  /** The user's alerts, as listed but without the summary. */
  alerts: Array<Omit<AlertListItem, 'summary'>>;
  alerts_truncated: boolean;
  /** The action log's records aimed at this user, newest 50. */
  actions: ActionJson[];
}

/** `GET /users/:id/timeline`: activity per bucket, with the anomalies and alerts to mark on it. */
export interface Timeline {
  user: { id: string; name: string | null };
  since: number;
  until: number;
  bucket: number;
  t: number[];
  n: number[];
  anomalies: Array<{ id: string; ts: number; reasons: string[] }>;
  anomalies_truncated: boolean;
  alerts: Array<Pick<Alert, 'id' | 'first_ts' | 'last_ts' | 'title' | 'severity' | 'status' | 'rule'>>;
  alerts_truncated: boolean;
}

/** `GET /ips/:ip`: who used an address, when, and from which clients. */
export interface IpSummary extends AddressFacts {
  ip: string;
  events: number;
  first_seen: string | null;
  last_seen: string | null;
  /** Most recent first, at most 500 each; `*_truncated` says more exist (`events` and the times count them all). */
  users: Array<{ id: string | null; name: string | null; email: string | null } & Seen>;
  users_truncated: boolean;
  user_agents: Array<{ ua: string; expected: boolean } & Seen>;
  user_agents_truncated: boolean;
  /**
   * Events `users` and `user_agents` were gathered from: the newest, at most `MAX_IP_SCAN`. When `partial`, older
   * events were not read, and the lists' counts and first-seen times cover the scanned ones only.
   */
  lists_from: { events: number; partial: boolean };
  /** The announced block holding the address in the IP data (CIDR, or `first-last`); null when unknown. */
  network: string | null;
  /** Is it on Slack's own IP allowlist? `unknown` (with `why`) for viewers, without an admin token, or when Slack fails. */
  slack_allowlist: SlackTrust;
}

/** What Slack's IP allowlist says about an address. */
export interface SlackTrust {
  state: 'trusted' | 'not_trusted' | 'unknown';
  /** The entry that matched (CIDR or `AS<n>`). */
  match: string | null;
  why: string | null;
}
