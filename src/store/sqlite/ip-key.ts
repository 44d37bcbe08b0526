/**
 * The `events.ip_key` column: the context IP as a byte string that sorts like the address, so a CIDR block is one
 * index range. A family byte first (4 or 6) keeps the two families apart: without it, the 4 bytes of an IPv4 key
 * would compare with the first 4 bytes of an IPv6 one.
 */
import { parseIp, type IpKey } from '../../enrich/ip.ts';
import type { IpKeyRange } from '../types.ts';

function keyHex(family: 4 | 6, key: number | bigint): string {
  return family === 4 ? `04${key.toString(16).padStart(8, '0')}` : `06${key.toString(16).padStart(32, '0')}`;
}

/**
 * The key of an address as hex (what the insert passes through `unhex`), or null for an absent or invalid one.
 * IPv4-mapped IPv6 addresses get the IPv4 key.
 *
 * @example ipKeyHex('203.0.113.5') // '04cb007105'
 */
export function ipKeyHex(ip: string | null): string | null {
  if (!ip) return null;
  let h = recent.get(ip);
  if (h !== undefined) return h;
  const p: IpKey | null = parseIp(ip);
  h = p ? keyHex(p.family, p.key) : null;
  // Imports see the same few thousand addresses over and over: parse each once (IPv6 parsing is the costly part).
  if (recent.size >= 8192) recent.clear();
  recent.set(ip, h);
  return h;
}

const recent = new Map<string, string | null>();

/**
 * `ipKeyHex` as bytes (the migration's backfill function).
 *
 * @example ipKeyBytes('1.1.1.1') // <Buffer 04 01 01 01 01>
 */
export function ipKeyBytes(ip: string | null): Buffer | null {
  const h = ipKeyHex(ip);
  return h === null ? null : Buffer.from(h, 'hex');
}

/**
 * The inclusive key bounds of an address range.
 *
 * @example ipRangeKeys({ family: 4, start: 0xcb007100, end: 0xcb0071ff }) // [<04 cb 00 71 00>, <04 cb 00 71 ff>]
 */
export function ipRangeKeys(r: IpKeyRange): [Buffer, Buffer] {
  return [Buffer.from(keyHex(r.family, r.start), 'hex'), Buffer.from(keyHex(r.family, r.end), 'hex')];
}
