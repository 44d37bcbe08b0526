/**
 * The shipped IP data: known prefixes, read from the package files themselves (each expectation quotes its row).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompactRangeBuilder } from './compact-ranges.ts';
import { openIpData } from './ip-data.ts';
import { packagedAsnDatabase, packagedCountryDatabase, v6Words } from './packaged-data.ts';

describe('shipped IP-to-ASN data', () => {
  const asn = packagedAsnDatabase();

  it('maps well-known IPv4 prefixes to their ASN and network name', () => {
    // asn-ipv4.csv: 1.1.1.0,1.1.1.255,13335,"Cloudflare, Inc."  (the quoted name keeps its comma)
    expect(asn.lookup('1.1.1.1')).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });
    // asn-ipv4.csv: 8.8.8.0,8.8.8.255,15169,Google LLC
    expect(asn.lookup('8.8.8.8')).toEqual({ asn: 15169, name: 'Google LLC' });
    // Range edges are inclusive: 1.1.1.255 is still Cloudflare; 1.1.128.0 starts TOT (23969).
    expect(asn.lookup('1.1.1.255')?.asn).toBe(13335);
    expect(asn.lookup('1.1.128.0')?.asn).toBe(23969);
    // An IPv4-mapped IPv6 address is its IPv4 address.
    expect(asn.lookup('::ffff:8.8.8.8')?.asn).toBe(15169);
  });

  it('maps IPv6 prefixes', () => {
    // asn-ipv6.csv: 2606:4700::,2606:4700:1:ffff:ffff:ffff:ffff:ffff,13335,"Cloudflare, Inc."
    expect(asn.lookup('2606:4700::1111')).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });
    // asn-ipv6.csv: 2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC
    expect(asn.lookup('2001:4860:4800::8888')?.asn).toBe(15169);
    // asn-ipv6.csv: 2001:4860:4805::,...,43515,Google Ireland Limited (the next range, same /32)
    expect(asn.lookup('2001:4860:4805::1')?.asn).toBe(43515);
  });

  it('knows nothing of private, documentation and invalid addresses', () => {
    expect(asn.lookup('10.0.0.1')).toBeNull();
    expect(asn.lookup('192.0.2.1')).toBeNull();
    expect(asn.lookup('2001:db8::1')).toBeNull();
    expect(asn.lookup('not-an-ip')).toBeNull();
  });

  it('says where the data came from (the pinned package version)', () => {
    expect(asn.source).toMatch(/^@ip-location-db\/asn@2\.3\.\d{10}$/);
    expect(asn.size).toBeGreaterThan(400_000);
  });
});

describe('shipped IP-to-country data', () => {
  const country = packagedCountryDatabase();

  it('maps IPv4 and IPv6 addresses to country codes', () => {
    // geo-whois-asn-country-ipv4.csv: 1.1.1.0,1.1.1.255,AU and 1.1.128.0,1.1.255.255,TH
    expect(country.lookup('1.1.1.1')).toBe('AU');
    expect(country.lookup('1.1.200.1')).toBe('TH');
    expect(country.lookup('8.8.8.8')).toBe('US');
    expect(country.lookup('2606:4700::1111')).toBe('US');
    expect(country.lookup('10.0.0.1')).toBeNull();
    // The package has a row covering 198.51.100.0/24 (TEST-NET-2, documentation): special-use addresses stay null.
    expect(country.lookup('198.51.100.1')).toBeNull();
    expect(country.lookup('fe80::1')).toBeNull();
    expect(country.lookup('nope')).toBeNull();
  });
});

describe('openIpData without configuration', () => {
  it('answers from the shipped data', () => {
    const d = openIpData();
    expect(d.lookupAsn('1.1.1.1')?.asn).toBe(13335);
    expect(d.lookupCountry('1.1.1.1')).toBe('AU');
    expect(d.reports).toEqual([]);
  });

  it('a configured CSV still wins over the shipped data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-ipdata-pkg-'));
    try {
      writeFileSync(join(dir, 'asn.csv'), '1.1.1.0,1.1.1.255,64500,Our Own Name\n');
      writeFileSync(join(dir, 'cc.csv'), '1.1.1.0,1.1.1.255,FR\n');
      const d = openIpData({ asn_csv: join(dir, 'asn.csv'), country_csv: join(dir, 'cc.csv') });
      expect(d.lookupAsn('1.1.1.1')).toEqual({ asn: 64500, name: 'Our Own Name' });
      expect(d.lookupCountry('1.1.1.1')).toBe('FR');
      // The override replaces the data of its kind: the file's gaps are not filled from the package.
      expect(d.lookupAsn('8.8.8.8')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('v6Words', () => {
  it('parses the compressed forms the data uses and rejects malformed ones', () => {
    expect([...v6Words('2606:4700::')!]).toEqual([0x26064700, 0, 0, 0]);
    expect([...v6Words('::1')!]).toEqual([0, 0, 0, 1]);
    expect([...v6Words('2001:4860:4804:ffff:ffff:ffff:ffff:ffff')!]).toEqual([0x20014860, 0x4804ffff, 0xffffffff, 0xffffffff]);
    expect([...v6Words('1:2::7:8')!]).toEqual([0x10002, 0, 0, 0x70008]);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '1:::2', ':1::', '12345::', 'g::', '1:2', '1:'])
      expect(v6Words(bad), bad).toBeNull();
  });
});

describe('CompactRanges', () => {
  it('returns the most specific of nested ranges, in any input order', () => {
    const b = new CompactRangeBuilder(1, 1); // capacity 1: also exercises growth
    b.add([100], [100], 2); // a single address inside the block below (as in the shipped country data)
    b.add([0], [255], 1);
    b.add([300], [400], 3);
    b.add([9], [5], 9); // start > end: dropped
    const r = b.build();
    expect(r.size).toBe(3);
    expect([0, 99, 100, 101, 255, 256, 300, 400, 401].map((k) => r.find(Uint32Array.of(k)))).toEqual([1, 1, 2, 1, 1, -1, 3, 3, -1]);
  });

  it('compares 4-word keys most significant word first', () => {
    const b = new CompactRangeBuilder(4);
    b.add([1, 0, 0, 0], [1, 0xffffffff, 0xffffffff, 0xffffffff], 5);
    const r = b.build();
    expect(r.find(Uint32Array.of(1, 0xffffffff, 0, 0))).toBe(5);
    expect(r.find(Uint32Array.of(0, 0xffffffff, 0xffffffff, 0xffffffff))).toBe(-1);
    expect(r.find(Uint32Array.of(2, 0, 0, 0))).toBe(-1);
  });
});
