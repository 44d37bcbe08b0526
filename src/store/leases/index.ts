/** The collector lease table of an opened store, whichever the backend. */
import { PostgresStore } from '../postgres/index.ts';
import { SqliteStore } from '../sqlite/index.ts';
import type { Store } from '../types.ts';
import { pgLeases } from './postgres.ts';
import { sqliteLeases } from './sqlite.ts';
import type { LeaseStore } from './types.ts';

export type { CollectorLease, LeaseHolder, LeaseStore } from './types.ts';

/**
 * @example const leases = collectorLeases(await openStore(db)); console.log(await leases.list());
 */
export function collectorLeases(store: Store): LeaseStore {
  if (store instanceof PostgresStore) return pgLeases(store.pool);
  if (store instanceof SqliteStore) return sqliteLeases(store.db);
  throw new Error('collector leases: unknown store backend');
}
