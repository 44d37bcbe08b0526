/**
 * How common each trigram is among the stored events, for the free-text indexes of both backends (SQLite's FTS5
 * trigram table, PostgreSQL's pg_trgm GIN index). Both answer a term with the AND of its trigrams, at a cost that
 * grows with the sum of their posting lists, and a trigram such as `doc` or `xls` is in half the events of a store
 * of file downloads: asking only for a term's rarer trigrams gives nearly the same candidates for a fraction of the
 * cost. The shares come from a sample of stored events, taken evenly over the sequence numbers on first use and
 * again once the store has doubled.
 */

/** Events sampled. */
export const SAMPLE_SIZE = 2_048;

/**
 * The distinct trigrams of `text` (code points, as FTS5's trigram tokenizer splits it).
 *
 * @example trigramsOf('glen') // ['gle', 'len']
 */
export function trigramsOf(text: string): string[] {
  const chars = [...text];
  const all = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) all.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  return [...all];
}

/** Sampled events that must hold a term before `surelyMoreThan` trusts the estimate. */
const MIN_SAMPLED_HITS = 8;
/** How far over the limit the estimate must be (room for sampling error and for a store pruned since). */
const MARGIN = 4;

export class TrigramSample {
  private counts = new Map<string, number>();
  private texts: string[] = [];
  private size = 1;
  private sampledAt = -1;

  /**
   * The sequence numbers to read texts of, or null while the sample is still good (the store has not doubled).
   *
   * @example const seqs = sample.due(lo, hi); if (seqs) sample.load(textsOf(seqs), hi)
   */
  due(lo: number, hi: number): number[] | null {
    if (this.sampledAt >= 0 && hi <= this.sampledAt * 2) return null;
    const step = Math.max(1, (hi - lo) / SAMPLE_SIZE);
    const seqs: number[] = [];
    for (let s = lo; s <= hi && seqs.length < SAMPLE_SIZE; s += step) seqs.push(Math.round(s));
    return seqs;
  }

  /** Count the sampled events' texts (their searched fields); `hi` is the store's highest sequence number. */
  load(texts: readonly string[], hi: number): void {
    const counts = new Map<string, number>();
    this.texts = texts.map((t) => t.toLowerCase());
    for (const t of this.texts) for (const g of trigramsOf(t)) counts.set(g, (counts.get(g) ?? 0) + 1);
    this.counts = counts;
    this.size = Math.max(1, texts.length);
    this.sampledAt = Math.max(1, hi);
  }

  /**
   * The fraction of sampled events holding a (lower-case) trigram; 0 for one never seen.
   *
   * @example sample.share('xls') // 0.49 on the bench data
   */
  share = (gram: string): number => (this.counts.get(gram) ?? 0) / this.size;

  /**
   * Does the sample show `needle` in so many events that the index would give far more than `max` candidates in a
   * store of `total` events? Then asking it is wasted: for a term in most events the index reads thousands of
   * entries before the caller gives up and scans (at 10M events about half of a common term's search time). Only
   * with at least 8 sampled events holding the term and an estimate four times `max`, so that a term near the limit
   * is almost never taken for a common one (at 10M events, 8 hits where 1 is expected: odds of about 1 in 100,000);
   * a term taken for common is still found, by the caller's scan.
   *
   * @example if (sample.surelyMoreThan('file_downloaded', 5_000, events)) return null // the caller scans
   */
  surelyMoreThan(needle: string, max: number, total: number): boolean {
    const term = needle.toLowerCase();
    let hits = 0;
    for (const t of this.texts) if (t.includes(term)) hits++;
    return hits >= MIN_SAMPLED_HITS && (hits / this.size) * total >= MARGIN * max;
  }
}

/**
 * The part of a term worth asking a trigram index for: the longest run of its consecutive trigrams each found in at
 * most `maxShare` of the events, as the substring they cover; the whole term when every trigram is that rare or
 * none is. A substring of the term: every event holding the term holds it, so its matches are a superset.
 *
 * @example rarePart('doc-4997.xlsx', share, 0.01) // '4997.' (doc, xls... in half the events; -49 in 1.2%)
 */
export function rarePart(needle: string, share: (gram: string) => number, maxShare: number): string {
  const chars = [...needle];
  let best = { start: 0, length: 0 };
  let start = 0;
  for (let i = 0; i + 3 <= chars.length; i++) {
    const gram = (chars[i]! + chars[i + 1]! + chars[i + 2]!).toLowerCase();
    if (share(gram) > maxShare) {
      start = i + 1;
      continue;
    }
    if (i - start + 1 > best.length) best = { start, length: i - start + 1 };
  }
  if (best.length === 0) return needle;
  return chars.slice(best.start, best.start + best.length + 2).join('');
}
