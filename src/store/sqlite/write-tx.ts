/** Write transactions on the embedded store, always `BEGIN IMMEDIATE`. */
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Wraps `fn` in a transaction that takes SQLite's write lock when it begins.
 *
 * Why not better-sqlite3's default (deferred): in WAL mode a transaction that reads first and writes later cannot wait
 * for the write lock. If another connection (the server's search or rollup fold, a collector, a prune) holds it or
 * has committed since the read, SQLite answers SQLITE_BUSY at once without consulting `busy_timeout`, and a collector
 * running beside `gridwatch serve` fails with "database is locked". Taking the lock first makes `busy_timeout` apply.
 *
 * @example
 * const rename = writeTx(db, (id: number, name: string) => db.prepare('UPDATE t SET name = ? WHERE id = ?').run(name, id).changes);
 * rename(1, 'x'); // waits for another process's write to finish instead of failing
 */
export function writeTx<A extends unknown[], R>(db: BetterSqlite3.Database, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A) => tx.immediate(...args);
}
