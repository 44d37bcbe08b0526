/**
 * `ResponderReads` on PostgreSQL over the `events` indexes (`events_actor_ts`, `events_entity_ts`,
 * `events_session_ts`); the alert comes from the store's `AlertStore`. SQLite: `sqlite/responder-reads.ts`.
 */
import type pg from 'pg';
import type { AlertStore } from '../../alerts/types.ts';
import type { ResponderReads, SessionFacts } from '../responder-reads.ts';
import { ADMIN_ONLY_ACTIONS, AER_ACTION } from '../sqlite/responder-reads.ts';

/**
 * @example
 * const reads = pgResponderReads(store.pool, () => store.alertStore());
 * await reads.aerResets('W0MATT0001', alert.last_ts) // [1767139270]
 */
export function pgResponderReads(pool: pg.Pool, alerts: () => AlertStore): ResponderReads {
  const one = async <T extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await pool.query<T>(sql, params)).rows[0];
  return {
    async userLastSeen(userId) {
      return (await one<{ t: number | null }>('SELECT max(ts) AS t FROM events WHERE actor_id = $1', [userId]))?.t ?? null;
    },
    async alert(alertId) {
      const a = await alerts().get(alertId);
      return a ? { id: a.id, userId: a.user_id, lastTs: a.last_ts } : null;
    },
    async userTeam(userId) {
      const team = "raw::json #>> '{actor,user,team}'";
      return (await one<{ t: string }>(`SELECT ${team} AS t FROM events WHERE actor_id = $1 AND ${team} IS NOT NULL ORDER BY ts DESC LIMIT 1`, [userId]))?.t ?? null;
    },
    async aerResets(userId, since) {
      const r = await pool.query<{ ts: number }>('SELECT ts FROM events WHERE entity_id = $1 AND action = $2 AND ts >= $3 ORDER BY ts', [userId, AER_ACTION, since]);
      return r.rows.map((x) => x.ts);
    },
    async privilegedRole(userId) {
      const last = (await one<{ action: string }>("SELECT action FROM events WHERE entity_id = $1 AND action LIKE 'role_change_to_%' ORDER BY ts DESC, seq DESC LIMIT 1", [userId]))?.action;
      if (last === 'role_change_to_owner') return 'owner';
      if (last === 'role_change_to_admin') return 'admin';
      const admin = await one("SELECT 1 FROM events WHERE actor_id = $1 AND (action = ANY($2::text[]) OR action LIKE 'pref.%') LIMIT 1", [userId, ADMIN_ONLY_ACTIONS]);
      return admin ? 'admin' : null;
    },
    async sessionFacts(userId, sessionIds) {
      const out = new Map<string, SessionFacts>();
      const ids = [...new Set(sessionIds)];
      if (!ids.length) return out;
      const r = await pool.query<{ sid: string; ts: number; action: string; ip: string | null; ua: string | null; reasons: string | null }>(
        'SELECT session_id AS sid, ts, action, ip, ua, reasons FROM events WHERE session_id = ANY($1::text[]) AND actor_id = $2 ORDER BY ts, seq',
        [ids, userId],
      );
      for (const sid of ids) {
        const rows = r.rows.filter((x) => x.sid === sid);
        if (rows.length === 0) continue;
        const ips = new Set<string>();
        const uas = new Set<string>();
        const anomalies: SessionFacts['anomalies'] = [];
        for (const x of rows) {
          if (x.ip) ips.add(x.ip);
          if (x.ua) uas.add(x.ua);
          if (x.action === 'anomaly') anomalies.push({ ts: x.ts, reasons: x.reasons ? x.reasons.split(',') : [] });
        }
        out.set(sid, { sessionId: sid, firstSeen: rows[0]!.ts, lastSeen: rows[rows.length - 1]!.ts, events: rows.length, ips: [...ips], userAgents: [...uas], anomalies });
      }
      return out;
    },
  };
}
