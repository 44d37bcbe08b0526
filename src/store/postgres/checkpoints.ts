/** Checkpoint rows on PostgreSQL (the same layout as SQLite's `checkpoints` table). */
import type pg from 'pg';
import type { Checkpoint } from '../types.ts';

export interface CheckpointRow {
  key: string;
  filters: string;
  low: number;
  high: number;
  updated_at: number;
  last_run: string | null;
}

export function rowToCheckpoint(r: CheckpointRow): Checkpoint {
  return {
    key: r.key,
    filters: JSON.parse(r.filters),
    low: r.low,
    high: r.high,
    updatedAt: r.updated_at,
    ...(r.last_run ? { lastRun: JSON.parse(r.last_run) } : {}),
  };
}

/** Upsert a checkpoint (inside the caller's transaction when given a client that is in one). */
export async function writeCheckpoint(c: pg.Pool | pg.ClientBase, cp: Checkpoint): Promise<void> {
  await c.query(
    `INSERT INTO checkpoints (key, filters, low, high, updated_at, last_run) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET filters = excluded.filters, low = excluded.low, high = excluded.high,
       updated_at = excluded.updated_at, last_run = excluded.last_run`,
    [cp.key, JSON.stringify(cp.filters), cp.low, cp.high, cp.updatedAt, cp.lastRun ? JSON.stringify(cp.lastRun) : null],
  );
}
