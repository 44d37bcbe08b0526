// Folding events into the search index (migration 8: `events_fts`, `people`): shared by the store's own connection
// (search.ts) and the catch-up worker (search-worker.mjs). Plain JavaScript so the worker loads it without tsx.

/** `state` key of the sequence number folded in so far. */
export const SEARCH_STATE_KEY = 'search.seq';

/** Events folded per transaction: large enough for FTS5 to write big segments, short enough for a writer to wait. */
export const FOLD_CHUNK = 50_000;

// One line per searched field (src/store/search.ts SEARCHED_FIELDS, plus the reasons): a term spanning two fields
// is weeded out by the per-field check that follows every index lookup.
export const SEARCH_TEXT = ['actor_name', 'actor_email', 'actor_id', 'entity_name', 'entity_id', 'ip', 'ua', 'action', 'reasons']
  .map((c) => `coalesce(${c}, '')`)
  .join(" || char(10) || ");

/**
 * Prepare the fold on one connection; returns `fold(max)`, which folds at most `max` events in one IMMEDIATE
 * transaction and returns how many.
 */
export function prepareFold(db) {
  // JavaScript's lower-casing (all of Unicode), the same the searches apply to what is typed.
  db.function('gridwatch_lower', { deterministic: true }, (s) => (typeof s === 'string' ? s.toLowerCase() : null));
  const readSeq = db.prepare('SELECT value FROM state WHERE key = ?').pluck();
  const writeSeq = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const maxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  const fts = db.prepare(`INSERT INTO events_fts (rowid, t) SELECT seq, ${SEARCH_TEXT} FROM events WHERE seq > ? AND seq <= ?`);
  // Bare columns beside max(ts) come from the newest row: the newest name and e-mail win.
  const people = db.prepare(`
    INSERT INTO people (id, name, email, last_ts, id_lc, name_lc, email_lc)
    SELECT id, name, email, ts, gridwatch_lower(id), gridwatch_lower(name), gridwatch_lower(email) FROM (
      SELECT id, name, email, max(ts) AS ts FROM (
        SELECT actor_id AS id, actor_name AS name, actor_email AS email, ts FROM events
        WHERE seq > @a AND seq <= @b AND actor_id IS NOT NULL
        UNION ALL
        SELECT entity_id, entity_name, CASE WHEN json_valid(raw) THEN json_extract(raw, '$.entity.user.email') END, ts FROM events
        WHERE seq > @a AND seq <= @b AND entity_type = 'user' AND entity_id IS NOT NULL
      ) GROUP BY id
    ) WHERE true
    ON CONFLICT (id) DO UPDATE SET
      name = CASE WHEN excluded.last_ts >= people.last_ts THEN coalesce(excluded.name, people.name) ELSE coalesce(people.name, excluded.name) END,
      email = CASE WHEN excluded.last_ts >= people.last_ts THEN coalesce(excluded.email, people.email) ELSE coalesce(people.email, excluded.email) END,
      last_ts = max(people.last_ts, excluded.last_ts),
      name_lc = gridwatch_lower(CASE WHEN excluded.last_ts >= people.last_ts THEN coalesce(excluded.name, people.name) ELSE coalesce(people.name, excluded.name) END),
      email_lc = gridwatch_lower(CASE WHEN excluded.last_ts >= people.last_ts THEN coalesce(excluded.email, people.email) ELSE coalesce(people.email, excluded.email) END)`);
  const position = () => Number(readSeq.get(SEARCH_STATE_KEY) ?? 0);
  const tx = db.transaction((max) => {
    const from = position();
    const top = maxSeq.get();
    if (top <= from) return 0;
    const to = Math.min(top, from + max);
    fts.run(from, to);
    people.run({ a: from, b: to });
    writeSeq.run(SEARCH_STATE_KEY, String(to));
    return to - from;
  });
  return { fold: (max) => tx.immediate(max), position, maxSeq: () => maxSeq.get() };
}
