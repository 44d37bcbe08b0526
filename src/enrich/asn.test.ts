import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTrusted, loadAsnCsv, nullAsnDatabase, parseAsn, parseAsnCsv } from './asn.ts';
import { loadCountryCsv, nullCountryDatabase, parseCountryCsv } from './country.ts';
import { openIpData } from './ip-data.ts';
import { splitCsvLine } from './ip-range-csv.ts';
import { parseCidrList } from './ip.ts';

const ASN_CSV = [
  'start_ip,end_ip,asn,name',
  '198.51.100.0,198.51.100.255,64500,Example Office ISP',
  '192.0.2.0,192.0.2.127,64501,"Cloudy, Inc."',
  '192.0.2.128,192.0.2.255,0,Not routed',
  '2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,AS64502,V6 Net',
  '203.0.113.0,203.0.113.255,64503',
  '',
  '# comment',
  'bogus,line,1,x',
  '203.0.114.9,203.0.114.1,64504,reversed',
].join('\n');

describe('ASN database', () => {
  const db = parseAsnCsv(ASN_CSV, 'test.csv');

  it.each([
    ['198.51.100.42', { asn: 64500, name: 'Example Office ISP' }],
    ['192.0.2.5', { asn: 64501, name: 'Cloudy, Inc.' }],
    ['192.0.2.200', null], // ASN 0: not routed
    ['2001:db8:5::1', { asn: 64502, name: 'V6 Net' }],
    ['203.0.113.1', { asn: 64503 }],
    ['8.8.8.8', null],
    ['nonsense', null],
  ])('%s → %j', (ip, info) => {
    expect(db.lookup(ip)).toEqual(info);
  });

  it('reports bad rows without failing, and skips the header', () => {
    expect(db.report).toMatchObject({ source: 'test.csv', ranges: 5, badLines: 2 });
    expect(db.report.problems).toEqual([
      { line: 9, reason: 'start address is not a valid IP' },
      { line: 10, reason: 'start address is after end address' },
    ]);
    expect(db.source).toBe('test.csv');
  });

  it('loads from a file, and refuses a file with no valid row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-asn-'));
    try {
      writeFileSync(join(dir, 'asn.csv'), ASN_CSV);
      expect(loadAsnCsv(join(dir, 'asn.csv')).lookup('198.51.100.1')?.asn).toBe(64500);
      writeFileSync(join(dir, 'wrong.csv'), 'this is,not,an,asn file\nreally,not,at,all\n');
      expect(() => loadAsnCsv(join(dir, 'wrong.csv'))).toThrow(/no valid IP range rows/);
      expect(() => loadAsnCsv(join(dir, 'missing.csv'))).toThrow(/cannot read IP range file .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nullAsnDatabase knows nothing', () => {
    expect(nullAsnDatabase.lookup('198.51.100.1')).toBeNull();
    expect(nullAsnDatabase.source).toBeNull();
  });

  it('parses ASN spellings', () => {
    expect(parseAsn('AS13335')).toBe(13335);
    expect(parseAsn('as13335')).toBe(13335);
    expect(parseAsn('13335')).toBe(13335);
    expect(parseAsn('0')).toBeNull();
    expect(parseAsn('AS')).toBeNull();
    expect(parseAsn('4294967296')).toBeNull();
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b,c","d ""e"""')).toEqual(['a', 'b,c', 'd "e"']);
  });
});

describe('isTrusted', () => {
  const asnDb = parseAsnCsv(ASN_CSV);
  const trusted = { cidrs: parseCidrList(['10.0.0.0/8', '203.0.113.0/25']), asns: [64501] };

  it.each([
    ['10.1.1.1', { trusted: true, by: 'cidr', match: '10.0.0.0/8' }],
    ['203.0.113.5', { trusted: true, by: 'cidr', match: '203.0.113.0/25' }], // CIDR wins over its ASN (64503, untrusted anyway)
    ['192.0.2.7', { trusted: true, by: 'asn', match: 'AS64501' }],
    ['198.51.100.1', { trusted: false }],
    ['', { trusted: false }],
    [null, { trusted: false }],
  ])('%s → %j', (ip, result) => {
    expect(isTrusted(ip, trusted, asnDb)).toEqual(result);
  });

  it('fails closed for ASN trust without an ASN database', () => {
    expect(isTrusted('192.0.2.7', trusted)).toEqual({ trusted: false });
    expect(isTrusted('192.0.2.7', trusted, nullAsnDatabase)).toEqual({ trusted: false });
  });

  it('accepts a Set of ASNs and a missing CIDR list', () => {
    expect(isTrusted('192.0.2.7', { asns: new Set([64501]) }, asnDb)).toEqual({ trusted: true, by: 'asn', match: 'AS64501' });
    expect(isTrusted('10.0.0.1', { asns: [] }, asnDb)).toEqual({ trusted: false });
  });
});

describe('country database and openIpData', () => {
  it('looks up countries and rejects bad codes', () => {
    const geo = parseCountryCsv('192.0.2.0,192.0.2.255,nl\n198.51.100.0,198.51.100.255,Germany\n2001:db8::,2001:db8::ffff,DE\n');
    expect(geo.lookup('192.0.2.9')).toBe('NL');
    expect(geo.lookup('198.51.100.1')).toBeNull();
    expect(geo.lookup('2001:db8::1')).toBe('DE');
    expect(geo.report.problems).toEqual([{ line: 2, reason: 'country "GERMANY" is not a two-letter code' }]);
    expect(nullCountryDatabase.lookup('192.0.2.9')).toBeNull();
  });

  it('returns null lookups when nothing is configured', () => {
    const d = openIpData();
    expect(d.lookupAsn('198.51.100.1')).toBeNull();
    expect(d.lookupCountry('198.51.100.1')).toBeNull();
    expect(d.reports).toEqual([]);
  });

  it('opens configured files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-ipdata-'));
    try {
      writeFileSync(join(dir, 'asn.csv'), ASN_CSV);
      writeFileSync(join(dir, 'cc.csv'), '198.51.100.0,198.51.100.255,FR\n');
      const d = openIpData({ asn_csv: join(dir, 'asn.csv'), country_csv: join(dir, 'cc.csv') });
      expect(d.lookupAsn('198.51.100.1')).toEqual({ asn: 64500, name: 'Example Office ISP' });
      expect(d.lookupCountry('198.51.100.1')).toBe('FR');
      expect(d.lookupCountry(null)).toBeNull();
      expect(d.reports.map((r) => r.ranges)).toEqual([5, 1]);
      expect(loadCountryCsv(join(dir, 'cc.csv')).size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
