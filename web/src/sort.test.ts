import { describe, expect, it } from 'vitest';
import { attackUrl } from './attack.ts';
import { nextSort, sortRows } from './sort.ts';

describe('sortRows', () => {
  const rows = [{ n: 2, s: 'b' }, { n: 10, s: 'A' }, { n: null, s: '' }, { n: 2, s: 'c' }];
  it('sorts numbers numerically and text without case, empty values last, ties stable', () => {
    expect(sortRows(rows, { key: 'n', dir: 'asc' }, (r, k) => r[k as 'n']).map((r) => r.s)).toEqual(['b', 'c', 'A', '']);
    expect(sortRows(rows, { key: 'n', dir: 'desc' }, (r, k) => r[k as 'n']).map((r) => r.s)).toEqual(['A', 'b', 'c', '']);
    expect(sortRows(rows, { key: 's', dir: 'asc' }, (r, k) => r[k as 's']).map((r) => r.s)).toEqual(['A', 'b', 'c', '']);
    expect(sortRows(rows, null, () => 0)).toEqual(rows);
  });
  it('cycles a column ascending, descending, unsorted', () => {
    expect(nextSort(null, 'a')).toEqual({ key: 'a', dir: 'asc' });
    expect(nextSort({ key: 'a', dir: 'asc' }, 'a')).toEqual({ key: 'a', dir: 'desc' });
    expect(nextSort({ key: 'a', dir: 'desc' }, 'a')).toBeNull();
    expect(nextSort({ key: 'a', dir: 'desc' }, 'b')).toEqual({ key: 'b', dir: 'asc' });
  });
});

describe('attackUrl', () => {
  it('links ATT&CK techniques and sub-techniques, nothing else', () => {
    expect(attackUrl('attack.t1213')).toBe('https://attack.mitre.org/techniques/T1213/');
    expect(attackUrl('attack.t1078.004')).toBe('https://attack.mitre.org/techniques/T1078/004/');
    expect(attackUrl('attack.collection')).toBeNull();
    expect(attackUrl('slack.anomaly')).toBeNull();
    expect(attackUrl('attack.t12')).toBeNull();
  });
});
