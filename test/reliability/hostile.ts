/**
 * Hostile values for the fuzz tests: the strings attackers and broken exporters send (SQL and HTML/JS injection,
 * unicode edge cases, huge strings), as fast-check arbitraries, and the seed every property runs with.
 */
import fc from 'fast-check';

/** The seed of every property: fixed, or `RELIABILITY_SEED` to reproduce a printed failure. */
export const FUZZ_SEED = Number(process.env.RELIABILITY_SEED ?? 1313);

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
  '1 UNION SELECT sqlite_version(), 2, 3 --',
  "%' ESCAPE '\\",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  '{{constructor.constructor("alert(1)")()}}',
  '${7*7}',
  '../../../../etc/passwd',
  '\u0000\u0001\u001f',
  '\u202e\u200b\ufeff',
  '\ud83d\ude00 Zoë 日本 ﷽',
  '\ud800', // a lone surrogate
  '__proto__',
  'NaN',
  '-1',
  '1e309',
  '[]',
  '{}',
];

/**
 * A hostile string: an injection, arbitrary unicode (lone surrogates included), or a huge one.
 *
 * @example fc.sample(hostileString(), 3)
 */
export function hostileString(maxHuge = 200_000): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '<', "'", 'é', '\ud83d\ude00'), fc.integer({ min: 1000, max: maxHuge })).map(([c, n]) => c.repeat(Math.ceil(n / c.length))) },
  );
}
