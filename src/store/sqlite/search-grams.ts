/**
 * Which trigrams of a search term to ask the FTS5 index for. With `detail=none` an AND of trigrams costs about the
 * sum of their doclists, and a trigram found in half the events (`doc`, `xls`, `.co`) has a doclist of half the
 * store: at 10M events the 11 trigrams of `doc-4997.xlsx` took 100 ms to intersect, the four of them found in at
 * most a tenth of the events 9 ms, for 1,532 candidates instead of 1,019 (each candidate is checked field by field
 * anyway, about 10 µs). How common a trigram is comes from a sample of stored events.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { TrigramSample, trigramsOf } from '../trigram-sample.ts';
import { SEARCH_TEXT } from './search-fold.mjs';

/** Trigrams looked up per term: a dozen spread over a long term select as well as all of them. */
const MAX_TRIGRAMS = 12;
/** A trigram in more than this share of the sampled events is left out while rarer ones remain. */
const COMMON_SHARE = 0.1;
/** At least this many trigrams stay in the query (the rarest), so a term of common trigrams still selects. */
const MIN_TRIGRAMS = 3;
/**
 * The FTS5 expression for a term: its trigrams, each a quoted string (a `"` doubled), joined by AND. Nothing the
 * user types is read as FTS5 syntax (`NEAR`, `*`, `-`, `OR`, parentheses are text inside quotes). Given `share`
 * (the fraction of events holding a trigram), trigrams common enough to cost more than they select are left out
 * while at least `MIN_TRIGRAMS` rarer ones remain; the result is a superset of the term's events either way.
 *
 * @example trigramQuery('glen') // '"gle" AND "len"'
 * @example trigramQuery('doc-4997', (g) => (g === 'doc' ? 0.5 : 0.01)) // '"oc-" AND "c-4" AND ... AND "997"'
 */
export function trigramQuery(needle: string, share?: (gram: string) => number): string | null {
  let grams = trigramsOf(needle);
  if (!grams.length) return null;
  if (share && grams.length > MIN_TRIGRAMS) {
    const rarest = grams.map((g, i) => ({ g, i, s: share(g) })).sort((a, b) => a.s - b.s);
    const keep = Math.max(MIN_TRIGRAMS, rarest.filter((r) => r.s <= COMMON_SHARE).length);
    // Back in the term's order, so the expression reads as the term does.
    grams = rarest.slice(0, keep).sort((a, b) => a.i - b.i).map((r) => r.g);
  }
  if (grams.length > MAX_TRIGRAMS) {
    const step = (grams.length - 1) / (MAX_TRIGRAMS - 1);
    grams = Array.from({ length: MAX_TRIGRAMS }, (_, i) => grams[Math.round(i * step)]!);
  }
  return grams.map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ');
}

/**
 * How common each trigram and term is among the stored events (`TrigramSample`), sampled on first use and again once
 * the store has doubled. Unknown trigrams count as rare.
 *
 * @example const sample = trigramSample(db); sample().share('xls') // 0.49 on the bench data
 */
export function trigramSample(db: BetterSqlite3.Database): () => TrigramSample {
  // Two subqueries: min and max in one SELECT would scan the table instead of reading both ends of the key.
  const bounds = db.prepare('SELECT coalesce((SELECT min(seq) FROM events), 0) AS lo, coalesce((SELECT max(seq) FROM events), 0) AS hi');
  const texts = db.prepare(`SELECT ${SEARCH_TEXT} FROM events WHERE seq IN (SELECT value FROM json_each(?))`).pluck();
  const sample = new TrigramSample();
  return () => {
    const { lo, hi } = bounds.get() as { lo: number; hi: number };
    const seqs = sample.due(lo, hi);
    if (seqs) sample.load(texts.all(JSON.stringify(seqs)) as string[], hi);
    return sample;
  };
}
