/** `ResponderReads` over the `events` table (indexes `events_actor_ts`, `events_entity_ts`, `events_session_ts`). */
import type BetterSqlite3 from 'better-sqlite3';
import type { ResponderReads, SessionFacts } from '../responder-reads.ts';

export const AER_ACTION = 'user_sessions_reset_by_anomaly_event_response';

/** Actions only an org owner or admin can take: their actor is an admin (see `ResponderReads.privilegedRole`). */
export const ADMIN_ONLY_ACTIONS = [
  'role_change_to_admin', 'role_change_to_owner', 'role_change_to_user', 'role_change_to_guest', 'owner_transferred',
  'user_session_reset_by_admin', 'bulk_session_reset_by_admin', 'user_session_invalidated', 'manual_export_started',
] as const;

/**
 * @example
 * const reads = sqliteResponderReads(store.db);
 * await reads.aerResets('W0MATT0001', alert.last_ts) // [1767139270]
 */
export function sqliteResponderReads(db: BetterSqlite3.Database): ResponderReads {
  const lastSeen = db.prepare('SELECT max(ts) FROM events WHERE actor_id = ?').pluck();
  const alert = db.prepare('SELECT id, user_id AS userId, last_ts AS lastTs FROM alerts WHERE id = ?');
  const team = db
    .prepare("SELECT json_extract(raw, '$.actor.user.team') FROM events WHERE actor_id = ? AND json_extract(raw, '$.actor.user.team') IS NOT NULL ORDER BY ts DESC LIMIT 1")
    .pluck();
  const aer = db.prepare('SELECT ts FROM events WHERE entity_id = ? AND action = ? AND ts >= ? ORDER BY ts').pluck();
  const roleChange = db
    .prepare("SELECT action FROM events WHERE entity_id = ? AND action LIKE 'role_change_to_%' ORDER BY ts DESC, seq DESC LIMIT 1")
    .pluck();
  const adminActor = db
    .prepare(`SELECT 1 FROM events WHERE actor_id = ? AND (action IN (${ADMIN_ONLY_ACTIONS.map(() => '?').join(',')}) OR action LIKE 'pref.%') LIMIT 1`)
    .pluck();
  const bySession = db.prepare(
    'SELECT ts, action, ip, ua, reasons FROM events WHERE session_id = ? AND actor_id = ? ORDER BY ts, seq',
  );
  return {
    async userLastSeen(userId) {
      return (lastSeen.get(userId) as number | null) ?? null;
    },
    async alert(alertId) {
      return (alert.get(alertId) as { id: string; userId: string | null; lastTs: number } | undefined) ?? null;
    },
    async userTeam(userId) {
      return (team.get(userId) as string | undefined) ?? null;
    },
    async aerResets(userId, since) {
      return aer.all(userId, AER_ACTION, since) as number[];
    },
    async privilegedRole(userId) {
      const last = roleChange.get(userId) as string | undefined;
      if (last === 'role_change_to_owner') return 'owner';
      if (last === 'role_change_to_admin') return 'admin';
      return adminActor.get(userId, ...ADMIN_ONLY_ACTIONS) ? 'admin' : null;
    },
    async sessionFacts(userId, sessionIds) {
      const out = new Map<string, SessionFacts>();
      for (const sid of new Set(sessionIds)) {
        const rows = bySession.all(sid, userId) as Array<{ ts: number; action: string; ip: string | null; ua: string | null; reasons: string | null }>;
        if (rows.length === 0) continue;
        const ips = new Set<string>();
        const uas = new Set<string>();
        const anomalies: SessionFacts['anomalies'] = [];
        for (const r of rows) {
          if (r.ip) ips.add(r.ip);
          if (r.ua) uas.add(r.ua);
          if (r.action === 'anomaly') anomalies.push({ ts: r.ts, reasons: r.reasons ? r.reasons.split(',') : [] });
        }
        out.set(sid, { sessionId: sid, firstSeen: rows[0]!.ts, lastSeen: rows[rows.length - 1]!.ts, events: rows.length, ips: [...ips], userAgents: [...uas], anomalies });
      }
      return out;
    },
  };
}
