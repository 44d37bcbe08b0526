/**
 * The free-text table on PostgreSQL (migration 21: `event_search`, one row per event with its searched fields as
 * one text under a pg_trgm GIN index), filled by a catch-up in chunks rather than by the append: kept by every insert
 * (migration 20's index on `events`) the trigram index cost ten times the rest of an append. The position is the
 * `state` row `search.seq`, as on SQLite (`sqlite/search-fold.mjs`): every event up to it is in the table, none
 * after. Searches match the events after it one by one (`search.ts`), so nothing committed is missed.
 */
import type pg from 'pg';
import { FOLD_CHUNK, SEARCH_STATE_KEY } from '../sqlite/search-fold.mjs';
import { SEARCH_TEXT } from './read-models-schema.ts';
import { inTransaction } from './tx.ts';

/** Advisory lock of the fold: one process folds a chunk at a time (appends do not wait for it). */
export const SEARCH_LOCK = 0x67726473; // 'grds'

/** Folds running in this process, per pool: a route asking for a catch-up while one runs joins it. */
const running = new WeakMap<pg.Pool, Promise<number>>();

/**
 * The fold's position and the newest sequence number stored, in one statement (one snapshot).
 *
 * @example const { pos, top } = await searchBacklog(pool); // top - pos events not yet in the table
 */
export async function searchBacklog(c: pg.Pool | pg.ClientBase): Promise<{ pos: number; top: number }> {
  const r = await c.query<{ pos: string | null; top: number }>(
    'SELECT (SELECT value FROM state WHERE key = $1) AS pos, (SELECT coalesce(max(seq), 0) FROM events) AS top',
    [SEARCH_STATE_KEY],
  );
  return { pos: Number(r.rows[0]!.pos ?? 0), top: r.rows[0]!.top };
}

/**
 * Fold the events stored since the last fold into `event_search`, at most `maxEvents`, a chunk per transaction;
 * returns how many. Appends commit in sequence order (they hold the append lock from `nextval` to commit), so every
 * event up to the newest committed one is visible and the position never passes an event still to come.
 *
 * @example await catchUpSearch(pool) // 0 when the table is current
 */
export async function catchUpSearch(pool: pg.Pool, maxEvents = Number.MAX_SAFE_INTEGER): Promise<number> {
  let folded = 0;
  while (folded < maxEvents) {
    const n = await inTransaction(pool, async (c) => {
      const { pos, top } = await searchBacklog(c);
      if (top <= pos) return 0;
      const to = Math.min(top, pos + Math.min(FOLD_CHUNK, maxEvents - folded));
      // The GIN index's pending list takes a chunk's entries and merges them in a few large batches, sorted in
      // work_mem: more memory, fewer merges.
      await c.query("SET LOCAL work_mem = '64MB'");
      await c.query(`INSERT INTO event_search (seq, ts, t) SELECT seq, ts, ${SEARCH_TEXT} FROM events WHERE seq > $1 AND seq <= $2 ON CONFLICT DO NOTHING`, [pos, to]);
      // Then into the index proper: every search reads the whole pending list, row by row, until a vacuum merges it
      // (with a collector writing, 26 ms a search against 2 ms merged, at 8,000 events). Only the index's owner may
      // merge; another role leaves it to autovacuum.
      await c.query(
        "SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.oid = 'event_search_trgm'::regclass AND pg_has_role(c.relowner, 'USAGE')",
      );
      await c.query('INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [SEARCH_STATE_KEY, String(to)]);
      return to - pos;
    }, SEARCH_LOCK);
    if (n === 0) break;
    folded += n;
  }
  return folded;
}

/**
 * The same, once per pool at a time: callers arriving while a fold runs get its result. Every search request asks
 * for one, so the usual answer, nothing to fold, costs one unlocked read of the backlog rather than a locked
 * transaction (five round trips and a pooled client held for them, under load a quarter of a search's time).
 *
 * @example void catchUpSearchShared(pool).catch(log)
 */
export function catchUpSearchShared(pool: pg.Pool): Promise<number> {
  let p = running.get(pool);
  if (!p) {
    p = searchBacklog(pool)
      .then(({ pos, top }) => (top > pos ? catchUpSearch(pool) : 0))
      .finally(() => running.delete(pool));
    running.set(pool, p);
  }
  return p;
}
