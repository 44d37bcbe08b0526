import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import { tempDirs } from '../../util/testing-tmp.ts';
import type { IncomingEvent } from '../types.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';
import { trigramsOf } from '../trigram-sample.ts';
import { trigramQuery, trigramSample } from './search-grams.ts';

const grams = (expr: string | null) => (expr ? expr.split(' AND ').map((g) => JSON.parse(g) as string) : []);

describe('trigramQuery', () => {
  it('asks for every trigram of a term, quoted, without frequencies', () => {
    expect(trigramQuery('glen')).toBe('"gle" AND "len"');
    expect(trigramQuery('a"b"')).toBe('"a""b" AND """b"""');
    expect(trigramQuery('ab')).toBeNull();
  });

  it('leaves out trigrams found in more than a tenth of the events while rarer ones remain, in the term order', () => {
    const common = new Set(['doc', 'oc-', '.xl', 'xls', 'lsx']);
    const share = (g: string) => (common.has(g) ? 0.5 : g === '7.x' ? 0.05 : 0.01);
    expect(grams(trigramQuery('doc-4997.xlsx', share))).toEqual(['c-4', '-49', '499', '997', '97.', '7.x']);
  });

  it('keeps the three rarest trigrams when too few are rare', () => {
    const share = (g: string) => ({ xls: 0.5, lsx: 0.4, 'sx ': 0.3, 'x f': 0.2, ' fi': 0.15 })[g] ?? 0.6;
    expect(grams(trigramQuery('xlsx fi', share))).toEqual(['sx ', 'x f', ' fi']);
    // Three trigrams or fewer: all of them, however common.
    expect(grams(trigramQuery('xlsx', () => 0.9))).toEqual(['xls', 'lsx']);
  });

  it('spreads at most twelve trigrams over a long term', () => {
    const term = 'abcdefghijklmnopqrstuvwxyz';
    const picked = grams(trigramQuery(term, () => 0));
    expect(picked).toHaveLength(12);
    expect(picked[0]).toBe('abc');
    expect(picked[11]).toBe('xyz');
  });

  it('splits by code point, as the trigram tokenizer does', () => {
    expect(trigramsOf('a😀bc')).toEqual(['a😀b', '😀bc']);
  });
});

describe('trigramSample', () => {
  const tmp = tempDirs();
  let store: SqliteStore;
  beforeEach(async () => {
    store = await openSqliteStore(join(tmp.make('gw-grams-'), 's.db'));
  });
  afterEach(async () => store.close());

  const download = (i: number, file: string): IncomingEvent => {
    const ev = { id: `e${i}`, date_create: 1_700_000_000 + i, action: 'file_downloaded', entity: { type: 'file', file: { id: `F${i}`, name: file } } };
    return { raw: JSON.stringify(ev), norm: normalise(ev) };
  };

  it('gives each trigram the share of sampled events holding it, case-folded, and resamples once the store doubles', async () => {
    await store.appendEvents(Array.from({ length: 400 }, (_, i) => download(i, i % 4 === 0 ? `Quarterly-${i}.XLSX` : `notes-${i}.txt`)));
    const sample = trigramSample(store.db);
    const first = sample().share;
    expect(first('xls')).toBeCloseTo(0.25, 2);
    expect(first('txt')).toBeCloseTo(0.75, 2);
    expect(first('zzz')).toBe(0);
    await store.appendEvents(Array.from({ length: 600 }, (_, i) => download(400 + i, `zzz-${i}.pdf`)));
    expect(sample().share('zzz')).toBeCloseTo(0.6, 1);
  });
});
