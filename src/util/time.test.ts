import { describe, expect, it } from 'vitest';
import { isoSeconds, parseTime } from './time.ts';

const viaDate = (ts: number) => new Date(ts * 1000).toISOString().replace('.000Z', 'Z');

describe('isoSeconds', () => {
  it('formats like Date at day, hour and minute edges and across calls that change day', () => {
    const edges = [0, 59, 60, 3599, 3600, 86399, 86400, 951_782_400 /* 2000-02-29 */, 1_717_372_799, 1_717_372_800, 253_402_300_799];
    for (const ts of [...edges, ...edges.reverse()]) expect(isoSeconds(ts)).toBe(viaDate(ts));
    expect(isoSeconds(1_717_372_800)).toBe('2024-06-03T00:00:00Z');
  });

  it('agrees with Date on many times, in and out of order', () => {
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const ts = i % 2 ? 1_700_000_000 + (x % 5_000_000) : x % 4_000_000_000;
      expect(isoSeconds(ts)).toBe(viaDate(ts));
    }
  });

  it('keeps fractions, times before 1970 and after year 9999 exact', () => {
    for (const ts of [1.5, 1_717_372_800.25, -1, -86_401, 253_402_300_800, 300_000_000_000]) expect(isoSeconds(ts)).toBe(viaDate(ts));
    expect(isoSeconds(1.5)).toBe('1970-01-01T00:00:01.500Z');
  });
});

describe('parseTime', () => {
  const now = Date.UTC(2026, 0, 15);
  it('reads durations back from now up to 100 years, and refuses longer ones', () => {
    expect(parseTime('24h', now)).toBe(now / 1000 - 86400);
    expect(parseTime('36500d', now)).toBe(now / 1000 - 36500 * 86400);
    for (const s of ['36501d', '1000000000w', '99999999999999999999999999s']) expect(() => parseTime(s, now), s).toThrow(/at most 100 years/);
  });

  it('reads four-digit ISO dates, so a range is always finite', () => {
    expect(parseTime('0000-01-01')).toBe(-62167219200);
    expect(parseTime('9999-12-31')).toBe(253402214400);
  });
});
