/**
 * `EventSearch` on PostgreSQL: free text through `event_search` (migration 21: the searched fields of each event as
 * one text under a pg_trgm GIN index), which a catch-up fills in chunks (`search-fold.ts`), plus the events stored
 * after its position, matched one by one, so every committed event is found; people from the `people` directory,
 * which the append folds in (`read-models.ts`). Same results as SQLite's (`sqlite/search.ts`): the index gives
 * candidates, each checked field by field with `matchesFields`, newest first; null (the caller scans) for a term
 * under three characters, a term too common, or more than 20,000 events not yet folded in.
 */
import type pg from 'pg';
import type { NormalisedEvent } from '../../events/schema.ts';
import type { EventQuery } from '../types.ts';
import { matchesFields, SEARCHED_FIELDS, type EventSearch, type PersonMatch } from '../search.ts';
import { EVENT_COLUMNS, NORM_COLUMNS, normOfRow, rowToEvent, type EventRow, type NormRow } from '../sqlite/event-rows.ts';
import { rarePart, TrigramSample } from '../trigram-sample.ts';
import { pgEventWhere } from './query.ts';
import { catchUpReadModels, readModelPosition } from './read-models.ts';
import { catchUpSearch, catchUpSearchShared, searchBacklog } from './search-fold.ts';
import { inTransaction } from './tx.ts';

/** More index candidates than this: a common term, which the caller's scan finds faster along the time index. */
const MAX_CANDIDATES = 5_000;
/** More events than this not yet folded in: the caller scans instead (the table is still being filled). */
const MAX_TAIL = 20_000;

/**
 * The index is asked for the term's longest run of trigrams each in at most this share of the events
 * (`rarePart`); the whole term filters the rows it gives. pg_trgm's GIN scan reads every trigram's posting list:
 * at 10M events `doc-4997.xlsx` (`doc`, `xls`, `.xl`, `lsx` and `oc-` in half the events) took 120-400 ms;
 * `4997.` (0.3-0.5% each) 10 ms, `-4997.` (with `-49`, 1.2%) still 98 ms.
 */
const RARE_SHARE = 0.01;

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

/**
 * The searched fields of an `event_search` text (`SEARCH_TEXT`: `SEARCHED_FIELDS` then the reasons, joined by line
 * breaks, NULL as empty), or null when a field holds a line break itself (its event is read instead).
 */
function fieldsOf(t: string): NormalisedEvent | null {
  const parts = t.split('\n');
  if (parts.length !== SEARCHED_FIELDS.length + 1) return null;
  const fields: Record<string, unknown> = { reasons: parts[SEARCHED_FIELDS.length] ? parts[SEARCHED_FIELDS.length]!.split(',') : [] };
  SEARCHED_FIELDS.forEach((f, i) => (fields[f] = parts[i] || null));
  return fields as unknown as NormalisedEvent;
}

/** Does the query filter on nothing but time and the cursor (all `event_search` holds besides the text)? */
const timeOnly = (q: EventQuery) =>
  Object.entries(q).every(([k, v]) => v === undefined || k === 'since' || k === 'until' || k === 'before' || k === 'limit');

/** Within the query's time range and before its cursor (as `pgEventWhere` says it). */
const inTime = (r: { ts: number; seq: number }, q: EventQuery) =>
  (q.since === undefined || r.ts >= q.since) &&
  (q.until === undefined || r.ts <= q.until) &&
  (!q.before || r.ts < q.before.ts || (r.ts === q.before.ts && r.seq < q.before.seq));

const prefixed = (cols: string) => cols.split(', ').map((c) => `e.${c}`).join(', ');
const PERSON = 'SELECT id, name, email, last_ts FROM people';

/**
 * @example
 * const search = pgEventSearch(store.pool);
 * await search.searchEvents('glengarry', {}, 100) // { events: [...], next: null, partial: false }
 */
export function pgEventSearch(pool: pg.Pool): EventSearch {
  const sample = new TrigramSample();
  /** The sample of the folded events' texts (taken again once the table has doubled). */
  const sampleOf = async (c: pg.PoolClient, folded: number) => {
    const seqs = sample.due(0, folded);
    if (seqs) sample.load((await c.query<{ t: string }>('SELECT t FROM event_search WHERE seq = ANY($1::bigint[])', [seqs])).rows.map((r) => r.t), folded);
    return sample;
  };
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
        // The index is asked for the rare part; `t || ''` is no indexed expression, so the whole term only filters.
        // Only then: for a common term the filter makes the planner expect a handful of rows and read the whole
        // index (10M events: 1.5 s) instead of walking the sequence numbers until it has enough (63 ms).
        const sampled = await sampleOf(c, pos);
        if (sampled.surelyMoreThan(needle, MAX_CANDIDATES, pos)) return null;
        const part = rarePart(needle, sampled.share, RARE_SHARE);
        const whole = part === needle ? '' : ` AND (t || '') ILIKE $3`;
        const cands = await c.query<{ ts: number; seq: number }>(
          `SELECT ts, seq FROM event_search WHERE t ILIKE $1${whole} AND seq <= $2 LIMIT ${MAX_CANDIDATES + 1}`,
          [`%${likeLiteral(part)}%`, pos, ...(whole ? [`%${likeLiteral(needle)}%`] : [])],
        );
        if (cands.rows.length > MAX_CANDIDATES) return null;
        // With no filter but time, a candidate is checked on the searched fields its `t` holds (read by key, once
        // the term has proved rare enough: 5,001 texts of a common term cost more than the scan it falls back to).
        const texts = new Map<number, string>();
        if (timeOnly(q) && cands.rows.length) {
          const r = await c.query<{ seq: number; t: string }>('SELECT seq, t FROM event_search WHERE seq = ANY($1::bigint[])', [cands.rows.map((x) => x.seq)]);
          for (const x of r.rows) texts.set(Number(x.seq), x.t);
        }
        const hits: Array<{ ts: number; seq: number }> = [];
        const toRead: Array<{ ts: number; seq: number }> = [];
        for (const r of cands.rows) {
          const t = texts.get(Number(r.seq));
          const fields = t === undefined ? null : fieldsOf(t);
          if (!fields) toRead.push(r);
          else if (inTime(r, q) && matchesFields(fields, needle)) hits.push(r);
        }
        // The other candidates and the events not yet folded in, under the caller's filters and cursor, then the exact
        // per-field check. Two branches, not an OR: each keeps its index (the (ts, seq) keys; seq on each partition).
        const { where, params } = pgEventWhere({ ...q, limit: undefined }, [toRead.map((r) => r.ts), toRead.map((r) => r.seq), pos]);
        const filters = where ? `AND ${where.slice('WHERE '.length)}` : '';
        const rows = await c.query<NormRow>(
          `SELECT ${prefixed(NORM_COLUMNS)} FROM events e WHERE (e.ts, e.seq) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[])) ${filters}
           UNION ALL SELECT ${prefixed(NORM_COLUMNS)} FROM events e WHERE e.seq > $3 ${filters}`,
          params,
        );
        for (const r of rows.rows) if (matchesFields(normOfRow(r), needle)) hits.push(r);
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
