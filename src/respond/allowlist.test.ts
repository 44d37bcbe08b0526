import { describe, expect, it } from 'vitest';
import { carries, checkAsn, checkChange, checkCidr, diffAllowlists, mergeAllowlist, renderDiff } from './allowlist.ts';

describe('checkCidr', () => {
  it('keeps canonical networks, makes a host a /32, and refuses host bits with both readings offered', () => {
    expect(checkCidr('192.0.2.0/24', 'slack')).toEqual({ ok: true, value: '192.0.2.0/24' });
    expect(checkCidr(' 192.0.2.7 ', 'slack')).toEqual({ ok: true, value: '192.0.2.7/32' });
    expect(checkCidr('10.0.0.1/8', 'slack')).toEqual({
      ok: false,
      message: '--cidr 10.0.0.1/8: host bits are set; did you mean the network 10.0.0.0/8, or the single address 10.0.0.1/32?',
    });
  });

  it('refuses IPv6 for Slack (IPv4 only) but takes it, canonicalised, for the local lists', () => {
    const r = checkCidr('2001:db8::/32', 'both');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toBe("--cidr 2001:db8::/32: Slack's anomaly allowlist takes IPv4 CIDRs only; to trust an IPv6 network in gridwatch's own rules use --to local");
    expect(checkCidr('2001:DB8:0::/32', 'local')).toEqual({ ok: true, value: '2001:db8::/32' });
    expect(checkCidr('2001:db8::1', 'local')).toEqual({ ok: true, value: '2001:db8::1/128' });
    expect(checkCidr('2001:db8::1/32', 'local')).toMatchObject({ ok: false, message: expect.stringContaining('did you mean the network 2001:db8::/32') });
  });

  it('refuses what is not an address, a bad prefix, a /0 and leading zeros', () => {
    for (const [input, part] of [
      ['300.1.1.1/8', 'is not an IP address'],
      ['example.com', 'is not an IP address'],
      ['010.0.0.0/8', 'is not an IP address'],
      ['10.0.0.0/33', 'prefix length must be 0 to 32'],
      ['10.0.0.0/x', 'is not a number from 0 to 32'],
      ['0.0.0.0/0', 'would trust every address'],
    ] as const) {
      const r = checkCidr(input, 'slack');
      expect(r.ok, input).toBe(false);
      expect(!r.ok && r.message, input).toContain(part);
    }
  });
});

describe('checkAsn', () => {
  it('takes 1..4294967295, with or without AS, and nothing else', () => {
    expect(checkAsn('64500')).toEqual({ ok: true, value: 64500 });
    expect(checkAsn('AS4294967295')).toEqual({ ok: true, value: 4294967295 });
    expect(checkAsn('as1')).toEqual({ ok: true, value: 1 });
    for (const bad of ['0', '4294967296', '-5', '1.5', 'ASN', '']) {
      expect(checkAsn(bad), bad).toEqual({ ok: false, message: `--asn ${bad}: an ASN is a whole number from 1 to 4294967295 (e.g. 64500 or AS64500)` });
    }
  });
});

describe('checkChange', () => {
  it('reports every problem at once and drops duplicates by network', () => {
    const bad = checkChange({ cidrs: ['10.0.0.1/8', '2001:db8::/32'], asns: ['0'] }, 'slack');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.length).toBe(3);
    expect(checkChange({ cidrs: ['192.0.2.7', '192.0.2.7/32'], asns: ['7', 'AS7'] }, 'slack')).toEqual({ ok: true, value: { cidrs: ['192.0.2.7/32'], asns: [7] } });
    expect(checkChange({ cidrs: [], asns: [] }, 'slack')).toEqual({ ok: false, problems: ['give at least one --cidr or --asn'] });
  });
});

describe('mergeAllowlist', () => {
  const current = { cidrs: ['8.8.8.8/24', '198.51.100.0/24', 'junk'], asns: [64500, 64501] };

  it('add keeps every other entry, spelling and order, and appends only what is new', () => {
    const r = mergeAllowlist(current, 'add', { cidrs: ['8.8.8.0/24', '192.0.2.0/24'], asns: [64501, 7] });
    expect(r.next).toEqual({ cidrs: ['8.8.8.8/24', '198.51.100.0/24', 'junk', '192.0.2.0/24'], asns: [64500, 64501, 7] });
    expect(r.diff).toEqual({ added: { cidrs: ['192.0.2.0/24'], asns: [7] }, removed: { cidrs: [], asns: [] } });
    expect(r.unchanged).toEqual({ cidrs: ['8.8.8.0/24'], asns: [64501] });
  });

  it('remove drops the entries denoting the same network, whatever their spelling, and keeps the rest', () => {
    const r = mergeAllowlist(current, 'remove', { cidrs: ['8.8.8.0/24', '203.0.113.0/24'], asns: [64500] });
    expect(r.next).toEqual({ cidrs: ['198.51.100.0/24', 'junk'], asns: [64501] });
    expect(r.diff).toEqual({ added: { cidrs: [], asns: [] }, removed: { cidrs: ['8.8.8.8/24'], asns: [64500] } });
    expect(r.unchanged).toEqual({ cidrs: ['203.0.113.0/24'], asns: [] });
  });
});

describe('diffAllowlists / carries / renderDiff', () => {
  it('ignores order and spelling, and says whether a change survived', () => {
    const a = { cidrs: ['192.0.2.0/24', '10.0.0.0/8'], asns: [1, 2] };
    expect(diffAllowlists(a, { cidrs: ['10.0.0.0/8', '192.0.2.9/24'], asns: [2, 1] })).toEqual({ added: { cidrs: [], asns: [] }, removed: { cidrs: [], asns: [] } });
    const d = diffAllowlists(a, { cidrs: ['10.0.0.0/8'], asns: [1, 2, 3] });
    expect(renderDiff(d)).toEqual(['+ asn  3', '- cidr 192.0.2.0/24']);
    expect(carries(a, 'add', { cidrs: ['192.0.2.0/24'], asns: [2] })).toBe(true);
    expect(carries(a, 'add', { cidrs: ['203.0.113.0/24'], asns: [] })).toBe(false);
    expect(carries(a, 'remove', { cidrs: ['203.0.113.0/24'], asns: [3] })).toBe(true);
    expect(carries(a, 'remove', { cidrs: [], asns: [1] })).toBe(false);
  });
});
