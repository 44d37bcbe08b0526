/**
 * The action log in PostgreSQL: table `action_log` (migration 13; triggers refuse UPDATE, DELETE and TRUNCATE). The
 * chain rules live in `../actions.ts`. An append holds a transaction-scoped advisory lock from reading the last hash
 * to its insert, so two processes never chain onto the same record (a row lock on the last record would not cover
 * the empty log).
 */
import type pg from 'pg';
import { ActionRecord, GENESIS_HASH, NewAction, actionHash, verifyChain, type ActionFilter, type ActionLog, type VerifyResult } from '../actions.ts';
import { COLUMNS, rowToValue, type ActionRow } from '../sqlite/actions.ts';
import { pgConditions } from './filter-sql.ts';
import { inTransaction } from './tx.ts';

const APPEND_LOCK = 'gridwatch.action_log.append';
const PLACEHOLDERS = COLUMNS.split(', ').map((_, i) => `$${i + 1}`).join(', ');

export class PgActionLog implements ActionLog {
  /**
   * @example
   * const log = new PgActionLog(pool); // a pool of a migrated database (or: store.actionLog())
   * await log.append({ actor: 'cli:ana', action: 'sign-out', targets: ['W1'], arguments: {}, reason: null, alert_id: null,
   *   status: 'dry_run', slack: null, slack_error: null, message: null, diff: null });
   */
  constructor(private readonly pool: pg.Pool) {}

  async append(entry: NewAction, time: Date = new Date()): Promise<ActionRecord> {
    const parsed = NewAction.parse(entry);
    return inTransaction(
      this.pool,
      async (c) => {
        const prev = (await c.query<{ id: number; hash: string }>('SELECT id, hash FROM action_log ORDER BY id DESC LIMIT 1')).rows[0];
        const base = { ...parsed, id: (prev?.id ?? 0) + 1, time: time.toISOString(), prev_hash: prev?.hash ?? GENESIS_HASH };
        const record: ActionRecord = { ...base, hash: actionHash(base) };
        const row: Record<string, unknown> = {
          ...record,
          targets: JSON.stringify(record.targets),
          arguments: JSON.stringify(record.arguments),
          slack: record.slack === null ? null : JSON.stringify(record.slack),
          diff: record.diff === null ? null : JSON.stringify(record.diff),
        };
        await c.query(`INSERT INTO action_log (${COLUMNS}) VALUES (${PLACEHOLDERS})`, COLUMNS.split(', ').map((k) => row[k]));
        return record;
      },
      APPEND_LOCK,
    );
  }

  async list(f: ActionFilter = {}): Promise<ActionRecord[]> {
    const w = pgConditions();
    if (f.user) w.add(`EXISTS (SELECT 1 FROM json_array_elements_text(action_log.targets::json) AS t(value) WHERE t.value = ${w.param(f.user)})`);
    if (f.alertId) w.add(`alert_id = ${w.param(f.alertId)}`);
    if (f.action) w.add(`action = ${w.param(f.action)}`);
    if (f.status) w.add(`status = ${w.param(f.status)}`);
    if (f.since) w.add(`time >= ${w.param(new Date(f.since).toISOString())}`);
    const { where, params } = w.build();
    const limit = f.limit === undefined ? '' : ` LIMIT $${params.push(f.limit)}`;
    const rows = (await this.pool.query<ActionRow>(`SELECT ${COLUMNS} FROM action_log ${where} ORDER BY id DESC${limit}`, params)).rows;
    // A row edited into something that is not a record still lists (as stored): `verify` is what flags it.
    return rows.map((r) => rowToValue(r) as ActionRecord);
  }

  async get(id: number): Promise<ActionRecord | null> {
    const r = (await this.pool.query<ActionRow>(`SELECT ${COLUMNS} FROM action_log WHERE id = $1`, [id])).rows[0];
    return r ? (rowToValue(r) as ActionRecord) : null;
  }

  async verify(): Promise<VerifyResult> {
    // One statement: one snapshot, so appends meanwhile cannot split the walk. Responses are a few per day.
    const rows = (await this.pool.query<ActionRow>(`SELECT ${COLUMNS} FROM action_log ORDER BY id`)).rows;
    return verifyChain(rows.map((r) => ({ id: r.id, value: rowToValue(r) })));
  }
}
