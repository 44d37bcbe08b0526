// Client-side sorting of the rows a table holds (one page of a paged list, or a whole bounded list).

export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: string;
  dir: SortDir;
}
export type SortValue = string | number | null | undefined;

/**
 * The rows in the order of `sort` by `valueOf(row, key)`: numbers numerically, text case-insensitively, empty values
 * last whichever the direction; ties keep their order (a stable sort). Without `sort`, the rows as given.
 *
 * @example sortRows([{ n: 2 }, { n: 10 }], { key: 'n', dir: 'desc' }, (r) => r.n) // [{ n: 10 }, { n: 2 }]
 */
export function sortRows<T>(rows: readonly T[], sort: SortState | null, valueOf: (row: T, key: string) => SortValue): T[] {
  if (!sort) return [...rows];
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = rows.map((row, i) => ({ row, i, v: valueOf(row, sort.key) }));
  keyed.sort((a, b) => {
    const ea = a.v === null || a.v === undefined || a.v === '';
    const eb = b.v === null || b.v === undefined || b.v === '';
    if (ea || eb) return ea && eb ? a.i - b.i : ea ? 1 : -1;
    const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v), undefined, { sensitivity: 'base', numeric: true });
    return c === 0 ? a.i - b.i : sign * c;
  });
  return keyed.map((k) => k.row);
}

/**
 * The next sort after a click on column `key`: a new column sorts ascending, then descending, then back to none.
 *
 * @example nextSort(null, 'user') // { key: 'user', dir: 'asc' }
 * @example nextSort({ key: 'user', dir: 'desc' }, 'user') // null
 */
export function nextSort(cur: SortState | null, key: string): SortState | null {
  if (!cur || cur.key !== key) return { key, dir: 'asc' };
  return cur.dir === 'asc' ? { key, dir: 'desc' } : null;
}
