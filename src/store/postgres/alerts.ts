/**
 * The PostgreSQL `AlertStore` (tables `alerts` and `alert_status_log`, migration 10); reach it through
 * `store.alertStore()`. Same semantics, order and tie-breaks as `sqlite/alerts.ts`; the diff of a recomputation is
 * `planReplace`'s (shared), applied in one transaction that holds an advisory lock, so two processes replacing
 * alerts at once queue instead of diffing against the same rows. The writes of a replace go as a few array-bound
 * statements (unnest of binary arrays: see binary-array.ts), not one round trip per alert.
 */
import type pg from 'pg';
import { contextJson } from '../../alerts/context-text.ts';
import { facetFilters } from '../../alerts/facets.ts';
import { planReplace } from '../../alerts/reconcile.ts';
import { MAX_FACET_USERS, type Alert, type AlertContext, type AlertDraft, type AlertFacets, type AlertFilter, type AlertScope, type AlertStatus, type AlertStatusChange, type AlertStore, type FacetCount, type ReplaceResult } from '../../alerts/types.ts';
import { severityRank } from '../../config/schema.ts';
import { COLUMNS, rowToAlert, type AlertRow } from '../sqlite/alerts.ts';
import { binaryArray, type PgElementType } from './binary-array.ts';
import { pgConditions, pgPageSql } from './filter-sql.ts';
import { inTransaction } from './tx.ts';

/** Advisory lock name of alert replaces. */
const REPLACE_LOCK = 'gridwatch.alerts.replace';
/** Alerts per upsert statement: bounds one statement's parameter size (contexts are a few kB each). */
const UPSERT_CHUNK = 2000;

/** The element type each of COLUMNS is bound as (text unless named), for `unnest` of binary arrays. */
const COLUMN_TYPES: Record<string, PgElementType> = {
  period: 'int4', anchor: 'int8', first_ts: 'int8', last_ts: 'int8', event_count: 'int4', version: 'int4', severity_rank: 'int4', notify_pending: 'int2',
};
const WRITE_COLUMNS = [...COLUMNS.split(', '), 'severity_rank', 'notify_pending'];
const WRITE_TYPES = WRITE_COLUMNS.map((c) => COLUMN_TYPES[c] ?? 'text');
const UNNEST = WRITE_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
const UPDATES = WRITE_COLUMNS.filter((c) => c !== 'id' && c !== 'created_at' && c !== 'notify_pending')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');
const UPSERT = `INSERT INTO alerts (${WRITE_COLUMNS.join(', ')}) SELECT * FROM unnest(${UNNEST})
  ON CONFLICT (id) DO UPDATE SET ${UPDATES}, notify_pending = greatest(alerts.notify_pending, excluded.notify_pending)`;

/**
 * WHERE clause and parameters of a listing filter (the conditions of `sqlite/alerts.ts` filterSql).
 *
 * @example filterSql({ status: ['open'] }) // { where: 'WHERE status = ANY($1::text[])', params: [['open']] }
 */
function filterSql(f: AlertFilter, params: unknown[] = []): { where: string; params: unknown[] } {
  const w = pgConditions(params);
  w.inList('status', f.status);
  w.inList('rule', f.rule);
  w.inList('severity', f.severity);
  if (f.user) {
    const u = w.param(f.user);
    w.add(`(user_id = ${u} OR user_email = ${u} OR user_name = ${u} OR key = ${u})`);
  }
  if (f.since !== undefined) w.add(`last_ts >= ${w.param(f.since)}`);
  if (f.until !== undefined) w.add(`first_ts <= ${w.param(f.until)}`);
  return w.build();
}

export class PgAlertStore implements AlertStore {
  /**
   * @example const alerts = new PgAlertStore(pool); // a pool of a migrated database (or: store.alertStore())
   */
  constructor(private readonly pool: pg.Pool) {}

  private async rows(c: pg.Pool | pg.PoolClient, sql: string, params: unknown[]): Promise<Alert[]> {
    return (await c.query<AlertRow>(sql, params)).rows.map(rowToAlert);
  }

  async get(id: string): Promise<Alert | null> {
    return (await this.rows(this.pool, `SELECT ${COLUMNS} FROM alerts WHERE id = $1`, [id]))[0] ?? null;
  }

  async list(f: AlertFilter = {}): Promise<Alert[]> {
    const { where, params } = filterSql(f);
    return this.rows(this.pool, `SELECT ${COLUMNS} FROM alerts ${where} ORDER BY last_ts DESC, id${pgPageSql(f.limit, f.offset)}`, params);
  }

  async count(f: AlertFilter = {}): Promise<number> {
    const { where, params } = filterSql(f);
    return (await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM alerts ${where}`, params)).rows[0]!.n;
  }

  async facets(filter: AlertFilter = {}): Promise<AlertFacets> {
    const f = facetFilters(filter);
    const by = async (col: string, g: AlertFilter): Promise<FacetCount[]> => {
      const { where, params } = filterSql(g);
      return (await this.pool.query<FacetCount>(`SELECT ${col} AS name, count(*) AS count FROM alerts ${where} GROUP BY ${col} ORDER BY count DESC, name`, params)).rows;
    };
    const u = filterSql(f.users);
    const users = this.pool.query<AlertFacets['users'][number]>(
      `SELECT user_id AS id, max(user_name) AS name, max(user_email) AS email, count(*) AS count FROM alerts
       ${u.where ? `${u.where} AND` : 'WHERE'} user_id IS NOT NULL GROUP BY user_id ORDER BY count DESC, user_id LIMIT ${MAX_FACET_USERS}`,
      u.params,
    );
    const [total, rules, statuses, severities, us] = await Promise.all([this.count(f.total), by('rule', f.rules), by('status', f.statuses), by('severity', f.severities), users]);
    return { total, rules, statuses, severities, users: us.rows };
  }

  async history(id: string): Promise<AlertStatusChange[]> {
    return (await this.pool.query<AlertStatusChange>('SELECT status, note, "by", at FROM alert_status_log WHERE alert_id = $1 ORDER BY id', [id])).rows;
  }

  private scopeRows(c: pg.Pool | pg.PoolClient, scope: AlertScope): Promise<Alert[]> {
    if (scope.rules.length === 0) return Promise.resolve([]);
    const params: unknown[] = [[...scope.rules], scope.periodFrom, scope.periodTo];
    let sql = `SELECT ${COLUMNS} FROM alerts WHERE rule = ANY($1::text[]) AND period BETWEEN $2 AND $3`;
    if (scope.key !== undefined) sql += ` AND key = $${params.push(scope.key)}`;
    return this.rows(c, sql, params);
  }

  async inScope(scope: AlertScope): Promise<Alert[]> {
    return this.scopeRows(this.pool, scope);
  }

  async replace(scope: AlertScope, drafts: readonly AlertDraft[], nowMs: number): Promise<ReplaceResult> {
    return inTransaction(
      this.pool,
      async (c) => {
        const plan = planReplace(await this.scopeRows(c, scope), drafts, nowMs);
        // In order, one by one: a chain of absorptions re-keys the log as SQLite does. Rare (late events only).
        for (const m of plan.moved) await c.query('UPDATE alert_status_log SET alert_id = $1 WHERE alert_id = $2', [m.to, m.from]);
        if (plan.deletes.length) await c.query('DELETE FROM alerts WHERE id = ANY($1::text[])', [plan.deletes]);
        for (let i = 0; i < plan.writes.length; i += UPSERT_CHUNK) {
          const cols: Array<Array<string | number | null>> = WRITE_COLUMNS.map(() => []);
          for (const w of plan.writes.slice(i, i + UPSERT_CHUNK)) {
            const a = w.alert;
            const row = [
              a.id, a.rule, a.severity, a.title, a.status, a.status_note, a.status_by, a.user_id, a.user_name, a.user_email,
              a.key, a.period, a.anchor, a.first_ts, a.last_ts, JSON.stringify(a.event_ids), a.event_count,
              JSON.stringify(a.tags), contextJson(a), a.version, a.created_at, a.updated_at,
              severityRank(a.severity), w.notify ? 1 : 0,
            ];
            row.forEach((v, k) => cols[k]!.push(v));
          }
          await c.query(UPSERT, cols.map((values, k) => binaryArray(WRITE_TYPES[k]!, values)));
        }
        return { created: plan.created, updated: plan.updated, removed: plan.deletes, unchanged: plan.unchanged };
      },
      REPLACE_LOCK,
    );
  }

  async forUser(user: string, from: number, to: number): Promise<Alert[]> {
    return this.rows(this.pool, `SELECT ${COLUMNS} FROM alerts WHERE (user_id = $1 OR key = $1) AND last_ts BETWEEN $2 AND $3`, [user, from, to]);
  }

  async containingEvent(eventId: string, ts: number): Promise<Alert[]> {
    // As on SQLite: the event's time bounds the candidates (alerts_last), then the quoted id is looked for in the
    // JSON text of those few (strpos: no LIKE wildcards to escape).
    return this.rows(
      this.pool,
      `SELECT ${COLUMNS} FROM alerts WHERE last_ts >= $1 AND first_ts <= $1 AND strpos(event_ids, $2) > 0 ORDER BY last_ts DESC, id`,
      [ts, JSON.stringify(eventId)],
    );
  }

  async setContext(id: string, context: AlertContext, nowMs: number): Promise<void> {
    await this.pool.query('UPDATE alerts SET context = $1, updated_at = $2 WHERE id = $3', [JSON.stringify(context), new Date(nowMs).toISOString(), id]);
  }

  async updateStatus(id: string, status: AlertStatus, note: string | null, by: string | null, nowMs = Date.now()): Promise<Alert | null> {
    const at = new Date(nowMs).toISOString();
    return inTransaction(this.pool, async (c) => {
      const r = await this.rows(c, `UPDATE alerts SET status = $1, status_note = $2, status_by = $3, updated_at = $4 WHERE id = $5 RETURNING ${COLUMNS}`, [status, note, by, at, id]);
      if (!r.length) return null;
      await c.query('INSERT INTO alert_status_log (alert_id, status, note, "by", at) VALUES ($1, $2, $3, $4, $5)', [id, status, note, by, at]);
      return r[0]!;
    });
  }

  async pendingNotifications(limit: number): Promise<Alert[]> {
    return this.rows(this.pool, `SELECT ${COLUMNS} FROM alerts WHERE notify_pending = 1 ORDER BY first_ts, id LIMIT $1`, [limit]);
  }

  async markNotified(items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
    if (!items.length) return;
    await this.pool.query(
      'UPDATE alerts a SET notify_pending = 0 FROM unnest($1::text[], $2::int[]) AS n(id, version) WHERE a.id = n.id AND a.version = n.version',
      [items.map((x) => x.id), items.map((x) => x.version)],
    );
  }
}
