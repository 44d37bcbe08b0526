/**
 * A user's active Slack sessions (`admin.users.session.list`) joined with what the stored audit log says of each
 * session id (first/last seen, addresses, user agents, anomalies), for `gridwatch respond sessions`.
 */
import type { ActiveSession } from '../slack/web-client.ts';
import type { ResponderReads, SessionFacts } from '../store/responder-reads.ts';

export interface JoinedSession {
  sessionId: string;
  teamId: string;
  /** Slack's view: device, OS, client version and address when created and, if it changed, most recently. */
  created: ActiveSession['created'] | null;
  recent: ActiveSession['recent'] | null;
  /** The audit log's view, null when no stored event carries this session id. */
  seen: SessionFacts | null;
}

/**
 * @example const rows = await joinSessions(await slack.sessionList({ userId, teamId }), store.responderReads(), userId);
 */
export async function joinSessions(active: readonly ActiveSession[], reads: ResponderReads, userId: string): Promise<JoinedSession[]> {
  const ids = active.map((s) => String(s.session_id));
  const facts = await reads.sessionFacts(userId, ids);
  return active.map((s) => ({
    sessionId: String(s.session_id),
    teamId: s.team_id,
    created: s.created ?? null,
    recent: s.recent ?? null,
    seen: facts.get(String(s.session_id)) ?? null,
  }));
}
