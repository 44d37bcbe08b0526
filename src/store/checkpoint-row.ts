/** The checkpoint row both backends store (the same `checkpoints` layout on SQLite and PostgreSQL). */
import type { Checkpoint } from './types.ts';

export interface CheckpointRow {
  key: string;
  filters: string;
  low: number;
  high: number;
  updated_at: number;
  last_run: string | null;
}

/**
 * @example rowToCheckpoint(db.prepare('SELECT * FROM checkpoints WHERE key = ?').get('all'))
 */
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
