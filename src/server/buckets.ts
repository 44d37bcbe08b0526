/**
 * The bucket grid of a histogram (the Audit Logs volume, a user's timeline): which width, where the first bucket
 * starts, how many. One place decides it so that no range, however long, yields more than `buckets + 1` buckets:
 * a range of centuries once produced hundreds of millions of zero buckets and ran the server out of memory.
 */

export interface BucketGrid {
  /** Bucket width, seconds. */
  width: number;
  /** Start of the first bucket (a multiple of `width`). */
  first: number;
  /** Number of buckets: at most `buckets + 1` (the ends are aligned to the width, so a bucket may straddle each). */
  count: number;
}

const DAY = 86400;

/**
 * The smallest offered width (at least `minWidth`) giving at most `buckets` buckets over the span; past the largest
 * offered width, whole days wide enough for `buckets`.
 *
 * @example
 * bucketGrid(0, 7 * 86400 - 1, 168, [300, 3600, 86400]) // { width: 3600, first: 0, count: 168 }
 * bucketGrid(-62167219200, 253402214400, 120, [3600]).count <= 121 // ten thousand years, still 121 buckets
 */
export function bucketGrid(since: number, until: number, buckets: number, widths: readonly number[], minWidth = 0): BucketGrid {
  const span = Math.max(1, until - since + 1);
  const width = widths.find((w) => w >= minWidth && span / w <= buckets) ?? Math.max(minWidth, Math.ceil(span / buckets / DAY) * DAY);
  const first = Math.floor(since / width) * width;
  const count = Math.max(1, Math.floor(until / width) - Math.floor(since / width) + 1);
  return { width, first, count };
}
