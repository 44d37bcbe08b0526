/**
 * Monthly partitions of `events`: created ahead (the current month and the next two) when the store opens, and on
 * demand for any month an append touches (late events, imports of old logs). Months are UTC calendar months of `ts`.
 */
import type pg from 'pg';
import { SCHEMA_LOCK } from './migrations.ts';

/** Months ahead of the current one created at open. */
export const MONTHS_AHEAD = 2;

/**
 * Index of the UTC month holding `ts` (months since January 1970).
 *
 * @example monthOf(Date.UTC(2026, 11, 4) / 1000) // 683
 */
export function monthOf(ts: number): number {
  const d = new Date(ts * 1000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth() - 1970 * 12;
}

/** Partition name and bounds (Unix seconds, upper exclusive) of a month index. */
export function monthPartition(month: number): { name: string; from: number; to: number } {
  const y = 1970 + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  const from = Date.UTC(y, m, 1) / 1000;
  const to = Date.UTC(y, m + 1, 1) / 1000;
  const name = `events_${y < 0 ? `m${-y}` : y}_${String(m + 1).padStart(2, '0')}`;
  return { name, from, to };
}

/**
 * Keeps the set of partitions known to exist, and creates the missing ones (serialised by an advisory lock, so two
 * processes appending the same new month do not race).
 *
 * @example const parts = new Partitions(); await parts.ensure(pool, [monthOf(ts)]);
 */
export class Partitions {
  private readonly known = new Set<number>();

  async load(c: pg.ClientBase): Promise<void> {
    const r = await c.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'",
    );
    for (const { name } of r.rows) {
      const m = /^events_(m?)(\d+)_(\d\d)$/.exec(name);
      if (m) this.known.add((m[1] ? -Number(m[2]) : Number(m[2])) * 12 + Number(m[3]) - 1 - 1970 * 12);
    }
  }

  /** Create any of `months` not known to exist yet. Runs outside the caller's transaction (DDL locks the parent). */
  async ensure(c: pg.ClientBase, months: Iterable<number>): Promise<void> {
    const missing = [...new Set(months)].filter((m) => !this.known.has(m));
    if (!missing.length) return;
    await c.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    try {
      for (const month of missing) {
        const p = monthPartition(month);
        await c.query(`CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF events FOR VALUES FROM (${p.from}) TO (${p.to})`);
        this.known.add(month);
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);
    }
  }

  /** Forget that these months exist (a partition dropped by `gridwatch prune`): the next `ensure` makes them again. */
  forget(months: Iterable<number>): void {
    for (const m of months) this.known.delete(m);
  }

  /** The current month and `MONTHS_AHEAD` after it. */
  ahead(nowMs = Date.now()): number[] {
    const now = monthOf(Math.floor(nowMs / 1000));
    return Array.from({ length: MONTHS_AHEAD + 1 }, (_, i) => now + i);
  }
}
