/**
 * The PostgreSQL `IncidentStore` (tables `incidents`, `incident_alerts`, `incident_comments`, `incident_log`,
 * migration 14); reach it through `store.incidentStore()`. Same semantics, order and tie-breaks as
 * `sqlite/incidents.ts`. A user's regrouping is one transaction under an advisory lock, so two processes regrouping
 * at once queue.
 */
import type pg from 'pg';
import { severityRank } from '../../config/schema.ts';
import type { Incident, IncidentChange, IncidentComment, IncidentFilter, IncidentStatus, IncidentStore } from '../../incidents/types.ts';
import { COLUMNS, rowToIncident, type IncidentRow } from '../sqlite/incidents.ts';
import { pgConditions, pgPageSql } from './filter-sql.ts';
import { inTransaction } from './tx.ts';

const REGROUP_LOCK = 'gridwatch.incidents.regroup';
const WRITE_COLUMNS = [...COLUMNS.split(', '), 'severity_rank'];
const INT_COLUMNS = new Set(['first_ts', 'last_ts', 'severity_rank']);
const UPSERT = `INSERT INTO incidents (${WRITE_COLUMNS.join(', ')})
  SELECT * FROM unnest(${WRITE_COLUMNS.map((c, i) => `$${i + 1}::${INT_COLUMNS.has(c) ? 'int8' : 'text'}[]`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${WRITE_COLUMNS.filter((c) => c !== 'id' && c !== 'created_at').map((c) => `${c} = excluded.${c}`).join(', ')}`;

/**
 * WHERE clause and parameters of a listing filter (those of `sqlite/incidents.ts`; the assignee without case).
 *
 * @example filterSql({ status: ['open'] }) // { where: 'WHERE status = ANY($1::text[])', params: [['open']] }
 */
function filterSql(f: IncidentFilter): { where: string; params: unknown[] } {
  const w = pgConditions();
  w.inList('status', f.status);
  w.inList('severity', f.severity);
  if (f.user) {
    const u = w.param(f.user);
    w.add(`(user_id = ${u} OR user_email = ${u} OR user_name = ${u})`);
  }
  // The column is COLLATE "C": lower() folds ASCII letters only, as SQLite's NOCASE.
  if (f.assignee) w.add(`lower(assignee) = lower(${w.param(f.assignee)} COLLATE "C")`);
  return w.build();
}

export class PgIncidentStore implements IncidentStore {
  /**
   * @example const incidents = new PgIncidentStore(pool); // or: store.incidentStore()
   */
  constructor(private readonly pool: pg.Pool) {}

  private async rows(c: pg.Pool | pg.PoolClient, sql: string, params: unknown[]): Promise<Incident[]> {
    return (await c.query<IncidentRow>(sql, params)).rows.map(rowToIncident);
  }

  async get(id: string): Promise<Incident | null> {
    return (await this.rows(this.pool, `SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]))[0] ?? null;
  }

  async list(f: IncidentFilter = {}): Promise<Incident[]> {
    const { where, params } = filterSql(f);
    return this.rows(this.pool, `SELECT ${COLUMNS} FROM incidents ${where} ORDER BY last_ts DESC, severity_rank DESC, id${pgPageSql(f.limit, f.offset)}`, params);
  }

  async count(f: IncidentFilter = {}): Promise<number> {
    const { where, params } = filterSql(f);
    return (await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM incidents ${where}`, params)).rows[0]!.n;
  }

  async forUser(userId: string): Promise<Incident[]> {
    return this.rows(this.pool, `SELECT ${COLUMNS} FROM incidents WHERE user_id = $1 ORDER BY first_ts, id`, [userId]);
  }

  async forAlerts(alertIds: readonly string[]): Promise<Incident[]> {
    if (!alertIds.length) return [];
    return this.rows(this.pool, `SELECT ${COLUMNS} FROM incidents WHERE id IN (SELECT incident_id FROM incident_alerts WHERE alert_id = ANY($1::text[]))`, [[...alertIds]]);
  }

  async replaceUser(userId: string, incidents: readonly Incident[], moves: ReadonlyArray<{ from: string; to: string }>): Promise<void> {
    await inTransaction(
      this.pool,
      async (c) => {
        for (const m of moves) {
          await c.query('UPDATE incident_comments SET incident_id = $1 WHERE incident_id = $2', [m.to, m.from]);
          await c.query('UPDATE incident_log SET incident_id = $1 WHERE incident_id = $2', [m.to, m.from]);
        }
        const old = (await c.query<{ id: string }>('SELECT id FROM incidents WHERE user_id = $1', [userId])).rows.map((r) => r.id);
        const keep = new Set(incidents.map((i) => i.id));
        const gone = old.filter((id) => !keep.has(id));
        await c.query('DELETE FROM incident_alerts WHERE incident_id = ANY($1::text[])', [old]);
        if (gone.length) {
          await c.query('DELETE FROM incidents WHERE id = ANY($1::text[])', [gone]);
          await c.query('DELETE FROM incident_comments WHERE incident_id = ANY($1::text[])', [gone]);
          await c.query('DELETE FROM incident_log WHERE incident_id = ANY($1::text[])', [gone]);
        }
        if (!incidents.length) return;
        const cols: unknown[][] = WRITE_COLUMNS.map(() => []);
        for (const i of incidents) {
          const row: Record<string, unknown> = { ...i, alert_ids: JSON.stringify(i.alert_ids), rules: JSON.stringify(i.rules), severity_rank: severityRank(i.severity) };
          WRITE_COLUMNS.forEach((col, k) => cols[k]!.push(row[col]));
        }
        await c.query(UPSERT, cols);
        // An alert belongs to one incident: a stale link from another user's incident (the alert changed user) goes.
        // The last incident naming an alert wins, as the SQLite loop's last write does.
        const links = new Map<string, string>();
        for (const i of incidents) for (const a of i.alert_ids) links.set(a, i.id);
        await c.query(
          `INSERT INTO incident_alerts (alert_id, incident_id) SELECT * FROM unnest($1::text[], $2::text[])
           ON CONFLICT (alert_id) DO UPDATE SET incident_id = excluded.incident_id`,
          [[...links.keys()], [...links.values()]],
        );
      },
      REGROUP_LOCK,
    );
  }

  private async change(id: string, set: 'status' | 'assignee', value: string | null, c: Omit<IncidentChange, 'value' | 'at'>, nowMs: number): Promise<Incident | null> {
    const at = new Date(nowMs).toISOString();
    return inTransaction(this.pool, async (tx) => {
      const r = await this.rows(tx, `UPDATE incidents SET ${set} = $1, updated_at = $2 WHERE id = $3 RETURNING ${COLUMNS}`, [value, at, id]);
      if (!r.length) return null;
      await tx.query('INSERT INTO incident_log (incident_id, field, value, note, "by", at) VALUES ($1, $2, $3, $4, $5, $6)', [id, c.field, value, c.note, c.by, at]);
      return r[0]!;
    });
  }

  async setStatus(id: string, status: IncidentStatus, note: string | null, by: string | null, nowMs: number): Promise<Incident | null> {
    return this.change(id, 'status', status, { field: 'status', note, by }, nowMs);
  }

  async setAssignee(id: string, assignee: string | null, by: string | null, nowMs: number): Promise<Incident | null> {
    return this.change(id, 'assignee', assignee, { field: 'assignee', note: null, by }, nowMs);
  }

  async addComment(id: string, author: string, text: string, nowMs: number): Promise<IncidentComment | null> {
    const at = new Date(nowMs).toISOString();
    // One statement: no comment for an incident that does not exist (or was removed meanwhile).
    const r = await this.pool.query<{ id: number }>(
      'INSERT INTO incident_comments (incident_id, author, at, text) SELECT id, $2, $3, $4 FROM incidents WHERE id = $1 RETURNING id',
      [id, author, at, text],
    );
    return r.rows[0] ? { id: r.rows[0].id, author, at, text } : null;
  }

  async comments(id: string): Promise<IncidentComment[]> {
    return (await this.pool.query<IncidentComment>('SELECT id, author, at, text FROM incident_comments WHERE incident_id = $1 ORDER BY id', [id])).rows;
  }

  async history(id: string): Promise<IncidentChange[]> {
    return (await this.pool.query<IncidentChange>('SELECT field, value, note, "by", at FROM incident_log WHERE incident_id = $1 ORDER BY id', [id])).rows;
  }
}
