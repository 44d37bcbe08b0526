/**
 * The sinks' outbox in PostgreSQL: table `alert_outbox` (migration 11). Same rules as `sqlite/outbox.ts`; an enqueue
 * is one transaction under an advisory lock, so two processes queueing the same (alert, sink) cannot both find the
 * same latest row and both insert.
 */
import type pg from 'pg';
import type { DueRow, OutboxEntry, OutboxRow, OutboxStore } from '../outbox.ts';
import { ROW_COLUMNS } from '../sqlite/outbox.ts';
import { pgConditions } from './filter-sql.ts';
import { inTransaction } from './tx.ts';

const ENQUEUE_LOCK = 'gridwatch.outbox.enqueue';

export class PgOutboxStore implements OutboxStore {
  /**
   * @example
   * const outbox = new PgOutboxStore(pool); // a pool of a migrated database (or: store.outboxStore())
   * await outbox.enqueue([{ alertId, sink: 'siem', payload, payloadHash, severity: 'high' }], Date.now());
   */
  constructor(private readonly pool: pg.Pool) {}

  async enqueue(entries: readonly OutboxEntry[], now: number): Promise<number> {
    if (!entries.length) return 0;
    return inTransaction(
      this.pool,
      async (c) => {
        let inserted = 0;
        for (const e of entries) {
          const latest = (await c.query<{ payload_hash: string }>('SELECT payload_hash FROM alert_outbox WHERE alert_id = $1 AND sink = $2 ORDER BY id DESC LIMIT 1', [e.alertId, e.sink])).rows[0];
          if (latest && latest.payload_hash === e.payloadHash) continue;
          await c.query("UPDATE alert_outbox SET status = 'superseded', updated_at = $1 WHERE alert_id = $2 AND sink = $3 AND status IN ('pending', 'dead')", [now, e.alertId, e.sink]);
          await c.query(
            `INSERT INTO alert_outbox (alert_id, sink, payload, payload_hash, severity, status, attempts, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6)`,
            [e.alertId, e.sink, e.payload, e.payloadHash, e.severity, now],
          );
          inserted++;
        }
        return inserted;
      },
      ENQUEUE_LOCK,
    );
  }

  async due(sink: string, now: number, afterId: number, limit: number): Promise<DueRow[]> {
    const sql = `SELECT ${ROW_COLUMNS}, payload, payload_hash FROM alert_outbox
      WHERE status = 'pending' AND sink = $1 AND next_attempt_at <= $2 AND id > $3 ORDER BY id LIMIT $4`;
    return (await this.pool.query<DueRow>(sql, [sink, now, afterId, limit])).rows;
  }

  async markDelivered(id: number, now: number): Promise<void> {
    await this.pool.query("UPDATE alert_outbox SET status = 'delivered', delivered_at = $1, updated_at = $1, last_error = NULL WHERE id = $2", [now, id]);
  }

  async markFailed(id: number, f: { status: 'pending' | 'dead'; attempts: number; nextAttemptAt: number; error: string }, now: number): Promise<void> {
    await this.pool.query('UPDATE alert_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, updated_at = $5 WHERE id = $6', [f.status, f.attempts, f.nextAttemptAt, f.error, now, id]);
  }

  async pendingBySink(): Promise<Array<{ sink: string; n: number }>> {
    return (await this.pool.query<{ sink: string; n: number }>("SELECT sink, count(*) AS n FROM alert_outbox WHERE status = 'pending' GROUP BY sink ORDER BY sink")).rows;
  }

  async retryDead(now: number, sink?: string): Promise<number> {
    const r = await this.pool.query("UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1 WHERE status = 'dead' AND ($2::text IS NULL OR sink = $2)", [now, sink ?? null]);
    return r.rowCount ?? 0;
  }

  async list(filter: { status?: string; sink?: string; alertId?: string; limit?: number } = {}): Promise<OutboxRow[]> {
    const w = pgConditions();
    if (filter.status) w.add(`status = ${w.param(filter.status)}`);
    if (filter.sink) w.add(`sink = ${w.param(filter.sink)}`);
    if (filter.alertId) w.add(`alert_id = ${w.param(filter.alertId)}`);
    const { where, params } = w.build();
    return (await this.pool.query<OutboxRow>(`SELECT ${ROW_COLUMNS} FROM alert_outbox ${where} ORDER BY id DESC LIMIT $${params.push(filter.limit ?? 100)}`, params)).rows;
  }
}
