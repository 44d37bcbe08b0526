/** Collector leases on SQLite (`types.ts`): the process clock, one IMMEDIATE transaction per acquire. */
import type BetterSqlite3 from 'better-sqlite3';
import { ACQUIRE_SQL, rowToLease, type LeaseRow, type LeaseStore } from './types.ts';

/**
 * @example const lease = await sqliteLeases(store.db).acquire('all', me, 30_000);
 */
export function sqliteLeases(db: BetterSqlite3.Database, now: () => number = Date.now): LeaseStore {
  const upsert = db.prepare(ACQUIRE_SQL);
  const get = db.prepare('SELECT * FROM collector_leases WHERE key = ?');
  const acquire = db.transaction((key: string, id: string, host: string, pid: number, ttlMs: number, dead: string | null) => {
    const t = now();
    upsert.run(key, id, host, pid, t, t, t + ttlMs, dead);
    return rowToLease(get.get(key) as LeaseRow);
  });
  return {
    async acquire(key, me, ttlMs, takeOverFrom) {
      return acquire.immediate(key, me.id, me.host, me.pid, ttlMs, takeOverFrom ?? null);
    },
    async release(key, holderId) {
      db.prepare('DELETE FROM collector_leases WHERE key = ? AND holder = ?').run(key, holderId);
    },
    async list() {
      const t = now();
      return (db.prepare('SELECT * FROM collector_leases ORDER BY key').all() as LeaseRow[]).map((r) => ({ ...rowToLease(r), expired: r.expires_at < t }));
    },
  };
}
