/**
 * `gridwatch migrate`, the event part: events in the source's sequence order (so the target numbers them in the same
 * order) with their exact received text, then checkpoints, state and quarantine. Progress is kept in the target's
 * `state` (`migrate.events_seq`, `migrate.quarantine_id`), written after each batch: a re-run continues after it, and
 * a batch re-sent after a crash between the two writes is recognised by its ids (duplicates, never stored twice).
 */
import type pg from 'pg';
import { inTransaction } from '../postgres/tx.ts';
import type { PostgresStore } from '../postgres/index.ts';
import type { SqliteStore } from '../sqlite/index.ts';

export const EVENTS_PROGRESS = 'migrate.events_seq';
export const QUARANTINE_PROGRESS = 'migrate.quarantine_id';

/** Positions of SQLite's own derived data (rebuilt differently on PostgreSQL), and the migration's progress keys. */
export function copiedStateKey(key: string): boolean {
  return !['ui.rollup_seq', 'search.seq'].includes(key) && !key.startsWith('migrate.');
}

/**
 * Copy the events after the recorded progress; returns how many were new to the target.
 *
 * @example await copyEvents(source, target, 5000, (n) => console.log(n));
 */
export async function copyEvents(from: SqliteStore, to: PostgresStore, batchSize: number, onBatch?: (copied: number) => void): Promise<number> {
  let after = Number((await to.getState(EVENTS_PROGRESS)) ?? 0);
  let copied = 0;
  for (;;) {
    const batch = await from.eventsAfterSeq(after, batchSize);
    if (!batch.length) return copied;
    copied += (await to.appendEvents(batch.map((e) => ({ raw: e.raw, norm: e.norm })))).inserted;
    after = batch[batch.length - 1]!.seq;
    await to.putState(EVENTS_PROGRESS, String(after));
    onBatch?.(copied);
  }
}

/**
 * Checkpoints and state (upserts: copying twice changes nothing), then quarantined input after the recorded id, with
 * its original time.
 *
 * @example await copyCollectionState(source, target);
 */
export async function copyCollectionState(from: SqliteStore, to: PostgresStore): Promise<void> {
  for (const cp of await from.listCheckpoints()) await to.putCheckpoint(cp);
  const state = from.db.prepare('SELECT key, value FROM state ORDER BY key').all() as Array<{ key: string; value: string }>;
  for (const s of state) if (copiedStateKey(s.key)) await to.putState(s.key, s.value);
  let after = Number((await to.getState(QUARANTINE_PROGRESS)) ?? 0);
  const page = from.db.prepare('SELECT id, source, position, reason, raw, created_at FROM quarantine WHERE id > ? ORDER BY id LIMIT 1000');
  for (;;) {
    const rows = page.all(after) as Array<{ id: number; source: string; position: string; reason: string; raw: Buffer; created_at: number }>;
    if (!rows.length) return;
    await inTransaction(to.pool, async (c) => {
      await c.query(
        'INSERT INTO quarantine (source, position, reason, raw, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[])',
        [rows.map((r) => r.source), rows.map((r) => r.position), rows.map((r) => r.reason), rows.map((r) => r.raw), rows.map((r) => r.created_at)],
      );
      after = rows[rows.length - 1]!.id;
      await c.query("INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [QUARANTINE_PROGRESS, String(after)]);
    });
  }
}

