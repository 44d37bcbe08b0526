/** The end-of-migration check: rows per table on each side. */
import type { PostgresStore } from '../postgres/index.ts';
import type { SqliteStore } from '../sqlite/index.ts';
import { copiedStateKey } from './events.ts';
import { STATE_TABLES } from './tables.ts';

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

/**
 * Count what was copied, table by table (state: the keys that are copied; then alerts, incidents, accounts, sessions
 * and the action log).
 *
 * @example const rows = await compareCounts(source, target); rows.some((r) => r.source !== r.target)
 */
export async function compareCounts(from: SqliteStore, to: PostgresStore): Promise<TableCount[]> {
  const src = (sql: string) => from.db.prepare(sql).pluck().get() as number;
  const dst = async (sql: string) => (await to.pool.query<{ n: number }>(sql)).rows[0]!.n;
  const stateKeys = (from.db.prepare('SELECT key FROM state').pluck().all() as string[]).filter(copiedStateKey);
  const targetState = (await to.pool.query<{ key: string }>('SELECT key FROM state')).rows.filter((r) => stateKeys.includes(r.key)).length;
  return [
    { table: 'events', source: src('SELECT count(*) FROM events'), target: await dst('SELECT count(*) AS n FROM events') },
    { table: 'event_reasons', source: src('SELECT count(*) FROM event_reasons'), target: await dst('SELECT count(*) AS n FROM event_reasons') },
    { table: 'checkpoints', source: src('SELECT count(*) FROM checkpoints'), target: await dst('SELECT count(*) AS n FROM checkpoints') },
    { table: 'state', source: stateKeys.length, target: targetState },
    { table: 'quarantine', source: src('SELECT count(*) FROM quarantine'), target: await dst('SELECT count(*) AS n FROM quarantine') },
    ...(await Promise.all(STATE_TABLES.map(async ({ table }) => ({
      table,
      source: src(`SELECT count(*) FROM ${table}`),
      target: await dst(`SELECT count(*) AS n FROM ${table}`),
    })))),
  ];
}
