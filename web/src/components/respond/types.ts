// The JSON bodies of the respond API (/work/notes/respond-api.md, docs/api.md "Respond"), as the web app reads them.
// Declared here until the server declares them in src/server/api-types.ts; type-only, nothing reaches the bundle.

export type SignOutScope = 'all' | 'mobile' | 'web';
export type AllowlistTarget = 'slack' | 'local' | 'both';

/** One record of the action log (as `gridwatch actions --format json`; no token, hashes not needed here). */
export interface ActionRecord {
  id: number;
  time: string;
  actor: string;
  action: string;
  targets: string[];
  status: string;
  reason: string | null;
  alert_id: string | null;
  slack_error: string | null;
  /** The call's arguments (the store names them `arguments`, the API contract `args`: either is read). */
  args?: Record<string, unknown>;
  arguments?: Record<string, unknown>;
  message?: string | null;
  diff: { added: AllowlistEntries; removed: AllowlistEntries } | null;
}

/** `GET /action-log`: a page, newest first, and how many match. */
export interface ActionList {
  actions: ActionRecord[];
  total: number;
}

/** `GET /respond/preflight/:user_id`: what the store knows before acting. */
export interface Preflight {
  user_id: string;
  user_name: string | null;
  email: string | null;
  last_seen: string | null;
  aer_reset: { at: string; after_alert: boolean } | null;
  /** Does the server hold an admin token? Without one every call fails. */
  configured: boolean;
}

/** The answer of every state-changing respond route. */
export interface ActionResult {
  ok: boolean;
  message: string;
  action: ActionRecord;
}

export interface StoreSessionFacts {
  first_seen: string | number | null;
  last_seen: string | number | null;
  ips: string[];
  user_agents: string[];
  anomalies: unknown;
}

/** `GET /respond/sessions/:user_id`: Slack's active sessions beside those seen in the audit log. */
export interface SessionList {
  sessions: Array<{
    session_id: string;
    device: string | null;
    os: string | null;
    client_version: string | null;
    ip: string | null;
    created: string | number | null;
    recent: string | number | null;
    store: StoreSessionFacts | null;
  }>;
  audit_sessions: Array<{ session_id: string } & Omit<StoreSessionFacts, 'anomalies'>>;
}

export interface AllowlistEntries {
  cidrs: string[];
  asns: number[];
}

export interface AllowlistSide {
  before: AllowlistEntries;
  after: AllowlistEntries;
  added: AllowlistEntries;
  removed: AllowlistEntries;
}

/** `POST /allowlist/preview` and the body it and `/allowlist/apply` take. */
export interface AllowlistChange {
  op: 'add' | 'remove';
  cidrs?: string[];
  asns?: number[];
  to: AllowlistTarget;
}
export interface AllowlistPreview {
  errors: string[];
  slack?: AllowlistSide;
  local?: AllowlistSide;
}
export interface AllowlistApplied {
  ok: boolean;
  message: string;
  concurrent_change: boolean;
  actions: ActionRecord[];
}

/** What a playbook proposed for an alert (`responses:` in the config). */
export interface Proposal {
  action: 'sign-out';
  scope: SignOutScope;
  mode: 'propose' | 'auto';
  status: 'proposed' | 'approved' | 'done' | 'failed' | 'skipped';
  reason?: string;
}

/** The fields the respond feature adds to `GET /alerts/:id` and `GET /users/:id`. */
export interface AlertRespondFields {
  proposal?: Proposal | null;
  actions?: ActionRecord[];
}
export interface UserRespondFields {
  actions?: ActionRecord[];
}
