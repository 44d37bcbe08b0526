/**
 * `EventSearch` on PostgreSQL: free text through `event_search` (migration 21: the searched fields of each event as
 * one text under a pg_trgm GIN index), which a catch-up fills in chunks (`search-fold.ts`), plus the events stored
 * after its position, matched one by one, so every committed event is found; people from the `people` directory,
 * which the append folds in (`read-models.ts`). Same results as SQLite's (`sqlite/search.ts`): the index gives
 * candidates, each checked field by field with `matchesFields`, newest first; null (the caller scans) for a term
 * under three characters, a term too common, or more than 20,000 events not yet folded in.
 */
import type pg from 'pg';
import { matchesFields, type EventSearch, type PersonMatch } from '../search.ts';
import { EVENT_COLUMNS, NORM_COLUMNS, normOfRow, rowToEvent, type EventRow, type NormRow } from '../sqlite/event-rows.ts';
import { pgEventWhere } from './query.ts';
import { catchUpReadModels, readModelPosition } from './read-models.ts';
import { catchUpSearch, catchUpSearchShared, searchBacklog } from './search-fold.ts';
import { inTransaction } from './tx.ts';

/** More index candidates than this: a common term, which the caller's scan finds faster along the time index. */
const MAX_CANDIDATES = 5_000;
/** More events than this not yet folded in: the caller scans instead (the table is still being filled). */
const MAX_TAIL = 20_000;

/** `s` as a LIKE pattern matching itself (`\` is LIKE's default escape). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * `f` on one pooled client, in a read-only transaction planned without sequential scans. Every statement of a search
 * is built for its indexes (the trigram index gives at most `MAX_CANDIDATES`, each fetched by its key), but on a
 * small or freshly analysed table the planner costs a sequential scan lower (case-folding every row's text for
 * `ILIKE` is costed like an equality): at 2,900 events under load the candidates took 16 ms a search through a scan
 * of `event_search` against 0.3 ms through the index, and the candidates' rows 3.8 ms by a hash join over every
 * event against 0.5 ms by their keys.
 *
 * @example await onIndexes(pool, (c) => c.query('SELECT ts, seq FROM event_search WHERE t ILIKE $1', ['%glengarry%']))
 */
function onIndexes<T>(pool: pg.Pool, f: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, f, undefined, 'BEGIN READ ONLY; SET LOCAL enable_seqscan = off');
}

const prefixed = (cols: string) => cols.split(', ').map((c) => `e.${c}`).join(', ');
const PERSON = 'SELECT id, name, email, last_ts FROM people';

/**
 * @example
 * const search = pgEventSearch(store.pool);
 * await search.searchEvents('glengarry', {}, 100) // { events: [...], next: null, partial: false }
 */
export function pgEventSearch(pool: pg.Pool): EventSearch {
  return {
    async catchUp(maxEvents) {
      return (await catchUpReadModels(pool, maxEvents)) + (await catchUpSearch(pool, maxEvents));
    },
    // The work is PostgreSQL's: this thread only waits on the socket.
    async catchUpInBackground() {
      return (await catchUpReadModels(pool)) + (await catchUpSearchShared(pool));
    },
    async position() {
      return Math.min(await readModelPosition(pool), (await searchBacklog(pool)).pos);
    },
    async searchEvents(needle, q, limit) {
      // Under three characters there is no trigram to look up: the caller scans.
      if ([...needle].length < 3) return null;
      const { pos, top } = await searchBacklog(pool);
      if (top - pos > MAX_TAIL) return null;
      return onIndexes(pool, async (c) => {
        // Candidates only up to the position read above: a fold committing meanwhile must not make one event both a
        // candidate and part of the tail.
        const cands = await c.query<{ ts: number; seq: number }>(
          `SELECT ts, seq FROM event_search WHERE t ILIKE $1 AND seq <= $2 LIMIT ${MAX_CANDIDATES + 1}`,
          [`%${likeLiteral(needle)}%`, pos],
        );
        if (cands.rows.length > MAX_CANDIDATES) return null;
        // The candidates and the events not yet folded in, under the caller's filters and cursor, then the exact
        // per-field check. Two branches, not an OR: each keeps its index (the (ts, seq) keys; seq on each partition).
        const { where, params } = pgEventWhere({ ...q, limit: undefined }, [cands.rows.map((r) => r.ts), cands.rows.map((r) => r.seq), pos]);
        const filters = where ? `AND ${where.slice('WHERE '.length)}` : '';
        const rows = await c.query<NormRow>(
          `SELECT ${prefixed(NORM_COLUMNS)} FROM events e WHERE (e.ts, e.seq) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[])) ${filters}
           UNION ALL SELECT ${prefixed(NORM_COLUMNS)} FROM events e WHERE e.seq > $3 ${filters}`,
          params,
        );
        const hits = rows.rows.filter((r) => matchesFields(normOfRow(r), needle));
        if (!hits.length) return { events: [], next: null, partial: false };
        hits.sort((a, b) => b.ts - a.ts || b.seq - a.seq);
        const page = hits.slice(0, limit);
        const full = await c.query<EventRow>(
          `SELECT ${prefixed(EVENT_COLUMNS)} FROM events e WHERE (e.ts, e.seq) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))`,
          [page.map((r) => r.ts), page.map((r) => r.seq)],
        );
        const bySeq = new Map(full.rows.map((r) => [r.seq, r]));
        const last = page[page.length - 1];
        return { events: page.map((r) => rowToEvent(bySeq.get(r.seq)!)), next: hits.length > limit && last ? { ts: last.ts, seq: last.seq } : null, partial: false };
      });
    },
    async people(prefix, limit) {
      const p = prefix.trim().toLowerCase();
      if (!p) return [];
      const r = await pool.query<PersonMatch>(
        `${PERSON} WHERE id_lc LIKE $1 OR email_lc LIKE $1 OR name_lc LIKE $1 OR position($2 in name_lc) > 0
         ORDER BY last_ts DESC, id COLLATE "C" LIMIT $3`,
        [`${likeLiteral(p)}%`, ` ${p}`, limit],
      );
      return r.rows;
    },
    async peopleNamed(value) {
      const v = value.trim().toLowerCase();
      const r = await pool.query<PersonMatch>(`${PERSON} WHERE id_lc = $1 OR email_lc = $1 OR name_lc = $1 ORDER BY last_ts DESC, id COLLATE "C" LIMIT 50`, [v]);
      return r.rows;
    },
    async close() {},
  };
}
