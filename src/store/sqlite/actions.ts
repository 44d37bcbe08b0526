/** The action log in SQLite: table `action_log` (migration 5). The chain rules live in `../actions.ts`. */
import type BetterSqlite3 from 'better-sqlite3';
import {
  ActionRecord,
  GENESIS_HASH,
  NewAction,
  actionHash,
  verifyChain,
  type ActionFilter,
  type ActionLog,
  type VerifyResult,
} from '../actions.ts';

export const COLUMNS = 'id, time, actor, action, targets, arguments, reason, alert_id, status, slack, slack_error, message, diff, prev_hash, hash';

export interface ActionRow {
  id: number;
  time: string;
  actor: string;
  action: string;
  targets: string;
  arguments: string;
  reason: string | null;
  alert_id: string | null;
  status: string;
  slack: string | null;
  slack_error: string | null;
  message: string | null;
  diff: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * A row (either backend) as the record it claims to be (not validated: `verify` and `list` decide what to do with a
 * bad one).
 *
 * @example rowToValue(row) as ActionRecord
 */
export function rowToValue(r: ActionRow): unknown {
  const json = (s: string | null): unknown => {
    if (s === null) return null;
    try {
      return JSON.parse(s);
    } catch {
      return { unparseable: s };
    }
  };
  return { ...r, targets: json(r.targets), arguments: json(r.arguments), slack: json(r.slack), diff: json(r.diff) };
}

export class SqliteActionLog implements ActionLog {
  private readonly appendTx: (entry: NewAction, time: Date) => ActionRecord;
  private readonly last: BetterSqlite3.Statement;
  private readonly insert: BetterSqlite3.Statement;

  /**
   * @example
   * const log = new SqliteActionLog(db); // a database opened with openSqliteStore
   * await log.append({ actor: 'cli:ana', action: 'sign-out', targets: ['W1'], arguments: {}, reason: null, alert_id: null,
   *   status: 'dry_run', slack: null, slack_error: null, message: null, diff: null });
   */
  constructor(private readonly db: BetterSqlite3.Database) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'action_log'").get();
    if (!exists) throw new Error('table action_log is missing: open the database with openSqliteStore (migration 5)');
    this.last = db.prepare('SELECT id, hash FROM action_log ORDER BY id DESC LIMIT 1');
    this.insert = db.prepare(`INSERT INTO action_log (${COLUMNS}) VALUES (${COLUMNS.split(', ').map((c) => `@${c}`).join(', ')})`);
    const tx = db.transaction((entry: NewAction, time: Date): ActionRecord => {
      const prev = this.last.get() as { id: number; hash: string } | undefined;
      const base = { ...NewAction.parse(entry), id: (prev?.id ?? 0) + 1, time: time.toISOString(), prev_hash: prev?.hash ?? GENESIS_HASH };
      const record: ActionRecord = { ...base, hash: actionHash(base) };
      this.insert.run({
        ...record,
        targets: JSON.stringify(record.targets),
        arguments: JSON.stringify(record.arguments),
        slack: record.slack === null ? null : JSON.stringify(record.slack),
        diff: record.diff === null ? null : JSON.stringify(record.diff),
      });
      return record;
    });
    // IMMEDIATE: take the write lock before reading the last hash, so two processes cannot both chain onto it.
    this.appendTx = (entry, time) => tx.immediate(entry, time);
  }

  async append(entry: NewAction, time: Date = new Date()): Promise<ActionRecord> {
    return this.appendTx(entry, time);
  }

  async list(f: ActionFilter = {}): Promise<ActionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.user) (where.push('EXISTS (SELECT 1 FROM json_each(action_log.targets) WHERE value = ?)'), args.push(f.user));
    if (f.alertId) (where.push('alert_id = ?'), args.push(f.alertId));
    if (f.action) (where.push('action = ?'), args.push(f.action));
    if (f.status) (where.push('status = ?'), args.push(f.status));
    if (f.since) (where.push('time >= ?'), args.push(new Date(f.since).toISOString()));
    const sql = `SELECT ${COLUMNS} FROM action_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, f.limit ?? -1) as ActionRow[];
    // A row edited into something that is not a record still lists (as stored): `verify` is what flags it.
    return rows.map((r) => rowToValue(r) as ActionRecord);
  }

  async get(id: number): Promise<ActionRecord | null> {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM action_log WHERE id = ?`).get(id) as ActionRow | undefined;
    return r ? (rowToValue(r) as ActionRecord) : null;
  }

  async verify(): Promise<VerifyResult> {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM action_log ORDER BY id`).iterate() as IterableIterator<ActionRow>;
    return verifyChain((function* () {
      for (const r of rows) yield { id: r.id, value: rowToValue(r) };
    })());
  }
}
