import { describe, expect, it } from 'vitest';
import { rarePart, SAMPLE_SIZE, TrigramSample } from './trigram-sample.ts';

describe('rarePart', () => {
  // Shares measured at 10M bench events: file-name trigrams in half the events, the digits rare.
  const measured: Record<string, number> = { doc: 0.5, 'oc-': 0.5, 'c-4': 0.11, '-49': 0.012, '499': 0.0027, '997': 0.0029, '97.': 0.0051, '7.x': 0.05, '.xl': 0.5, xls: 0.5, lsx: 0.5 };
  const share = (g: string) => measured[g] ?? 0;

  it("is the longest run of the term's trigrams each in at most the given share, as the substring they cover", () => {
    expect(rarePart('doc-4997.xlsx', share, 0.01)).toBe('4997.');
    expect(rarePart('doc-4997.xlsx', share, 0.02)).toBe('-4997.');
    expect(rarePart('DOC-4997.XLSX', share, 0.01)).toBe('4997.'); // shares are of lower-case trigrams; the case is kept
  });

  it('is the whole term when every trigram is rare, or none is', () => {
    expect(rarePart('glengarry', () => 0, 0.01)).toBe('glengarry');
    expect(rarePart('doc.xlsx', () => 0.5, 0.01)).toBe('doc.xlsx');
    expect(rarePart('ab', () => 0, 0.01)).toBe('ab');
  });

  it('takes the first of two equally long runs, and counts code points', () => {
    const s = (g: string) => (g === 'xxx' ? 1 : 0);
    expect(rarePart('abcxxxdef', s, 0.01)).toBe('abcxx'); // abc, bcx, cxx before xxd, xde, def
    expect(rarePart('a😀bxxx', (g) => (g.includes('x') ? 1 : 0), 0.01)).toBe('a😀b');
  });
});

describe('TrigramSample', () => {
  it('counts the share of sampled texts holding each trigram, case-folded, and asks again once the store doubles', () => {
    const sample = new TrigramSample();
    const seqs = sample.due(1, 10_000)!;
    expect(seqs).toHaveLength(SAMPLE_SIZE);
    expect(seqs[0]).toBe(1);
    expect(seqs[seqs.length - 1]).toBeGreaterThan(9_990);
    sample.load(['Report.XLSX', 'notes.txt', 'old.xlsx', 'x'], 10_000);
    expect(sample.share('xls')).toBe(0.5);
    expect(sample.share('txt')).toBe(0.25);
    expect(sample.share('zzz')).toBe(0);
    expect(sample.due(1, 20_000)).toBeNull();
    expect(sample.due(1, 20_001)).not.toBeNull();
  });
});

describe('TrigramSample.surelyMoreThan', () => {
  /** A sample of 2,048 texts, `holding` of them with the term in some case. */
  const sampleWith = (holding: number) => {
    const s = new TrigramSample();
    s.load(Array.from({ length: SAMPLE_SIZE }, (_, i) => (i < holding ? `W${i}\nFile_Downloaded\nx` : `W${i}\nuser_login\ny`)), 10_000_000);
    return s;
  };

  it('is true when the term is in enough sampled events to put its estimate four times over the limit', () => {
    // 10 of 2,048 at 10M events: about 48,800 candidates against a limit of 5,000.
    expect(sampleWith(10).surelyMoreThan('file_downloaded', 5_000, 10_000_000)).toBe(true);
    expect(sampleWith(10).surelyMoreThan('FILE_DOWNLOADED', 5_000, 10_000_000)).toBe(true);
    expect(sampleWith(2_048).surelyMoreThan('user_login', 5_000, 10_000_000)).toBe(false); // in none
  });

  it('is false below 8 sampled events, and when the estimate is under four times the limit', () => {
    expect(sampleWith(7).surelyMoreThan('file_downloaded', 5_000, 10_000_000)).toBe(false); // 34,180 by estimate, but 7 hits
    expect(sampleWith(8).surelyMoreThan('file_downloaded', 5_000, 10_000_000)).toBe(true);
    // At 1M events 40 of 2,048 are 19,531 by estimate (under 20,000), 41 are 20,019.
    expect(sampleWith(40).surelyMoreThan('file_downloaded', 5_000, 1_000_000)).toBe(false);
    expect(sampleWith(41).surelyMoreThan('file_downloaded', 5_000, 1_000_000)).toBe(true);
    // A small store: every sampled event holds the term, but the store has fewer events than four times the limit.
    expect(sampleWith(2_048).surelyMoreThan('file_downloaded', 5_000, 19_999)).toBe(false);
    expect(new TrigramSample().surelyMoreThan('file_downloaded', 5_000, 10_000_000)).toBe(false); // nothing sampled yet
  });
});
