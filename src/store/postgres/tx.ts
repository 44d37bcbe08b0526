/** Transactions on a pooled PostgreSQL client: the state stores, the read models' folds, prune and migrate. */
import type pg from 'pg';

/**
 * Run `f` in a transaction on one pooled client, holding a transaction-scoped advisory lock on `lock` (a name, or
 * a numeric key such as the append lock) when given, so writers of the same thing in other processes queue instead
 * of interleaving. `begin` opens the transaction (e.g. `BEGIN READ ONLY; SET LOCAL …`: without parameters the
 * statements go as one simple query, one round trip).
 *
 * @example await inTransaction(pool, (c) => c.query('UPDATE …'), 'gridwatch.alerts')
 */
export async function inTransaction<T>(pool: pg.Pool, f: (c: pg.PoolClient) => Promise<T>, lock?: string | number, begin = 'BEGIN'): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(begin);
    try {
      if (typeof lock === 'string') await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
      else if (lock !== undefined) await c.query('SELECT pg_advisory_xact_lock($1)', [lock]);
      const r = await f(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    }
  } finally {
    c.release();
  }
}
