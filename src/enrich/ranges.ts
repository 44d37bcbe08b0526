/**
 * A sorted index of closed key ranges `[start, end]` answering "which range holds this key?" in O(log n).
 *
 * Keys are numbers (IPv4 addresses as unsigned 32-bit integers) or bigints (IPv6 addresses as 128-bit integers);
 * the index knows nothing about IP syntax (see `ip.ts`).
 *
 * Why not a plain binary search on starts: CIDR blocks nest (`10.0.0.0/8` holds `10.1.0.0/16`), so the last range
 * starting at or before a key may not hold it while an earlier, larger one does. Every range therefore records its
 * nearest enclosing range ("parent"); a lookup finds the last start <= key and walks up the parents. For CIDR blocks,
 * which are always nested or disjoint, this is exact and returns the most specific range; the walk is at most as
 * deep as the prefix length, in practice one or two steps. For arbitrary ranges that partially overlap (bad data in
 * an ASN file), the answer is best effort.
 */

export type RangeKey = number | bigint;

export interface KeyRange<K extends RangeKey, V> {
  start: K;
  end: K;
  value: V;
}

export class RangeIndex<K extends RangeKey, V> {
  private readonly starts: K[];
  private readonly ends: K[];
  private readonly values: V[];
  /** Index of the nearest enclosing range, -1 for a top-level range. */
  private readonly parents: Int32Array;

  private constructor(starts: K[], ends: K[], values: V[], parents: Int32Array) {
    this.starts = starts;
    this.ends = ends;
    this.values = values;
    this.parents = parents;
  }

  /**
   * Build an index from ranges in any order. Ranges with `start > end` are ignored.
   *
   * @example
   * const idx = RangeIndex.build([{ start: 10, end: 20, value: 'a' }, { start: 12, end: 13, value: 'b' }]);
   * idx.find(12) // 'b' (the most specific range)
   * idx.find(15) // 'a'
   */
  static build<K extends RangeKey, V>(ranges: Iterable<KeyRange<K, V>>): RangeIndex<K, V> {
    const list = [...ranges].filter((r) => r.start <= r.end);
    // Containers before what they contain: by start ascending, then end descending.
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
    const n = list.length;
    const starts = new Array<K>(n);
    const ends = new Array<K>(n);
    const values = new Array<V>(n);
    const parents = new Int32Array(n);
    const stack: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = list[i]!;
      starts[i] = r.start;
      ends[i] = r.end;
      values[i] = r.value;
      while (stack.length > 0 && ends[stack[stack.length - 1]!]! < r.start) stack.pop();
      parents[i] = stack.length > 0 ? stack[stack.length - 1]! : -1;
      stack.push(i);
    }
    return new RangeIndex(starts, ends, values, parents);
  }

  /** Number of ranges indexed. */
  get size(): number {
    return this.starts.length;
  }

  /**
   * The value of the most specific range holding `key`, or undefined.
   *
   * @example
   * RangeIndex.build([{ start: 1n, end: 5n, value: 'x' }]).find(3n) // 'x'
   */
  find(key: K): V | undefined {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = found; i !== -1; i = this.parents[i]!) {
      if (this.ends[i]! >= key) return this.values[i];
    }
    return undefined;
  }
}
