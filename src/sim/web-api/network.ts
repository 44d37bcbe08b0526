/**
 * IPv4 CIDRs and ASNs for the simulator's anomaly allowlist (docs/slack-api.md 4): validation as Slack documents it (IPv4
 * CIDR strings, integer ASNs) and the ASN each address of the simulated address plan belongs to (`agents.ts`), so that
 * trusting an ASN can stop the anomalies raised from it.
 */

/** The largest 32-bit ASN. */
export const MAX_ASN = 4294967295;

/**
 * An IPv4 dotted quad as a 32-bit unsigned number, or null when it is not one.
 *
 * @example
 * ipv4ToInt('10.0.0.1') // 167772161
 */
export function ipv4ToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    n = n * 256 + octet;
  }
  return n;
}

/** A parsed CIDR: the network as Slack received it, its base address and its prefix length. */
export interface Cidr {
  text: string;
  base: number;
  bits: number;
}

/**
 * Parse `a.b.c.d/n`. Host bits may be set (Slack's own example is `8.8.8.8/24`); IPv6 and bare addresses are refused.
 *
 * @example
 * parseCidr('192.0.2.0/24') // { text: '192.0.2.0/24', base: 3221225984, bits: 24 }
 * parseCidr('2001:db8::/32') // null
 */
export function parseCidr(text: string): Cidr | null {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const base = ipv4ToInt(m[1]!);
  const bits = Number(m[2]);
  if (base === null || bits > 32) return null;
  return { text: text.trim(), base, bits };
}

/**
 * Whether an IPv4 address lies in the CIDR.
 *
 * @example
 * cidrContains(parseCidr('192.0.2.0/24')!, '192.0.2.77') // true
 */
export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipv4ToInt(ip);
  if (n === null) return false;
  if (c.bits === 0) return true;
  const shift = 32 - c.bits;
  return Math.floor(n / 2 ** shift) === Math.floor(c.base / 2 ** shift);
}

/**
 * An ASN as Slack takes it: an integer from 1 to 4294967295 (a numeric string counts, as form bodies send strings).
 *
 * @example
 * parseAsn('64500') // 64500
 * parseAsn(0)       // null
 */
export function parseAsn(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_ASN ? n : null;
}

/**
 * The ASNs of the simulated address plan (RFC 5398 documentation ASNs), by network (see `agents.ts`).
 * Slack does not put an ASN in events (docs/slack-api.md 3.2): the simulator alone knows these, for its allowlist.
 */
export const SIM_ASNS: ReadonlyArray<{ cidr: string; asn: number; what: string }> = [
  { cidr: '203.0.113.0/24', asn: 64500, what: 'office NAT addresses' },
  { cidr: '10.0.0.0/8', asn: 64501, what: 'home and VPN addresses' },
  { cidr: '198.51.100.0/24', asn: 64502, what: 'networks people travel to' },
  { cidr: '192.0.2.0/24', asn: 64503, what: 'cloud hosts and Tor exits' },
];
const SIM_ASN_CIDRS = SIM_ASNS.map((a) => ({ ...a, parsed: parseCidr(a.cidr)! }));

/**
 * The ASN the simulator assigns an address to, or null outside its address plan.
 *
 * @example
 * simAsnOf('192.0.2.77') // 64503
 */
export function simAsnOf(ip: string): number | null {
  return SIM_ASN_CIDRS.find((a) => cidrContains(a.parsed, ip))?.asn ?? null;
}
