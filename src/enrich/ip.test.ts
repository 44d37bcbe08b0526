import { describe, expect, it } from 'vitest';
import { CidrListError, ipInCidrs, isValidIp, matchCidr, normaliseIp, parseCidr, parseCidrList, parseIp, slash24 } from './ip.ts';
import { RangeIndex } from './ranges.ts';

describe('isValidIp / parseIp', () => {
  it.each([
    ['203.0.113.5', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['2001:db8::1', true],
    ['::', true],
    ['::ffff:203.0.113.5', true],
    ['fe80::1%eth0', true],
    [' 198.51.100.1 ', true],
    ['1.23.45.678', false], // Slack's own doc example
    ['256.1.1.1', false],
    ['01.2.3.4', false],
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['1.2.3.', false],
    ['.1.2.3', false],
    ['1..2.3', false],
    ['0x7f.0.0.1', false],
    ['2130706433', false],
    ['2001:db8::/32', false],
    ['gggg::1', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['', false],
    ['localhost', false],
  ])('%j → %s', (ip, ok) => {
    expect(isValidIp(ip)).toBe(ok);
  });

  it('isValidIp rejects null and undefined', () => {
    expect(isValidIp(null)).toBe(false);
    expect(isValidIp(undefined)).toBe(false);
  });

  it('maps IPv4-mapped IPv6 to the IPv4 key', () => {
    expect(parseIp('::ffff:203.0.113.5')).toEqual(parseIp('203.0.113.5'));
    expect(parseIp('203.0.113.5')).toEqual({ family: 4, key: 203 * 2 ** 24 + 113 * 256 + 5 });
  });

  it('normalises spellings', () => {
    expect(normaliseIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normaliseIp('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(normaliseIp('198.51.100.7')).toBe('198.51.100.7');
    expect(normaliseIp('nope')).toBeNull();
  });
});

describe('slash24', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['203.0.113.0', '203.0.113.0/24'],
    ['255.255.255.255', '255.255.255.0/24'],
    ['::ffff:203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:1:2::abcd', '2001:db8:1::/48'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8:ffff::/48'],
    ['1.23.45.678', null],
    ['', null],
  ])('%s → %s', (ip, net) => {
    expect(slash24(ip)).toBe(net);
  });
});

describe('parseCidr', () => {
  it('parses IPv4, IPv6 and bare addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ ok: true, range: { family: 4, start: 10 * 2 ** 24, end: 11 * 2 ** 24 - 1 } });
    expect(parseCidr('198.51.100.7')).toMatchObject({ ok: true, range: { family: 4, start: 3325256711, end: 3325256711 } });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ ok: true, range: { start: 0, end: 2 ** 32 - 1 } });
    const v6 = parseCidr('2001:db8::/32');
    expect(v6.ok && v6.range.family === 6 && v6.range.end - v6.range.start).toBe((1n << 96n) - 1n);
  });

  it('masks host bits', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ ok: true, range: { start: 10 * 2 ** 24 } });
  });

  it('accepts IPv4-mapped IPv6 CIDRs in IPv6 bits', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ ok: true, range: { family: 4, start: 10 * 2 ** 24, end: 11 * 2 ** 24 - 1 } });
  });

  it.each([
    ['10.0.0.0/33', 'prefix length must be 0-32 for IPv4'],
    ['2001:db8::/129', 'prefix length must be 0-128 for IPv6'],
    ['10.0.0.0/', 'prefix length "" is not a number'],
    ['10.0.0.0/abc', 'prefix length "abc" is not a number'],
    ['10.0.0.0/-1', 'prefix length "-1" is not a number'],
    ['office', 'not a valid IPv4 or IPv6 address: "office"'],
    ['', 'empty entry'],
  ])('%j is rejected: %s', (entry, reason) => {
    expect(parseCidr(entry)).toEqual({ ok: false, reason });
  });
});

describe('parseCidrList / ipInCidrs / matchCidr', () => {
  const list = parseCidrList(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16', '198.51.100.7', '2001:db8::/32', '2001:db8:1::/48']);

  it.each([
    ['10.9.9.9', '10.0.0.0/8'],
    ['10.1.9.9', '10.1.0.0/16'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['10.2.0.0', '10.0.0.0/8'], // after a nested block: found through the parent chain
    ['10.255.255.255', '10.0.0.0/8'],
    ['11.0.0.0', null],
    ['9.255.255.255', null],
    ['198.51.100.7', '198.51.100.7'],
    ['198.51.100.8', null],
    ['::ffff:10.1.2.3', '10.1.2.0/24'],
    ['2001:db8:1::5', '2001:db8:1::/48'],
    ['2001:db8:2::5', '2001:db8::/32'],
    ['2001:db9::1', null],
    ['not-an-ip', null],
    ['', null],
  ])('%s → %s', (ip, entry) => {
    expect(matchCidr(ip, list)).toBe(entry);
    expect(ipInCidrs(ip, list)).toBe(entry !== null);
  });

  it('handles null and an empty list', () => {
    expect(ipInCidrs(null, list)).toBe(false);
    expect(ipInCidrs('10.0.0.1', parseCidrList([]))).toBe(false);
  });

  it('throws one error naming every bad entry', () => {
    let err: unknown;
    try {
      parseCidrList(['10.0.0.0/8', 'office-vpn', '192.168.0.0/40', '2001:db8::/32']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CidrListError);
    const e = err as CidrListError;
    expect(e.problems.map((p) => p.index)).toEqual([1, 2]);
    expect(e.message).toContain('entry 1 "office-vpn"');
    expect(e.message).toContain('entry 2 "192.168.0.0/40": prefix length must be 0-32');
  });

  it('uses the label in the message', () => {
    expect(() => parseCidrList(['x'], 'trusted_cidrs')).toThrow(/invalid trusted_cidrs: entry 0 "x"/);
  });

  it('agrees with a brute-force check on random data', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const entries: string[] = [];
    for (let i = 0; i < 300; i++) entries.push(`${rnd(4) + 10}.${rnd(4)}.${rnd(256)}.0/${16 + rnd(16)}`);
    const parsed = parseCidrList(entries);
    const ranges = entries.map((e) => {
      const r = parseCidr(e);
      if (!r.ok || r.range.family !== 4) throw new Error('unexpected');
      return r.range;
    });
    for (let i = 0; i < 3000; i++) {
      const ip = `${rnd(5) + 10}.${rnd(4)}.${rnd(256)}.${rnd(256)}`;
      const key = parseIp(ip)!.key as number;
      const expected = ranges.some((r) => r.start <= key && key <= r.end);
      expect(ipInCidrs(ip, parsed), ip).toBe(expected);
    }
  });

  it('is fast enough for the per-event path', () => {
    const big = parseCidrList(Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`));
    const t0 = performance.now();
    let hits = 0;
    for (let i = 0; i < 200_000; i++) if (ipInCidrs(`10.${i & 63}.${(i >> 6) & 255}.${i & 255}`, big)) hits++;
    const ms = performance.now() - t0;
    expect(hits).toBeGreaterThan(0);
    expect(ms).toBeLessThan(2000); // ~100 ms on this machine; generous for CI noise
  });
});

describe('RangeIndex', () => {
  it('finds the most specific of nested ranges and respects gaps', () => {
    const idx = RangeIndex.build<number, string>([
      { start: 0, end: 100, value: 'outer' },
      { start: 10, end: 20, value: 'a' },
      { start: 12, end: 14, value: 'a1' },
      { start: 30, end: 40, value: 'b' },
      { start: 200, end: 300, value: 'far' },
    ]);
    expect([5, 10, 13, 15, 25, 35, 41, 100, 101, 250, 301].map((k) => idx.find(k) ?? null))
      .toEqual(['outer', 'a', 'a1', 'a', 'outer', 'b', 'outer', 'outer', null, 'far', null]);
    expect(RangeIndex.build<number, string>([]).find(1)).toBeUndefined();
  });
});
