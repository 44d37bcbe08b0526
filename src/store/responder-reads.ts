/**
 * The reads a responder needs before acting on a user (issue #11): when the user was last seen, whether Slack's
 * Anomaly Event Response already reset their sessions, and what the audit log knows of each session id that
 * `admin.users.session.list` returns. SQLite: `sqlite/responder-reads.ts`.
 */

/** What the stored events say about one `context.session_id`. Times are Unix seconds. */
export interface SessionFacts {
  sessionId: string;
  firstSeen: number;
  lastSeen: number;
  events: number;
  ips: string[];
  userAgents: string[];
  /** Anomaly events on this session, oldest first, with their reasons. */
  anomalies: Array<{ ts: number; reasons: string[] }>;
}

export interface ResponderReads {
  /** The alert a response comes from: its user and last event (Unix seconds), or null when there is no such alert. */
  alert(alertId: string): Promise<{ id: string; userId: string | null; lastTs: number } | null>;
  /** Newest event the user acted in (as actor), Unix seconds, or null. */
  userLastSeen(userId: string): Promise<number | null>;
  /** The user's team id (`actor.user.team`) in their newest event that names one, or null. */
  userTeam(userId: string): Promise<string | null>;
  /** Times (Unix seconds, oldest first) of `user_sessions_reset_by_anomaly_event_response` aimed at the user since `since`. */
  aerResets(userId: string, since: number): Promise<number[]>;
  /**
   * Whether the stored audit log shows the user as an org owner or admin: the newest `role_change_to_*` aimed at
   * them (`owner`/`admin`; `role_change_to_user`/`_guest` takes it away), else acting in an action only owners and
   * admins can take (role changes, session resets by an admin, org settings `pref.*`, exports) → `admin`. Null when
   * neither shows. Playbooks never act automatically on these users.
   */
  privilegedRole(userId: string): Promise<'owner' | 'admin' | null>;
  /** Facts per session id of this user (ids the log never saw are absent from the map). */
  sessionFacts(userId: string, sessionIds: readonly string[]): Promise<Map<string, SessionFacts>>;
}
