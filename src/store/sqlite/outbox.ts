/** The sinks' outbox in SQLite: table `alert_outbox` (migration 3). */
import type BetterSqlite3 from 'better-sqlite3';
import type { DueRow, OutboxEntry, OutboxRow, OutboxStore } from '../outbox.ts';
import { writeTx } from './write-tx.ts';

export const ROW_COLUMNS = 'id, alert_id, sink, severity, status, attempts, next_attempt_at, last_error, created_at, updated_at, delivered_at';

/** The statements the outbox uses, prepared once. */
function prepareStatements(db: BetterSqlite3.Database) {
  return {
    latest: db.prepare('SELECT id, payload_hash, status FROM alert_outbox WHERE alert_id = ? AND sink = ? ORDER BY id DESC LIMIT 1'),
    supersede: db.prepare(
      "UPDATE alert_outbox SET status = 'superseded', updated_at = ? WHERE alert_id = ? AND sink = ? AND status IN ('pending', 'dead')",
    ),
    insert: db.prepare(
      `INSERT INTO alert_outbox (alert_id, sink, payload, payload_hash, severity, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    ),
    due: db.prepare(
      `SELECT ${ROW_COLUMNS}, payload, payload_hash FROM alert_outbox
       WHERE status = 'pending' AND sink = ? AND next_attempt_at <= ? AND id > ? ORDER BY id LIMIT ?`,
    ),
    delivered: db.prepare("UPDATE alert_outbox SET status = 'delivered', delivered_at = ?, updated_at = ?, last_error = NULL WHERE id = ?"),
    failed: db.prepare('UPDATE alert_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?'),
    pendingCount: db.prepare("SELECT sink, COUNT(*) AS n FROM alert_outbox WHERE status = 'pending' GROUP BY sink"),
    retryDead: db.prepare("UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE status = 'dead' AND (? IS NULL OR sink = ?)"),
  };
}

export class SqliteOutboxStore implements OutboxStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;
  private readonly enqueueTx: (entries: readonly OutboxEntry[], now: number) => number;

  /**
   * @example
   * const outbox = new SqliteOutboxStore(db); // a database opened with openSqliteStore
   * outbox.enqueue([{ alertId, sink: 'siem', payload, payloadHash, severity: 'high' }], Date.now());
   */
  constructor(private readonly db: BetterSqlite3.Database) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_outbox'").get();
    if (!exists) throw new Error('table alert_outbox is missing: open the database with openSqliteStore (migration 3)');
    this.stmts = prepareStatements(db);
    this.enqueueTx = writeTx(db, (entries: readonly OutboxEntry[], now: number) => {
      let inserted = 0;
      for (const e of entries) {
        const latest = this.stmts.latest.get(e.alertId, e.sink) as { payload_hash: string } | undefined;
        if (latest && latest.payload_hash === e.payloadHash) continue;
        this.stmts.supersede.run(now, e.alertId, e.sink);
        this.stmts.insert.run(e.alertId, e.sink, e.payload, e.payloadHash, e.severity, now, now, now);
        inserted++;
      }
      return inserted;
    });
  }

  async enqueue(entries: readonly OutboxEntry[], now: number): Promise<number> {
    return this.enqueueTx(entries, now);
  }

  async due(sink: string, now: number, afterId: number, limit: number): Promise<DueRow[]> {
    return this.stmts.due.all(sink, now, afterId, limit) as DueRow[];
  }

  async markDelivered(id: number, now: number): Promise<void> {
    this.stmts.delivered.run(now, now, id);
  }

  async markFailed(id: number, f: { status: 'pending' | 'dead'; attempts: number; nextAttemptAt: number; error: string }, now: number): Promise<void> {
    this.stmts.failed.run(f.status, f.attempts, f.nextAttemptAt, f.error, now, id);
  }

  async pendingBySink(): Promise<Array<{ sink: string; n: number }>> {
    return this.stmts.pendingCount.all() as Array<{ sink: string; n: number }>;
  }

  async retryDead(now: number, sink?: string): Promise<number> {
    return this.stmts.retryDead.run(now, now, sink ?? null, sink ?? null).changes;
  }

  async list(filter: { status?: string; sink?: string; alertId?: string; limit?: number } = {}): Promise<OutboxRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) (where.push('status = ?'), args.push(filter.status));
    if (filter.sink) (where.push('sink = ?'), args.push(filter.sink));
    if (filter.alertId) (where.push('alert_id = ?'), args.push(filter.alertId));
    const sql = `SELECT ${ROW_COLUMNS} FROM alert_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, filter.limit ?? 100) as OutboxRow[];
  }
}
