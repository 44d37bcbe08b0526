import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseThreatIntelText, ThreatIntelList } from './threat-intel.ts';

describe('parseThreatIntelText', () => {
  it('accepts comments, blank lines, CIDRs, IPv6 and trailing comments; reports bad lines', () => {
    const r = parseThreatIntelText([
      '\uFEFF# Tor exit nodes (sample)',
      '',
      '198.51.100.7',
      '203.0.113.0/24 ; SBL123',
      '2001:db8:bad::/48   # feed X',
      '   ',
      'not-an-ip',
      '10.0.0.0/99',
      '192.0.2.1 192.0.2.2',
    ].join('\r\n'));
    expect(r.ranges.map((x) => x.entry)).toEqual(['198.51.100.7', '203.0.113.0/24', '2001:db8:bad::/48']);
    expect(r.problems).toEqual([
      { line: 7, text: 'not-an-ip', reason: 'not a valid IPv4 or IPv6 address: "not-an-ip"' },
      { line: 8, text: '10.0.0.0/99', reason: 'prefix length must be 0-32 for IPv4' },
      { line: 9, text: '192.0.2.1 192.0.2.2', reason: 'more than one value on the line (use one address or CIDR per line)' },
    ]);
  });
});

describe('ThreatIntelList', () => {
  let dir: string;
  let path: string;
  let now: number;
  const clock = (): number => now;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-intel-'));
    path = join(dir, 'bad-ips.txt');
    now = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers lookups with the matching entry', () => {
    writeFileSync(path, '# list\n203.0.113.0/24\n198.51.100.7\n');
    const intel = new ThreatIntelList(path, { clock });
    expect(intel.has('203.0.113.9')).toEqual({ listed: true, entry: '203.0.113.0/24' });
    expect(intel.has('198.51.100.7')).toEqual({ listed: true, entry: '198.51.100.7' });
    expect(intel.has('198.51.100.8')).toEqual({ listed: false });
    expect(intel.has(null)).toEqual({ listed: false });
    expect(intel.size).toBe(2);
  });

  it('reports bad lines without failing', () => {
    writeFileSync(path, '203.0.113.0/24\ngarbage\n');
    const seen: number[] = [];
    const intel = new ThreatIntelList(path, { clock, onProblems: (p) => seen.push(...p.map((x) => x.line)) });
    expect(intel.has('203.0.113.1').listed).toBe(true);
    expect(intel.problems).toHaveLength(1);
    expect(intel.problems[0]).toMatchObject({ line: 2, text: 'garbage' });
    expect(seen).toEqual([2]);
  });

  it('picks up an in-place edit after the check interval, not before', () => {
    writeFileSync(path, '203.0.113.0/24\n');
    const intel = new ThreatIntelList(path, { clock, checkIntervalMs: 5000 });
    expect(intel.has('192.0.2.10').listed).toBe(false);

    writeFileSync(path, '203.0.113.0/24\n192.0.2.0/24\n');
    // Make sure the mtime differs even on coarse-grained file systems.
    utimesSync(path, new Date(now / 1000 + 10), new Date(now / 1000 + 10));
    now += 1000;
    expect(intel.has('192.0.2.10').listed).toBe(false); // not checked yet: within the interval
    now += 4000;
    expect(intel.has('192.0.2.10')).toEqual({ listed: true, entry: '192.0.2.0/24' });
    expect(intel.loadedAt).toBe(now);
  });

  it('picks up an append (>>) and an editor-style replace (new inode)', () => {
    writeFileSync(path, '203.0.113.0/24\n');
    const intel = new ThreatIntelList(path, { clock, checkIntervalMs: 0 });
    appendFileSync(path, '192.0.2.1\n');
    expect(intel.has('192.0.2.1').listed).toBe(true);

    const tmp = join(dir, 'new.txt');
    writeFileSync(tmp, '198.51.100.0/24\n');
    renameSync(tmp, path);
    expect(intel.has('198.51.100.50').listed).toBe(true);
    expect(intel.has('192.0.2.1').listed).toBe(false);
  });

  it('keeps the last good list if the file disappears, and recovers when it is back', () => {
    writeFileSync(path, '203.0.113.0/24\n');
    const intel = new ThreatIntelList(path, { clock, checkIntervalMs: 0 });
    rmSync(path);
    expect(intel.has('203.0.113.1').listed).toBe(true);
    expect(intel.lastError).toMatch(/ENOENT/);
    writeFileSync(path, '192.0.2.0/24\n');
    expect(intel.has('192.0.2.1').listed).toBe(true);
    expect(intel.lastError).toBeNull();
  });

  it('fails at start-up when the configured file does not exist', () => {
    expect(() => new ThreatIntelList(join(dir, 'missing.txt'))).toThrow(/threat intel list .*missing\.txt: ENOENT/);
  });

  it('reload() reports whether anything changed', () => {
    writeFileSync(path, '203.0.113.0/24\n');
    const intel = new ThreatIntelList(path, { clock });
    expect(intel.reload()).toBe(false);
    writeFileSync(path, '203.0.113.0/24\n192.0.2.0/24\n');
    expect(intel.reload()).toBe(true);
    expect(intel.reload(true)).toBe(true);
  });
});
