/** `gridwatch prune` on an opened store, whichever the backend (see `types.ts`). */
import { PostgresStore } from '../postgres/index.ts';
import { SqliteStore } from '../sqlite/index.ts';
import type { Store } from '../types.ts';
import { prunePostgres } from './postgres.ts';
import { pruneSqlite } from './sqlite.ts';
import type { PruneOptions, PruneSummary } from './types.ts';

export type { PruneOptions, PruneSummary } from './types.ts';

/**
 * @example const s = await pruneStore(store, { cut: nowSec - 400 * 86400, includeAlerts: false, dryRun: false });
 */
export async function pruneStore(store: Store, opts: PruneOptions): Promise<PruneSummary> {
  if (store instanceof PostgresStore) return prunePostgres(store.pool, opts);
  if (store instanceof SqliteStore) return pruneSqlite(store.db, opts);
  throw new Error('prune: unknown store backend');
}
