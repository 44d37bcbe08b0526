/**
 * IP address helpers for enrichment and rules: strict validation, numeric keys, /24 (/48) grouping, CIDR lists.
 *
 * Everything here is on the per-event path, so IPv4 (most of Slack's traffic) is parsed by hand into an unsigned
 * 32-bit number without allocating; IPv6 goes through ipaddr.js and becomes a bigint. IPv4-mapped IPv6 addresses
 * (`::ffff:203.0.113.5`) are treated as the IPv4 address they carry, so one allowlist entry covers both spellings.
 */
import ipaddr from 'ipaddr.js';
import { RangeIndex } from './ranges.ts';

/** An address turned into a number: IPv4 as an unsigned 32-bit integer, IPv6 as a 128-bit bigint. */
export type IpKey = { family: 4; key: number } | { family: 6; key: bigint };

/**
 * Parse a dotted-quad IPv4 address strictly: four decimal parts 0-255, no leading zeros (they are octal to some
 * parsers, so `010.0.0.1` is ambiguous), nothing else. Slack's own doc example `1.23.45.678` is rejected.
 */
function parseV4(s: string): number | null {
  const len = s.length;
  if (len < 7 || len > 15) return null;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return null; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return null;
      digits++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + part;
}

function v6PartsToBigint(parts: number[]): bigint {
  let k = 0n;
  for (const p of parts) k = (k << 16n) | BigInt(p);
  return k;
}

/**
 * Parse an address into its numeric key, or null when it is not a valid IPv4 or IPv6 address.
 * Surrounding whitespace is ignored; an IPv6 zone id (`%eth0`) is dropped.
 *
 * @example
 * parseIp('203.0.113.5')        // { family: 4, key: 3405803781 }
 * parseIp('::ffff:203.0.113.5') // { family: 4, key: 3405803781 }
 * parseIp('1.23.45.678')        // null
 */
export function parseIp(ip: string): IpKey | null {
  const v4 = parseV4(ip);
  if (v4 !== null) return { family: 4, key: v4 };
  const s = ip.trim();
  if (s !== ip) return parseIp(s);
  if (!s.includes(':') || !ipaddr.IPv6.isValid(s)) return null;
  const a = ipaddr.IPv6.parse(s);
  if (a.isIPv4MappedAddress()) return { family: 4, key: a.parts[6]! * 65536 + a.parts[7]! };
  return { family: 6, key: v6PartsToBigint(a.parts) };
}

/**
 * True for a valid IPv4 (strict dotted quad) or IPv6 address.
 *
 * @example
 * isValidIp('2001:db8::1') // true
 * isValidIp('1.23.45.678') // false
 */
export function isValidIp(ip: string | null | undefined): ip is string {
  return typeof ip === 'string' && parseIp(ip) !== null;
}

function v4ToString(k: number): string {
  return `${Math.floor(k / 16777216)}.${Math.floor(k / 65536) % 256}.${Math.floor(k / 256) % 256}.${k % 256}`;
}

function v6ToString(k: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((k >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/**
 * The canonical spelling of an address (IPv6 in RFC 5952 form, IPv4-mapped IPv6 as IPv4), or null if invalid.
 * Use it before comparing or grouping addresses that may be written differently.
 *
 * @example
 * normaliseIp('2001:DB8:0:0::1')   // '2001:db8::1'
 * normaliseIp('::ffff:198.51.100.7') // '198.51.100.7'
 */
export function normaliseIp(ip: string): string | null {
  const p = parseIp(ip);
  if (!p) return null;
  return p.family === 4 ? v4ToString(p.key) : v6ToString(p.key);
}

/**
 * The network an address belongs to for "same network" comparisons: its IPv4 /24 or its IPv6 /48 (a typical
 * site allocation), as a CIDR string; null for an invalid address.
 *
 * @example
 * slash24('203.0.113.77')       // '203.0.113.0/24'
 * slash24('2001:db8:1:2::abcd') // '2001:db8:1::/48'
 */
export function slash24(ip: string): string | null {
  const p = parseIp(ip);
  if (!p) return null;
  if (p.family === 4) return `${v4ToString(p.key - (p.key % 256))}/24`;
  return `${v6ToString((p.key >> 80n) << 80n)}/48`;
}

/**
 * An inclusive address range as text: its CIDR when it is exactly one block, else `first-last`.
 *
 * @example
 * rangeText(4, 0x01010100n, 0x010101ffn) // '1.1.1.0/24'
 * rangeText(4, 0x01010100n, 0x01010102n) // '1.1.1.0-1.1.1.2'
 */
export function rangeText(family: 4 | 6, start: bigint, end: bigint): string {
  const bits = family === 4 ? 32 : 128;
  const str = (k: bigint) => (family === 4 ? v4ToString(Number(k)) : v6ToString(k));
  const size = end - start + 1n;
  // One block: a power-of-two size and a start aligned on it.
  if (size > 0n && (size & (size - 1n)) === 0n && start % size === 0n) {
    let host = 0;
    while (1n << BigInt(host) < size) host++;
    return `${str(start)}/${bits - host}`;
  }
  return `${str(start)}-${str(end)}`;
}

/** One parsed CIDR block: inclusive numeric bounds plus the entry as written (for reporting a match). */
export type CidrRange =
  | { family: 4; start: number; end: number; entry: string }
  | { family: 6; start: bigint; end: bigint; entry: string };

/**
 * Parse one CIDR (`10.0.0.0/8`, `2001:db8::/32`) or bare address (a /32 or /128). Host bits set below the prefix
 * (`10.1.2.3/8`) are accepted and masked, as most firewalls do.
 *
 * @example
 * parseCidr('198.51.100.0/24') // { ok: true, range: { family: 4, start: 3325256704, end: 3325256959, ... } }
 * parseCidr('10.0.0.0/33')     // { ok: false, reason: 'prefix length must be 0-32 for IPv4' }
 */
export function parseCidr(entry: string): { ok: true; range: CidrRange } | { ok: false; reason: string } {
  const s = entry.trim();
  if (s === '') return { ok: false, reason: 'empty entry' };
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const p = parseIp(addr);
  if (!p) return { ok: false, reason: `not a valid IPv4 or IPv6 address: "${addr}"` };
  const max = p.family === 4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const lenText = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return { ok: false, reason: `prefix length "${lenText}" is not a number` };
    bits = Number(lenText);
    // An IPv4-mapped IPv6 CIDR (::ffff:10.0.0.0/104) is expressed in IPv6 bits; convert to IPv4 bits.
    if (p.family === 4 && addr.includes(':')) {
      if (bits < 96 || bits > 128) return { ok: false, reason: 'prefix length must be 96-128 for an IPv4-mapped IPv6 address' };
      bits -= 96;
    }
    if (bits > max) return { ok: false, reason: `prefix length must be 0-${max} for IPv${p.family}` };
  }
  if (p.family === 4) {
    const size = 2 ** (32 - bits);
    const start = p.key - (p.key % size);
    return { ok: true, range: { family: 4, start, end: start + size - 1, entry: s } };
  }
  const hostBits = BigInt(128 - bits);
  const start = (p.key >> hostBits) << hostBits;
  return { ok: true, range: { family: 6, start, end: start + (1n << hostBits) - 1n, entry: s } };
}

/**
 * A lookup table from IP addresses to values over IPv4 and IPv6 ranges (CIDR lists, ASN and country data).
 * Build once, query per event.
 */
export class IpRangeTable<V> {
  private constructor(
    private readonly v4: RangeIndex<number, V>,
    private readonly v6: RangeIndex<bigint, V>,
  ) {}

  /**
   * @example
   * const t = IpRangeTable.build([{ family: 4, start: 0, end: 255, value: 'low' }]);
   * t.lookup('0.0.0.7') // 'low'
   */
  static build<V>(ranges: Iterable<({ family: 4; start: number; end: number } | { family: 6; start: bigint; end: bigint }) & { value: V }>): IpRangeTable<V> {
    const v4: Array<{ start: number; end: number; value: V }> = [];
    const v6: Array<{ start: bigint; end: bigint; value: V }> = [];
    for (const r of ranges) {
      if (r.family === 4) v4.push({ start: r.start, end: r.end, value: r.value });
      else v6.push({ start: r.start, end: r.end, value: r.value });
    }
    return new IpRangeTable(RangeIndex.build(v4), RangeIndex.build(v6));
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Value of the most specific range holding `ip`; undefined when none does or `ip` is invalid. */
  lookup(ip: string): V | undefined {
    const p = parseIp(ip);
    if (!p) return undefined;
    return p.family === 4 ? this.v4.find(p.key) : this.v6.find(p.key);
  }

  /** Same as `lookup` for an address already parsed. */
  lookupKey(p: IpKey): V | undefined {
    return p.family === 4 ? this.v4.find(p.key) : this.v6.find(p.key);
  }
}

/** A validated, precomputed CIDR list. Build it once with `parseCidrList`, then call `ipInCidrs` per event. */
export interface ParsedCidrs {
  /** The entries as written (trimmed), in input order. */
  readonly entries: readonly string[];
  readonly table: IpRangeTable<string>;
}

export interface CidrProblem {
  /** Zero-based position in the input list. */
  index: number;
  entry: string;
  reason: string;
}

/** Thrown by `parseCidrList`; the message names every offending entry. */
export class CidrListError extends Error {
  constructor(readonly problems: CidrProblem[], label = 'CIDR list') {
    super(`invalid ${label}: ${problems.map((p) => `entry ${p.index} "${p.entry}": ${p.reason}`).join('; ')}`);
    this.name = 'CidrListError';
  }
}

/**
 * Validate and precompute a list of CIDRs or bare addresses (IPv4 and IPv6). Throws `CidrListError` naming every bad
 * entry, so a typo in an allowlist fails at start-up instead of silently trusting (or not trusting) the wrong network.
 *
 * @example
 * const office = parseCidrList(['198.51.100.0/24', '2001:db8::/32']);
 * ipInCidrs('198.51.100.20', office) // true
 * parseCidrList(['10.0.0.0/8', 'office']) // throws: invalid CIDR list: entry 1 "office": not a valid IPv4 or IPv6 address: "office"
 */
export function parseCidrList(list: readonly string[], label?: string): ParsedCidrs {
  const problems: CidrProblem[] = [];
  const ranges: CidrRange[] = [];
  list.forEach((entry, index) => {
    if (typeof entry !== 'string') {
      problems.push({ index, entry: String(entry), reason: 'not a string' });
      return;
    }
    const r = parseCidr(entry);
    if (r.ok) ranges.push(r.range);
    else problems.push({ index, entry, reason: r.reason });
  });
  if (problems.length > 0) throw new CidrListError(problems, label);
  return cidrsFromRanges(ranges);
}

/**
 * Build a `ParsedCidrs` from ranges that were already validated (e.g. by a lenient file loader that skips bad lines).
 *
 * @example
 * const r = parseCidr('192.0.2.0/24');
 * const list = cidrsFromRanges(r.ok ? [r.range] : []);
 */
export function cidrsFromRanges(ranges: readonly CidrRange[]): ParsedCidrs {
  return {
    entries: ranges.map((r) => r.entry),
    table: IpRangeTable.build(ranges.map((r) => ({ ...r, value: r.entry }))),
  };
}

/**
 * The most specific entry of the list that holds `ip`, or null (also for an invalid or empty address).
 *
 * @example
 * matchCidr('10.1.2.3', parseCidrList(['10.0.0.0/8', '10.1.0.0/16'])) // '10.1.0.0/16'
 */
export function matchCidr(ip: string | null | undefined, parsed: ParsedCidrs): string | null {
  if (!ip) return null;
  return parsed.table.lookup(ip) ?? null;
}

/**
 * True when `ip` is inside any block of the list. O(log n) per call.
 *
 * @example
 * ipInCidrs('2001:db8::5', parseCidrList(['2001:db8::/32'])) // true
 */
export function ipInCidrs(ip: string | null | undefined, parsed: ParsedCidrs): boolean {
  return matchCidr(ip, parsed) !== null;
}
