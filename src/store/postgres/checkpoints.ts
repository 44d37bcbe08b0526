/** Checkpoint rows on PostgreSQL (the same layout as SQLite's `checkpoints` table). */
import type pg from 'pg';
import type { Checkpoint } from '../types.ts';

/** Upsert a checkpoint (inside the caller's transaction when given a client that is in one). */
export async function writeCheckpoint(c: pg.Pool | pg.ClientBase, cp: Checkpoint): Promise<void> {
  await c.query(
    `INSERT INTO checkpoints (key, filters, low, high, updated_at, last_run) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET filters = excluded.filters, low = excluded.low, high = excluded.high,
       updated_at = excluded.updated_at, last_run = excluded.last_run`,
    [cp.key, JSON.stringify(cp.filters), cp.low, cp.high, cp.updatedAt, cp.lastRun ? JSON.stringify(cp.lastRun) : null],
  );
}
