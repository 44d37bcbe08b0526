/**
 * The SQLite `IncidentStore` (tables `incidents`, `incident_alerts`, `incident_comments`, `incident_log`; see the
 * incidents migration), on the store's better-sqlite3 connection; reach it through `store.incidentStore()`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { severityRank } from '../../config/schema.ts';
import type { Incident, IncidentChange, IncidentComment, IncidentFilter, IncidentStatus, IncidentStore } from '../../incidents/types.ts';
import { isoSeconds } from '../../util/time.ts';
import { pageSql, sqlConditions } from './filter-sql.ts';
import { writeTx } from './write-tx.ts';

export type IncidentRow = Omit<Incident, 'first_seen' | 'last_seen' | 'alert_ids' | 'rules'> & { alert_ids: string; rules: string };

export const COLUMNS = 'id, user_id, user_name, user_email, severity, status, assignee, first_ts, last_ts, alert_ids, rules, title, created_at, updated_at';

/**
 * An `incidents` row (either backend) as the incident.
 *
 * @example rowToIncident(row).alert_ids // ['a1', 'a2']
 */
export function rowToIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    user_id: r.user_id,
    user_name: r.user_name,
    user_email: r.user_email,
    severity: r.severity,
    status: r.status,
    assignee: r.assignee,
    first_seen: isoSeconds(r.first_ts),
    last_seen: isoSeconds(r.last_ts),
    first_ts: r.first_ts,
    last_ts: r.last_ts,
    alert_ids: JSON.parse(r.alert_ids) as string[],
    rules: JSON.parse(r.rules) as string[],
    title: r.title,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/**
 * WHERE clause and parameters of a listing filter.
 *
 * @example filterSql({ status: ['open'] }) // { where: 'WHERE status IN (@s0)', p: { s0: 'open' } }
 */
function filterSql(f: IncidentFilter): { where: string; p: Record<string, unknown> } {
  const w = sqlConditions();
  w.inList('status', 's', f.status);
  w.inList('severity', 'v', f.severity);
  if (f.user) w.add('(user_id = @user OR user_email = @user OR user_name = @user)', { user: f.user });
  if (f.assignee) w.add('assignee = @assignee COLLATE NOCASE', { assignee: f.assignee });
  return w.build();
}

export class SqliteIncidentStore implements IncidentStore {
  /**
   * @example const incidents = new SqliteIncidentStore(db); // or: store.incidentStore()
   */
  constructor(private readonly db: BetterSqlite3.Database) {}

  async get(id: string): Promise<Incident | null> {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM incidents WHERE id = ?`).get(id) as IncidentRow | undefined;
    return r ? rowToIncident(r) : null;
  }

  async list(f: IncidentFilter = {}): Promise<Incident[]> {
    const { where, p } = filterSql(f);
    const sql = `SELECT ${COLUMNS} FROM incidents ${where} ORDER BY last_ts DESC, severity_rank DESC, id${pageSql(f.limit, f.offset)}`;
    return (this.db.prepare(sql).all(p) as IncidentRow[]).map(rowToIncident);
  }

  async count(f: IncidentFilter = {}): Promise<number> {
    const { where, p } = filterSql(f);
    return (this.db.prepare(`SELECT count(*) AS n FROM incidents ${where}`).get(p) as { n: number }).n;
  }

  async forUser(userId: string): Promise<Incident[]> {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM incidents WHERE user_id = ? ORDER BY first_ts, id`).all(userId) as IncidentRow[]).map(rowToIncident);
  }

  async forAlerts(alertIds: readonly string[]): Promise<Incident[]> {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM incidents WHERE id IN (SELECT incident_id FROM incident_alerts WHERE alert_id IN (SELECT value FROM json_each(?)))`)
      .all(JSON.stringify(alertIds)) as IncidentRow[];
    return rows.map(rowToIncident);
  }

  async replaceUser(userId: string, incidents: readonly Incident[], moves: ReadonlyArray<{ from: string; to: string }>): Promise<void> {
    const db = this.db;
    writeTx(db, () => {
      for (const m of moves) {
        db.prepare('UPDATE incident_comments SET incident_id = ? WHERE incident_id = ?').run(m.to, m.from);
        db.prepare('UPDATE incident_log SET incident_id = ? WHERE incident_id = ?').run(m.to, m.from);
      }
      const keep = new Set(incidents.map((i) => i.id));
      const old = db.prepare('SELECT id FROM incidents WHERE user_id = ?').pluck().all(userId) as string[];
      for (const id of old) {
        db.prepare('DELETE FROM incident_alerts WHERE incident_id = ?').run(id);
        if (!keep.has(id)) {
          db.prepare('DELETE FROM incidents WHERE id = ?').run(id);
          db.prepare('DELETE FROM incident_comments WHERE incident_id = ?').run(id);
          db.prepare('DELETE FROM incident_log WHERE incident_id = ?').run(id);
        }
      }
      const upsert = db.prepare(
        `INSERT INTO incidents (${COLUMNS}, severity_rank) VALUES (@id, @user_id, @user_name, @user_email, @severity, @status,
           @assignee, @first_ts, @last_ts, @alert_ids, @rules, @title, @created_at, @updated_at, @severity_rank)
         ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, user_name = excluded.user_name,
           user_email = excluded.user_email, severity = excluded.severity, status = excluded.status,
           assignee = excluded.assignee, first_ts = excluded.first_ts, last_ts = excluded.last_ts,
           alert_ids = excluded.alert_ids, rules = excluded.rules, title = excluded.title,
           updated_at = excluded.updated_at, severity_rank = excluded.severity_rank`,
      );
      // An alert belongs to one incident: a stale link from another user's incident (the alert changed user) goes.
      const link = db.prepare('INSERT INTO incident_alerts (alert_id, incident_id) VALUES (?, ?) ON CONFLICT (alert_id) DO UPDATE SET incident_id = excluded.incident_id');
      for (const i of incidents) {
        const { first_seen: _f, last_seen: _l, ...row } = i;
        upsert.run({ ...row, alert_ids: JSON.stringify(i.alert_ids), rules: JSON.stringify(i.rules), severity_rank: severityRank(i.severity) });
        for (const a of i.alert_ids) link.run(a, i.id);
      }
    })();
  }

  private change(id: string, set: string, value: string | null, c: Omit<IncidentChange, 'value' | 'at'>, nowMs: number): Incident | null {
    const at = new Date(nowMs).toISOString();
    const ok = writeTx(this.db, () => {
      const info = this.db.prepare(`UPDATE incidents SET ${set} = ?, updated_at = ? WHERE id = ?`).run(value, at, id);
      if (info.changes === 0) return false;
      this.db.prepare('INSERT INTO incident_log (incident_id, field, value, note, by, at) VALUES (?, ?, ?, ?, ?, ?)').run(id, c.field, value, c.note, c.by, at);
      return true;
    })();
    return ok ? rowToIncidentOrNull(this.db, id) : null;
  }

  async setStatus(id: string, status: IncidentStatus, note: string | null, by: string | null, nowMs: number): Promise<Incident | null> {
    return this.change(id, 'status', status, { field: 'status', note, by }, nowMs);
  }

  async setAssignee(id: string, assignee: string | null, by: string | null, nowMs: number): Promise<Incident | null> {
    return this.change(id, 'assignee', assignee, { field: 'assignee', note: null, by }, nowMs);
  }

  async addComment(id: string, author: string, text: string, nowMs: number): Promise<IncidentComment | null> {
    if (!this.db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(id)) return null;
    const at = new Date(nowMs).toISOString();
    const info = this.db.prepare('INSERT INTO incident_comments (incident_id, author, at, text) VALUES (?, ?, ?, ?)').run(id, author, at, text);
    return { id: Number(info.lastInsertRowid), author, at, text };
  }

  async comments(id: string): Promise<IncidentComment[]> {
    return this.db.prepare('SELECT id, author, at, text FROM incident_comments WHERE incident_id = ? ORDER BY id').all(id) as IncidentComment[];
  }

  async history(id: string): Promise<IncidentChange[]> {
    return this.db.prepare('SELECT field, value, note, by, at FROM incident_log WHERE incident_id = ? ORDER BY id').all(id) as IncidentChange[];
  }
}

function rowToIncidentOrNull(db: BetterSqlite3.Database, id: string): Incident | null {
  const r = db.prepare(`SELECT ${COLUMNS} FROM incidents WHERE id = ?`).get(id) as IncidentRow | undefined;
  return r ? rowToIncident(r) : null;
}
