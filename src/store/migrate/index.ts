/**
 * `gridwatch migrate --from gridwatch.db --to postgres://...` (issue #13): copy a SQLite store into PostgreSQL,
 * resumably (progress in the target), then compare the counts table by table. Events first (the bulk of the work),
 * then checkpoints, state and quarantine, then alerts, incidents, accounts, sessions and the action log.
 */
import { openPostgresStore } from '../postgres/index.ts';
import { openSqliteStore } from '../sqlite/index.ts';
import { compareCounts, type TableCount } from './counts.ts';
import { copyCollectionState, copyEvents } from './events.ts';
import { copyStateTables } from './tables.ts';

export type { TableCount } from './counts.ts';

export interface MigrateOptions {
  from: string;
  to: string;
  batchSize?: number;
  /** Events new to the target so far, after each batch. */
  onEvents?: (copied: number) => void;
}

/**
 * @example
 * const counts = await migrateStore({ from: 'gridwatch.db', to: 'postgres://gw@db/gridwatch' });
 * if (counts.some((c) => c.source !== c.target)) process.exitCode = 1;
 */
export async function migrateStore(opts: MigrateOptions): Promise<{ copiedEvents: number; counts: TableCount[] }> {
  const from = await openSqliteStore(opts.from);
  try {
    const to = await openPostgresStore(opts.to);
    try {
      const copiedEvents = await copyEvents(from, to, opts.batchSize ?? 5000, opts.onEvents);
      await copyCollectionState(from, to);
      await copyStateTables(from, to);
      return { copiedEvents, counts: await compareCounts(from, to) };
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}
