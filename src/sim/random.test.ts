import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, mulberry32, weighted } from './random.ts';

describe('seeded randomness', () => {
  it('mulberry32 repeats for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(mulberry32(43)()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('forks are independent streams tied to the label', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
    expect(createRng(5).fork('x').uuid()).toBe(createRng(5).fork('x').uuid());
  });

  it('int is inclusive and uuid has the v4 shape', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(rng.int(1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => rng.pick([])).toThrow();
  });

  it('weighted follows the weights', () => {
    const pick = weighted([['a', 9], ['b', 1], ['never', 0]] as const);
    const rng = createRng(3);
    const counts: Record<string, number> = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 5000; i++) counts[pick(rng)]!++;
    expect(counts.never).toBe(0);
    expect(counts.a! / 5000).toBeGreaterThan(0.85);
    expect(counts.a! / 5000).toBeLessThan(0.95);
    expect(() => weighted([['x', 0]])).toThrow();
  });
});
