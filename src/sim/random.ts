/**
 * Seeded randomness for the simulator. Everything the generator and the fault injector decide comes from here, never
 * from `Math.random`, so a seed reproduces an organisation (and a fault sequence) byte for byte.
 */

/**
 * The mulberry32 generator: tiny, fast and good enough for test data (not for cryptography).
 *
 * @example
 * const next = mulberry32(42);
 * next(); // 0.6011037519201636, the same on every run
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derive an independent seed from a parent seed and a label, so that each concern (users, activity, anomalies, faults)
 * draws from its own stream: changing how many numbers one concern uses does not shift the others.
 *
 * @example
 * deriveSeed(42, 'anomalies') !== deriveSeed(42, 'activity') // true
 */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, mixed with the seed through a murmur3-style finaliser.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded random source with the helpers the generator needs. */
export interface Rng {
  /** The seed this stream started from (for forking and for error messages). */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Lowercase hex digits. */
  hex(length: number): string;
  /** Uppercase letters and digits, the alphabet of Slack ids. */
  alnum(length: number): string;
  /** A UUID-v4-shaped string, the shape of audit event ids. */
  uuid(): string;
  /** A new, independent stream derived from this one's seed and a label. */
  fork(label: string): Rng;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Create a seeded random source.
 *
 * @example
 * const rng = createRng(42);
 * rng.int(1, 6);          // a die roll, identical for seed 42 on every run
 * rng.fork('users').uuid();
 */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const rng: Rng = {
    seed: seed >>> 0,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => p > 0 && next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[Math.floor(next() * items.length)]!;
    },
    hex: (length) => {
      let s = '';
      for (let i = 0; i < length; i++) s += Math.floor(next() * 16).toString(16);
      return s;
    },
    alnum: (length) => {
      let s = '';
      for (let i = 0; i < length; i++) s += ALNUM[Math.floor(next() * ALNUM.length)];
      return s;
    },
    uuid: () => {
      const h = rng.hex(32);
      const variant = '89ab'[Math.floor(next() * 4)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    fork: (label) => createRng(deriveSeed(seed, label)),
  };
  return rng;
}

/**
 * Build a weighted chooser once, then draw from it many times (the activity mix is drawn ~100k times per org).
 *
 * @example
 * const action = weighted([['file_downloaded', 35], ['user_login', 5]]);
 * action(createRng(1)); // 'file_downloaded' most of the time
 */
export function weighted<T>(items: ReadonlyArray<readonly [T, number]>): (rng: Rng) => T {
  const values = items.map(([v]) => v);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of items) {
    if (!(w >= 0)) throw new RangeError(`negative or NaN weight ${w}`);
    total += w;
    cumulative.push(total);
  }
  if (total <= 0) throw new RangeError('weights sum to zero');
  return (rng) => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  };
}
