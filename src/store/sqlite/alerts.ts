/**
 * The SQLite `AlertStore` (tables `alerts` and `alert_status_log`, migration 2), on the store's better-sqlite3
 * connection; reach it through `store.alertStore()`. Each `replace` is one transaction: the diff of `planReplace`
 * (the rules both backends share, in `alerts/reconcile.ts`) is applied entirely or not at all.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { contextJson } from '../../alerts/context-text.ts';
import { facetFilters } from '../../alerts/facets.ts';
import { planReplace } from '../../alerts/reconcile.ts';
import { MAX_FACET_USERS, type Alert, type AlertContext, type AlertDraft, type AlertFacets, type AlertFilter, type AlertScope, type AlertStatus, type AlertStatusChange, type AlertStore, type FacetCount, type ReplaceResult } from '../../alerts/types.ts';
import { severityRank } from '../../config/schema.ts';
import { isoSeconds } from '../../util/time.ts';
import { inParams, pageSql, sqlConditions } from './filter-sql.ts';
import { writeTx } from './write-tx.ts';

/** A row of `alerts` as selected with COLUMNS: the alert, with its lists and context still as JSON text. */
export type AlertRow = Omit<Alert, 'first_seen' | 'last_seen' | 'event_ids' | 'tags' | 'context'> & { event_ids: string; tags: string; context: string };

/**
 * An `alerts` row (either backend) as the alert.
 *
 * @example rowToAlert(db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`).get(id))
 */
export function rowToAlert(r: AlertRow): Alert {
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    title: r.title,
    status: r.status,
    status_note: r.status_note,
    status_by: r.status_by,
    user_id: r.user_id,
    user_name: r.user_name,
    user_email: r.user_email,
    first_seen: isoSeconds(r.first_ts),
    last_seen: isoSeconds(r.last_ts),
    first_ts: r.first_ts,
    last_ts: r.last_ts,
    event_ids: JSON.parse(r.event_ids) as string[],
    event_count: r.event_count,
    tags: JSON.parse(r.tags) as string[],
    context: JSON.parse(r.context) as AlertContext,
    created_at: r.created_at,
    updated_at: r.updated_at,
    key: r.key,
    period: r.period,
    anchor: r.anchor,
    version: r.version,
  };
}

/**
 * The WHERE clause (with its named parameters) of a listing filter; empty when nothing is filtered.
 *
 * @example const { where, p } = filterSql({ status: ['open'] }); // where = 'WHERE status IN (@s0)', p = { s0: 'open' }
 */
function filterSql(f: AlertFilter): { where: string; p: Record<string, unknown> } {
  const w = sqlConditions();
  w.inList('status', 's', f.status);
  w.inList('rule', 'r', f.rule);
  w.inList('severity', 'v', f.severity);
  if (f.user) w.add('(user_id = @user OR user_email = @user OR user_name = @user OR key = @user)', { user: f.user });
  if (f.since !== undefined) w.add('last_ts >= @since', { since: f.since });
  if (f.until !== undefined) w.add('first_ts <= @until', { until: f.until });
  return w.build();
}

export const COLUMNS =
  'id, rule, severity, title, status, status_note, status_by, user_id, user_name, user_email, key, period, anchor, first_ts, last_ts, event_ids, event_count, tags, context, version, created_at, updated_at';

export class SqliteAlertStore implements AlertStore {
  private readonly upsert: BetterSqlite3.Statement;
  private readonly del: BetterSqlite3.Statement;
  private readonly moveLog: BetterSqlite3.Statement;

  /**
   * @example
   * const alerts = new SqliteAlertStore(db); // a database opened with openSqliteStore (or: store.alertStore())
   */
  constructor(private readonly db: BetterSqlite3.Database) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").get();
    if (!exists) throw new Error('table alerts is missing: open the database with openSqliteStore (migration 2)');
    this.upsert = db.prepare(
      `INSERT INTO alerts (${COLUMNS}, severity_rank, notify_pending)
       VALUES (${Array(24).fill('?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, severity = excluded.severity, title = excluded.title,
         status = excluded.status, status_note = excluded.status_note, status_by = excluded.status_by,
         user_id = excluded.user_id, user_name = excluded.user_name, user_email = excluded.user_email, key = excluded.key,
         period = excluded.period, anchor = excluded.anchor, first_ts = excluded.first_ts, last_ts = excluded.last_ts,
         event_ids = excluded.event_ids, event_count = excluded.event_count, tags = excluded.tags,
         context = excluded.context, version = excluded.version, updated_at = excluded.updated_at,
         severity_rank = excluded.severity_rank, notify_pending = max(alerts.notify_pending, excluded.notify_pending)`,
    );
    this.del = db.prepare('DELETE FROM alerts WHERE id = ?');
    this.moveLog = db.prepare('UPDATE alert_status_log SET alert_id = ? WHERE alert_id = ?');
  }

  async get(id: string): Promise<Alert | null> {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`).get(id) as AlertRow | undefined;
    return r ? rowToAlert(r) : null;
  }

  async list(f: AlertFilter = {}): Promise<Alert[]> {
    const { where, p } = filterSql(f);
    const sql = `SELECT ${COLUMNS} FROM alerts ${where} ORDER BY last_ts DESC, id${pageSql(f.limit, f.offset)}`;
    return (this.db.prepare(sql).all(p) as AlertRow[]).map(rowToAlert);
  }

  async count(f: AlertFilter = {}): Promise<number> {
    const { where, p } = filterSql(f);
    return (this.db.prepare(`SELECT count(*) AS n FROM alerts ${where}`).get(p) as { n: number }).n;
  }

  async facets(filter: AlertFilter = {}): Promise<AlertFacets> {
    const f = facetFilters(filter);
    const by = (col: string, g: AlertFilter): FacetCount[] => {
      const { where, p } = filterSql(g);
      return this.db.prepare(`SELECT ${col} AS name, count(*) AS count FROM alerts ${where} GROUP BY ${col} ORDER BY count DESC, name`).all(p) as FacetCount[];
    };
    const u = filterSql(f.users);
    const users = this.db
      .prepare(
        `SELECT user_id AS id, max(user_name) AS name, max(user_email) AS email, count(*) AS count FROM alerts
         ${u.where ? `${u.where} AND` : 'WHERE'} user_id IS NOT NULL GROUP BY user_id ORDER BY count DESC, user_id LIMIT ${MAX_FACET_USERS}`,
      )
      .all(u.p) as AlertFacets['users'];
    return { total: await this.count(f.total), rules: by('rule', f.rules), statuses: by('status', f.statuses), severities: by('severity', f.severities), users };
  }

  async history(id: string): Promise<AlertStatusChange[]> {
    return this.db.prepare('SELECT status, note, by, at FROM alert_status_log WHERE alert_id = ? ORDER BY id').all(id) as AlertStatusChange[];
  }

  private scopeRows(scope: AlertScope): Alert[] {
    if (scope.rules.length === 0) return [];
    const p: Record<string, unknown> = { from: scope.periodFrom, to: scope.periodTo };
    const rules = inParams(p, 'r', scope.rules);
    let sql = `SELECT ${COLUMNS} FROM alerts WHERE rule IN (${rules}) AND period BETWEEN @from AND @to`;
    if (scope.key !== undefined) {
      p.key = scope.key;
      sql += ' AND key = @key';
    }
    return (this.db.prepare(sql).all(p) as AlertRow[]).map(rowToAlert);
  }

  async inScope(scope: AlertScope): Promise<Alert[]> {
    return this.scopeRows(scope);
  }

  async replace(scope: AlertScope, drafts: readonly AlertDraft[], nowMs: number): Promise<ReplaceResult> {
    return writeTx(this.db, () => {
      const plan = planReplace(this.scopeRows(scope), drafts, nowMs);
      for (const m of plan.moved) this.moveLog.run(m.to, m.from);
      for (const id of plan.deletes) this.del.run(id);
      for (const w of plan.writes) {
        const a = w.alert;
        // Positional, in COLUMNS order: binding by name costs a lookup per parameter, thousands of alerts per replay.
        this.upsert.run(
          a.id, a.rule, a.severity, a.title, a.status, a.status_note, a.status_by, a.user_id, a.user_name, a.user_email,
          a.key, a.period, a.anchor, a.first_ts, a.last_ts, JSON.stringify(a.event_ids), a.event_count,
          JSON.stringify(a.tags), contextJson(a), a.version, a.created_at, a.updated_at,
          severityRank(a.severity), w.notify ? 1 : 0,
        );
      }
      return { created: plan.created, updated: plan.updated, removed: plan.deletes, unchanged: plan.unchanged };
    })();
  }

  async forUser(user: string, from: number, to: number): Promise<Alert[]> {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM alerts WHERE (user_id = @user OR key = @user) AND last_ts BETWEEN @from AND @to`)
      .all({ user, from, to });
    return (rows as AlertRow[]).map(rowToAlert);
  }

  async containingEvent(eventId: string, ts: number): Promise<Alert[]> {
    // event_ids is a JSON array: rather than an index table written on every replay (thousands of alerts, up to 500
    // ids each), the event's time bounds the candidates through alerts_last (an alert spans its events), and the
    // quoted id is looked for in the text of those few (instr: no LIKE wildcards in ids to escape).
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM alerts WHERE last_ts >= @ts AND first_ts <= @ts AND instr(event_ids, @needle) > 0 ORDER BY last_ts DESC, id`)
      .all({ ts, needle: JSON.stringify(eventId) });
    return (rows as AlertRow[]).map(rowToAlert);
  }

  async setContext(id: string, context: AlertContext, nowMs: number): Promise<void> {
    this.db.prepare('UPDATE alerts SET context = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(context), new Date(nowMs).toISOString(), id);
  }

  async updateStatus(id: string, status: AlertStatus, note: string | null, by: string | null, nowMs = Date.now()): Promise<Alert | null> {
    const at = new Date(nowMs).toISOString();
    const changed = writeTx(this.db, () => {
      const info = this.db.prepare('UPDATE alerts SET status = ?, status_note = ?, status_by = ?, updated_at = ? WHERE id = ?').run(status, note, by, at, id);
      if (info.changes === 0) return false;
      this.db.prepare('INSERT INTO alert_status_log (alert_id, status, note, by, at) VALUES (?, ?, ?, ?, ?)').run(id, status, note, by, at);
      return true;
    })();
    return changed ? this.get(id) : null;
  }

  async pendingNotifications(limit: number): Promise<Alert[]> {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE notify_pending = 1 ORDER BY first_ts, id LIMIT ?`).all(limit);
    return (rows as AlertRow[]).map(rowToAlert);
  }

  async markNotified(items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
    const stmt = this.db.prepare('UPDATE alerts SET notify_pending = 0 WHERE id = ? AND version = ?');
    writeTx(this.db, () => {
      for (const { id, version } of items) stmt.run(id, version);
    })();
  }
}
