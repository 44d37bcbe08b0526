/**
 * A range index over typed arrays, for the large shipped IP data sets (400k+ ranges): the same "most specific range
 * holding the key" answer as `RangeIndex` (ranges.ts), without one JS object or bigint per range, so it loads in a
 * fraction of the time and memory.
 *
 * A key is `width` unsigned 32-bit words, most significant first: width 1 for IPv4, 4 for IPv6 (no bigint arithmetic
 * on the hot path). Values are small integers (an index into the caller's table of distinct values).
 *
 * Ranges may nest (the shipped data has a few hundred single addresses inside larger blocks): as in `RangeIndex`, each
 * range records its nearest enclosing range and a lookup walks up from the last range starting at or before the key.
 */

/** Compare two keys of `width` words stored at word offsets `ia` in `a` and `ib` in `b`. */
function cmp(a: Uint32Array, ia: number, b: Uint32Array, ib: number, width: number): number {
  for (let w = 0; w < width; w++) {
    const x = a[ia + w]!;
    const y = b[ib + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Accumulates ranges (in any order, though sorted input skips the sort), then `build()`s the index. */
export class CompactRangeBuilder {
  private starts: Uint32Array;
  private ends: Uint32Array;
  private values: Uint32Array;
  private n = 0;

  constructor(private readonly width: 1 | 4, capacity = 1024) {
    this.starts = new Uint32Array(capacity * width);
    this.ends = new Uint32Array(capacity * width);
    this.values = new Uint32Array(capacity);
  }

  /**
   * Add a range whose start and end keys are `width` words each. Ranges with start > end are dropped.
   *
   * @example
   * const b = new CompactRangeBuilder(1);
   * b.add([16843008], [16843263], 0); // 1.1.1.0 - 1.1.1.255 → value 0
   */
  add(start: ArrayLike<number>, end: ArrayLike<number>, value: number): void {
    const w = this.width;
    if (this.n === this.values.length) this.grow();
    const off = this.n * w;
    for (let i = 0; i < w; i++) {
      this.starts[off + i] = start[i]!;
      this.ends[off + i] = end[i]!;
    }
    if (cmp(this.starts, off, this.ends, off, w) > 0) return;
    this.values[this.n++] = value;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const s = new Uint32Array(cap * this.width);
    s.set(this.starts);
    const e = new Uint32Array(cap * this.width);
    e.set(this.ends);
    const v = new Uint32Array(cap);
    v.set(this.values);
    this.starts = s;
    this.ends = e;
    this.values = v;
  }

  /** Sort (start ascending, end descending: containers first) unless already in that order, and link parents. */
  build(): CompactRanges {
    const w = this.width;
    const n = this.n;
    // Copies of the used part, so the over-allocated buffers can be freed.
    return compactRangesOf(w, this.starts.slice(0, n * w), this.ends.slice(0, n * w), this.values.slice(0, n));
  }
}

/**
 * The index over ranges already in flat arrays (`width` words per key, one value per range; start <= end): sorted
 * (start ascending, end descending: containers first) unless already in that order, then parents linked. Arrays in
 * order are kept, not copied: the caller hands them over.
 *
 * @example
 * compactRangesOf(1, Uint32Array.of(10), Uint32Array.of(20), Uint32Array.of(7)).find(Uint32Array.of(15)) // 7
 */
export function compactRangesOf(w: 1 | 4, starts: Uint32Array, ends: Uint32Array, values: Uint32Array): CompactRanges {
  const n = values.length;
  const order = (i: number, j: number): number => cmp(starts, i * w, starts, j * w, w) || cmp(ends, j * w, ends, i * w, w);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (order(i - 1, i) > 0) sorted = false;
  if (!sorted) {
    const perm = Array.from({ length: n }, (_, i) => i).sort(order);
    const s = new Uint32Array(n * w);
    const e = new Uint32Array(n * w);
    const v = new Uint32Array(n);
    perm.forEach((from, to) => {
      s.set(starts.subarray(from * w, from * w + w), to * w);
      e.set(ends.subarray(from * w, from * w + w), to * w);
      v[to] = values[from]!;
    });
    starts = s;
    ends = e;
    values = v;
  }
  const parents = new Int32Array(n);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    while (stack.length > 0 && cmp(ends, stack[stack.length - 1]! * w, starts, i * w, w) < 0) stack.pop();
    parents[i] = stack.length > 0 ? stack[stack.length - 1]! : -1;
    stack.push(i);
  }
  return new CompactRanges(w, starts, ends, values, parents);
}

/** The built index: `find(key)` answers the value of the most specific range holding `key`, or -1. */
export class CompactRanges {
  constructor(
    private readonly width: 1 | 4,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly values: Uint32Array,
    private readonly parents: Int32Array,
  ) {}

  get size(): number {
    return this.values.length;
  }

  /**
   * The value of the most specific range holding `key` (`width` words), or -1.
   *
   * @example
   * const b = new CompactRangeBuilder(1);
   * b.add([10], [20], 7);
   * b.build().find(Uint32Array.of(15)) // 7
   */
  find(key: Uint32Array): number {
    const i = this.findRange(key);
    return i < 0 ? -1 : this.values[i]!;
  }

  /**
   * The index of the most specific range holding `key`, or -1: `rangeAt` gives its bounds.
   *
   * @example
   * const r = b.build();
   * r.rangeAt(r.findRange(Uint32Array.of(15))) // { start: Uint32Array [10], end: Uint32Array [20] }
   */
  findRange(key: Uint32Array): number {
    const w = this.width;
    let lo = 0;
    let hi = this.values.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(this.starts, mid * w, key, 0, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = found; i !== -1; i = this.parents[i]!) {
      if (cmp(this.ends, i * w, key, 0, w) >= 0) return i;
    }
    return -1;
  }

  /** First and last key of range `i` (copies, `width` words each). */
  rangeAt(i: number): { start: Uint32Array; end: Uint32Array } {
    const w = this.width;
    return { start: this.starts.slice(i * w, i * w + w), end: this.ends.slice(i * w, i * w + w) };
  }
}
