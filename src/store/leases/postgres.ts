/**
 * Collector leases on PostgreSQL (`types.ts`), timed by the server's clock so that hosts whose clocks disagree still
 * agree on when a lease expires.
 */
import type pg from 'pg';
import { ACQUIRE_SQL, LEASE_TABLE_SQL, rowToLease, type LeaseRow, type LeaseStore } from './types.ts';
import type { PgMigration } from '../postgres/migrations.ts';

const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** `?` placeholders numbered `$1, $2...` for PostgreSQL. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// now and now + ttl come from the server: parameters 5 to 7 are replaced by expressions.
const ACQUIRE = numbered(ACQUIRE_SQL)
  .replace('$5, $6, $7)', `${NOW_MS}, ${NOW_MS}, ${NOW_MS} + $5::bigint)`)
  .replace('l.holder = $8', 'l.holder = $6');

export const leaseMigrations: PgMigration[] = [{ version: 40, name: 'collector leases', sql: LEASE_TABLE_SQL }];

/**
 * @example const lease = await pgLeases(store.pool).acquire('all', me, 30_000);
 */
export function pgLeases(pool: pg.Pool): LeaseStore {
  return {
    async acquire(key, me, ttlMs, takeOverFrom) {
      await pool.query(ACQUIRE, [key, me.id, me.host, me.pid, ttlMs, takeOverFrom ?? null]);
      return rowToLease((await pool.query<LeaseRow>('SELECT * FROM collector_leases WHERE key = $1', [key])).rows[0]!);
    },
    async release(key, holderId) {
      await pool.query('DELETE FROM collector_leases WHERE key = $1 AND holder = $2', [key, holderId]);
    },
    async list() {
      const r = await pool.query<LeaseRow & { expired: boolean }>(`SELECT *, expires_at < ${NOW_MS} AS expired FROM collector_leases ORDER BY key`);
      return r.rows.map((x) => ({ ...rowToLease(x), expired: x.expired }));
    },
  };
}
