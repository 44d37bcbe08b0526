/**
 * `gridwatch migrate`, the analyst-facing part: alerts and their status log, the sinks' outbox, incidents with their
 * alerts, comments and history, web accounts and sessions, and the action log. The PostgreSQL tables mirror SQLite's
 * column for column (postgres/state-schema.ts), so each table is copied row for row, ids included: comments, history
 * and sessions keep pointing at their incident, alert or account, and action records keep the id, time and hashes
 * their chain was computed from (`gridwatch actions verify` passes on the target).
 *
 * Resumable like the events: each table is read in key order in pages, and the last key copied is kept in the
 * target's `state` (`migrate.<table>`) in the page's own transaction. A page is written as an upsert by key, so
 * re-sending one changes nothing; the action log takes `DO NOTHING` instead (its triggers refuse any UPDATE).
 */
import type pg from 'pg';
import type { PostgresStore } from '../postgres/index.ts';
import type { SqliteStore } from '../sqlite/index.ts';
import { inTransaction } from '../postgres/tx.ts';

interface CopiedTable {
  table: string;
  /** The primary key: pages follow it, upserts match on it. */
  key: string;
  /** An integer key (progress is read back as a number); a `bigserial` one has its sequence moved past the copy. */
  integerKey?: 'serial' | 'plain';
  /** Rows never change once written (the action log): a re-sent row is skipped, never updated. */
  appendOnly?: boolean;
}

/** In copy order; `compareCounts` lists them in the same order. */
export const STATE_TABLES: readonly CopiedTable[] = [
  { table: 'alerts', key: 'id' },
  { table: 'alert_status_log', key: 'id', integerKey: 'serial' },
  { table: 'alert_outbox', key: 'id', integerKey: 'serial' },
  { table: 'incidents', key: 'id' },
  { table: 'incident_alerts', key: 'alert_id' },
  { table: 'incident_comments', key: 'id', integerKey: 'serial' },
  { table: 'incident_log', key: 'id', integerKey: 'serial' },
  { table: 'web_users', key: 'id', integerKey: 'serial' },
  { table: 'web_sessions', key: 'token_hash' },
  { table: 'action_log', key: 'id', integerKey: 'plain', appendOnly: true },
];

const PAGE = 1000;

/**
 * Copy every table of `STATE_TABLES` after its recorded progress; returns the rows written per table.
 *
 * @example const copied = await copyStateTables(source, target); // { alerts: 120, action_log: 4, ... }
 */
export async function copyStateTables(from: SqliteStore, to: PostgresStore): Promise<Record<string, number>> {
  const copied: Record<string, number> = {};
  for (const t of STATE_TABLES) copied[t.table] = await copyTable(from, to.pool, t);
  return copied;
}

async function copyTable(from: SqliteStore, pool: pg.Pool, t: CopiedTable): Promise<number> {
  const types = await columnTypes(pool, t.table);
  const columns = [...types.keys()];
  const quoted = columns.map((c) => `"${c}"`).join(', ');
  const unnest = columns.map((c, i) => `$${i + 1}::${types.get(c)}[]`).join(', ');
  const onConflict = t.appendOnly
    ? 'DO NOTHING'
    : `DO UPDATE SET ${columns.filter((c) => c !== t.key).map((c) => `"${c}" = excluded."${c}"`).join(', ')}`;
  const insert = `INSERT INTO ${t.table} (${quoted}) SELECT * FROM unnest(${unnest}) ON CONFLICT ("${t.key}") ${onConflict}`;
  const page = from.db.prepare(`SELECT ${quoted} FROM ${t.table} WHERE "${t.key}" > ? ORDER BY "${t.key}" LIMIT ${PAGE}`);
  const progressKey = `migrate.${t.table}`;
  const stored = (await pool.query<{ value: string }>('SELECT value FROM state WHERE key = $1', [progressKey])).rows[0]?.value;
  // Before the first key: 0 for integer ids (all positive), '' for text (sorts before any other text).
  let after: number | string = t.integerKey ? Number(stored ?? 0) : (stored ?? '');
  let copied = 0;
  for (;;) {
    const rows = page.all(after) as Array<Record<string, unknown>>;
    if (!rows.length) break;
    const last = rows[rows.length - 1]![t.key] as number | string;
    await inTransaction(pool, async (c) => {
      copied += (await c.query(insert, columns.map((col) => rows.map((r) => r[col])))).rowCount ?? 0;
      await c.query('INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [progressKey, String(last)]);
    });
    after = last;
  }
  // Rows keep their source ids, so the next row made on PostgreSQL must come after them.
  if (t.integerKey === 'serial') {
    await pool.query(`SELECT setval(pg_get_serial_sequence('${t.table}', '${t.key}'), max("${t.key}")) FROM ${t.table} HAVING max("${t.key}") IS NOT NULL`);
  }
  return copied;
}

/** The target table's columns in order, with their types (for the `unnest` casts). */
async function columnTypes(pool: pg.Pool, table: string): Promise<Map<string, string>> {
  const r = await pool.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table],
  );
  return new Map(r.rows.map((x) => [x.name, x.type]));
}
