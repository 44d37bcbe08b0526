/**
 * Incidents: one user's alerts that lie within `incidents.gap` of each other, across rules and days, triaged as one
 * story (status, assignee, comments). Which alerts form an incident is a function of the user's alerts (see
 * `plan.ts`); what the analyst decided (status, assignee, comments, history) is kept by the store.
 *
 * The `IncidentStore` only keeps records (SQLite: `store/sqlite/incidents.ts`, reached through
 * `store.incidentStore()`); the rules that touch alerts too (status propagation, regrouping) live in `service.ts`.
 */
import { ALERT_STATUSES, type AlertStatus, type Severity } from '../alerts/types.ts';

/** The same statuses, spelt the same way, as alerts: an incident's status is applied to its alerts. */
export const INCIDENT_STATUSES = ALERT_STATUSES;
export type IncidentStatus = AlertStatus;

/** Statuses that close an incident: its alerts are frozen, a later alert starts a new incident. */
export const CLOSED_STATUSES: readonly IncidentStatus[] = ['resolved', 'false_positive'];

/** A stored incident. Times as alerts have them: ISO 8601 for people, `*_ts` Unix seconds for code. */
export interface Incident {
  /** `in_` + 20 hex digits derived from the id of its first alert. */
  id: string;
  /** The alerts' user id (their grouping key when the rule names no user). */
  user_id: string;
  user_name: string | null;
  user_email: string | null;
  severity: Severity;
  status: IncidentStatus;
  /** A gridwatch account name, or null. */
  assignee: string | null;
  first_seen: string;
  last_seen: string;
  first_ts: number;
  last_ts: number;
  /** Its alerts, oldest first (by first event, then id). */
  alert_ids: string[];
  /** Distinct rules of its alerts, in the order they first fired. */
  rules: string[];
  title: string;
  created_at: string;
  updated_at: string;
}

/** One comment of an incident's thread. */
export interface IncidentComment {
  id: number;
  author: string;
  /** ISO 8601. */
  at: string;
  text: string;
}

/** One change an analyst made: a status (with its note) or an assignment. */
export interface IncidentChange {
  field: 'status' | 'assignee';
  /** The new status, or the new assignee (null: unassigned). */
  value: string | null;
  note: string | null;
  by: string | null;
  at: string;
}

/** Filters for listing incidents; all optional, arrays mean "any of". */
export interface IncidentFilter {
  status?: IncidentStatus[];
  severity?: Severity[];
  /** User id, email or name (exact). */
  user?: string;
  /** Account name (exact, without case). */
  assignee?: string;
  limit?: number;
  offset?: number;
}

export interface IncidentStore {
  get(id: string): Promise<Incident | null>;
  /** Newest activity first (last alert event), the most severe first among equals, then id. */
  list(filter?: IncidentFilter): Promise<Incident[]>;
  /** How many incidents match (`limit` and `offset` ignored). */
  count(filter?: IncidentFilter): Promise<number>;
  /** Every incident of one user (their `user_id`). */
  forUser(userId: string): Promise<Incident[]>;
  /** The incidents holding any of these alerts. */
  forAlerts(alertIds: readonly string[]): Promise<Incident[]>;
  /**
   * Make a user's incidents exactly `incidents`, atomically: write them, delete the user's others, and first hand the
   * comments and history of each `moves[].from` to `moves[].to` (an incident absorbed by another).
   */
  replaceUser(userId: string, incidents: readonly Incident[], moves: ReadonlyArray<{ from: string; to: string }>): Promise<void>;
  /** Set the status and record the change; null for an unknown id. */
  setStatus(id: string, status: IncidentStatus, note: string | null, by: string | null, nowMs: number): Promise<Incident | null>;
  /** Set (or clear) the assignee and record the change; null for an unknown id. */
  setAssignee(id: string, assignee: string | null, by: string | null, nowMs: number): Promise<Incident | null>;
  /** Add a comment; null for an unknown id. */
  addComment(id: string, author: string, text: string, nowMs: number): Promise<IncidentComment | null>;
  /** Oldest first. */
  comments(id: string): Promise<IncidentComment[]>;
  /** Oldest first. */
  history(id: string): Promise<IncidentChange[]>;
}
