// Shapes returned by the gridwatch API (see docs/api.md).

export interface EventSummary {
  id: string;
  seq: number;
  ts: number;
  time: string;
  action: string;
  actor: { id: string | null; name: string | null; email: string | null };
  entity: { type: string | null; id: string | null; name: string | null };
  ip: string | null;
  session_id: string | null;
  ua: string | null;
  reasons: string[];
}

export interface EventPage {
  events: EventSummary[];
  next: string | null;
  partial: boolean;
  searched_until?: string;
}

export interface EventDetail {
  event: EventSummary;
  raw: string;
  highlight: string[];
}

export interface Volume {
  since: number;
  until: number;
  bucket: number;
  t: number[];
  n: number[];
  total: number;
  source: string;
  text_ignored: boolean;
}

export interface Me {
  user: { name: string; role: 'viewer' | 'responder' | 'admin'; mustChangePassword: boolean };
  csrf: string;
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved' | 'false_positive';
export const ALERT_STATUSES: AlertStatus[] = ['open', 'acknowledged', 'resolved', 'false_positive'];
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface AlertListItem {
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
  event_count: number;
  tags: string[];
  summary: string | null;
  reasons: string[];
}

export interface History {
  first_seen: string;
  last_seen: string;
  count: number;
}

export interface AlertContext {
  summary: string;
  reasons: string[];
  facts: Record<string, unknown>;
  target: { type: string | null; id: string | null; name: string | null } | null;
  ips: Array<{
    ip: string;
    new_for_user: boolean;
    history: History | null;
    trusted: { trusted: boolean; by?: string; match?: string };
    vpn: string | null;
    threat_intel: { listed: boolean; entry?: string } | null;
    slack_said: string[];
    asn: { asn: number; name?: string } | null;
  }>;
  user_agents: Array<{ ua: string; family: string; name: string; version: string | null; expected: boolean; new_for_user: boolean; history: History | null }>;
  downloads: {
    window: { from: string; to: string };
    count: number;
    files: Array<{ event_id: string; time: string; file_id: string | null; file_name: string | null; ip: string | null; ua: string | null }>;
  } | null;
  related: Array<{ event_id: string; time: string; action: string; reasons?: string[]; ip: string | null; ua: string | null; entity: string | null }>;
  aer_reset: { time: string; event_id: string } | null;
  slack: Record<string, unknown>[];
}

export interface AlertFull extends Omit<AlertListItem, 'summary' | 'reasons'> {
  context: AlertContext;
  event_ids: string[];
}

export interface AlertDetail {
  alert: AlertFull;
  events: Array<EventSummary & { highlight: string[] }>;
  events_truncated: boolean;
}

export interface Catalogue {
  categories: Array<{ category: string; actions: Array<{ name: string; count: number }> }>;
}

export interface Usage {
  first_seen: string;
  last_seen: string;
  count: number;
  in_range: number;
}

export interface IpFactsT {
  trusted: { trusted: boolean; by?: string; match?: string };
  asn: { asn: number; name: string | null } | null;
  vpn: string | null;
  threat_intel: { listed: boolean; entry?: string } | null;
}

export interface Series {
  mean: Array<number | null>;
  max: Array<number | null>;
}

export interface UserSummary {
  user: { id: string; name: string | null; email: string | null; first_seen: string; last_seen: string; events: number };
  range: { since: number; until: number };
  ips: Array<{ ip: string } & Usage & IpFactsT>;
  asns: Array<{ asn: number; name: string | null; ips: string[]; count: number; first_seen: string; last_seen: string }>;
  asn_data: string;
  user_agents: Array<{ ua: string; family: string; name: string; version: string | null; os: string | null; expected: boolean } & Usage>;
  daily: {
    days: string[];
    day_start: number[];
    timezone: string;
    file_downloaded: number[];
    excessive_downloads: number[];
    baseline_days: number;
    baseline: { file_downloaded: Series; excessive_downloads: Series };
  };
  files: Array<{ file_id: string | null; name: string | null; count: number; first_seen: string; last_seen: string }>;
  files_truncated: boolean;
  anomalies: EventSummary[];
  alerts: Array<AlertListItem>;
}

export interface Timeline {
  since: number;
  until: number;
  bucket: number;
  t: number[];
  n: number[];
  anomalies: Array<{ id: string; ts: number; reasons: string[] }>;
  alerts: Array<{ id: string; first_ts: number; last_ts: number; title: string; severity: Severity; status: AlertStatus; rule: string }>;
}

export interface IpSummary extends IpFactsT {
  ip: string;
  events: number;
  first_seen: string | null;
  last_seen: string | null;
  users: Array<{ id: string | null; name: string | null; email: string | null; count: number; first_seen: string; last_seen: string }>;
  user_agents: Array<{ ua: string; expected: boolean; count: number; first_seen: string; last_seen: string }>;
}

export interface Account {
  id: number;
  name: string;
  role: 'viewer' | 'responder' | 'admin';
  mustChange: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}
