/**
 * `EventSearch` in SQLite (migration 8): `events_fts`, a contentless FTS5 table with the trigram tokenizer (any
 * substring of 3 characters or more is found: IP prefixes, `Glengarry` in `Glengarry-Leads.xlsx`) and `detail=none`
 * (row ids only: about 190 bytes per event instead of 650), and `people`, the directory of actors and user entities.
 * Both are folded in from `events` by sequence number (`search-fold.mjs`), on a worker thread for a file.
 *
 * With `detail=none` the index answers "has every trigram of the term", not "has the term": each candidate is
 * checked field by field, which also keeps a term from matching across two fields.
 */
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { matchesFields, type EventSearch, type PersonMatch } from '../search.ts';
import type { EventQuery } from '../types.ts';
import { EVENT_COLUMNS, NORM_COLUMNS, normOfRow, rowToEvent, type EventRow, type NormRow } from './event-rows.ts';
import { buildEventWhere } from './query.ts';
import { prepareFold } from './search-fold.mjs';
import { trigramQuery, trigramSample } from './search-grams.ts';

/** More index candidates than this: a common term, which the caller's scan finds faster along the time index. */
const MAX_CANDIDATES = 5_000;
/** More events than this not yet folded in: the caller scans instead (the index is still being built). */
const MAX_TAIL = 20_000;
/** Upper bound of the strings that start with `p` (BINARY collation compares UTF-8 bytes). */
const prefixEnd = (p: string) => `${p}\u{10FFFF}`;

/**
 * @example
 * const search = sqliteEventSearch(store.db, store.path, pragmas);
 * await search.catchUpInBackground();
 * await search.searchEvents('glengarry', {}, 100) // { events: [...], next: null, partial: false }
 */
export function sqliteEventSearch(db: BetterSqlite3.Database, path: string, pragmas: readonly string[]): EventSearch {
  const { fold, position, maxSeq } = prepareFold(db);
  const sampled = trigramSample(db);
  const candidates = db.prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? LIMIT ?').pluck();
  const PERSON = 'SELECT id, name, email, last_ts FROM people';
  const byPrefix = db.prepare(
    `SELECT * FROM (
       ${PERSON} WHERE id_lc >= @p AND id_lc < @e UNION
       ${PERSON} WHERE email_lc >= @p AND email_lc < @e UNION
       ${PERSON} WHERE name_lc >= @p AND name_lc < @e UNION
       ${PERSON} WHERE instr(name_lc, ' ' || @p) > 0
     ) ORDER BY last_ts DESC, id LIMIT @lim`,
  );
  const named = db.prepare(`${PERSON} WHERE id_lc = @v OR email_lc = @v OR name_lc = @v ORDER BY last_ts DESC, id LIMIT 50`);
  const cached = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let s = cached.get(sql);
    if (!s) {
      if (cached.size >= 64) cached.clear();
      cached.set(sql, (s = db.prepare(sql)));
    }
    return s;
  };
  let worker: Worker | null = null;
  let running: Promise<number> | null = null;

  const inBackground = (): Promise<number> => {
    worker ??= new Worker(new URL('./search-worker.mjs', import.meta.url), { execArgv: [], workerData: { path, pragmas } });
    worker.unref();
    const w = worker;
    return new Promise<number>((resolve, reject) => {
      const onMessage = (m: { folded?: number; error?: string }) => {
        w.off('error', onError);
        if (m.error) reject(new Error(`search index worker: ${m.error}`));
        else resolve(m.folded ?? 0);
      };
      const onError = (e: Error) => {
        w.off('message', onMessage);
        worker = null;
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage({ id: 0 });
    });
  };

  return {
    async catchUp(maxEvents = Number.MAX_SAFE_INTEGER) {
      let folded = 0;
      while (folded < maxEvents) {
        const n = fold(Math.min(50_000, maxEvents - folded));
        if (n === 0) break;
        folded += n;
      }
      return folded;
    },
    async catchUpInBackground() {
      // An in-memory database is invisible to another connection: fold here.
      if (db.memory) return this.catchUp();
      running ??= inBackground().finally(() => (running = null));
      return running;
    },
    async position() {
      return position();
    },
    async searchEvents(needle, q, limit) {
      const sample = sampled();
      const expr = trigramQuery(needle, sample.share);
      if (!expr) return null;
      const pos = position();
      if (maxSeq() - pos > MAX_TAIL) return null;
      if (sample.surelyMoreThan(needle, MAX_CANDIDATES, pos)) return null;
      const seqs = candidates.all(expr, MAX_CANDIDATES + 1) as number[];
      if (seqs.length > MAX_CANDIDATES) return null;
      // The index's candidates and the events not yet folded in, under the same filters and cursor.
      const { where, params } = buildEventWhere({ ...q, limit: undefined });
      const filters = where ? `AND ${where.slice('WHERE '.length)}` : '';
      const rows = statement(`SELECT ${NORM_COLUMNS} FROM events e WHERE (e.seq IN (SELECT value FROM json_each(@cands)) OR e.seq > @pos) ${filters}`)
        .all({ ...params, cands: JSON.stringify(seqs), pos }) as NormRow[];
      const hits = rows.filter((r) => matchesFields(normOfRow(r), needle));
      hits.sort((a, b) => b.ts - a.ts || b.seq - a.seq);
      const page = hits.slice(0, limit);
      const full = statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq IN (SELECT value FROM json_each(?))`).all(JSON.stringify(page.map((r) => r.seq))) as EventRow[];
      const bySeq = new Map(full.map((r) => [r.seq, r]));
      const events = page.map((r) => rowToEvent(bySeq.get(r.seq)!));
      const last = page[page.length - 1];
      return { events, next: hits.length > limit && last ? { ts: last.ts, seq: last.seq } : null, partial: false };
    },
    async people(prefix, limit) {
      const p = prefix.trim().toLowerCase();
      if (!p) return [];
      return byPrefix.all({ p, e: prefixEnd(p), lim: limit }) as PersonMatch[];
    },
    async peopleNamed(value) {
      return named.all({ v: value.trim().toLowerCase() }) as PersonMatch[];
    },
    async close() {
      const w = worker;
      worker = null;
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      // The worker is unref'd so an idle index never holds the process open; while we wait for it to close, it
      // must: an unref'd worker is not enough to keep the event loop alive, and `gridwatch serve` would exit 13
      // (its top-level await unsettled) instead of 0 on SIGTERM. A fold in progress gets two seconds to finish.
      w.ref();
      w.postMessage('close');
      const force = setTimeout(() => void w.terminate(), 2000);
      await exited;
      clearTimeout(force);
    },
  };
}
