/**
 * The pure side of `gridwatch allowlist add|remove` (issue #11, docs/slack-api.md 4): validate and canonicalise what
 * a person typed, merge it into a list read from Slack or the config, and say what changed. No I/O here.
 *
 * Entries are compared by the network they denote, not by their spelling: Slack's own example answer holds
 * `8.8.8.8/24`, so `remove --cidr 8.8.8.0/24` must find it, and `add --cidr 8.8.8.0/24` must see it is already there.
 * Entries already in a list are kept exactly as they are spelled (we never rewrite other people's entries).
 */
import ipaddr from 'ipaddr.js';
import { parseCidr as parseRange, parseIp } from '../enrich/ip.ts';
import type { AllowlistDiff, AllowlistEntries } from '../store/actions.ts';

export type { AllowlistDiff, AllowlistEntries };

/** Which list a change goes to: Slack's anomaly allowlist, the config's `allowlists`, or both. */
export const ALLOWLIST_TARGETS = ['slack', 'local', 'both'] as const;
export type AllowlistTarget = (typeof ALLOWLIST_TARGETS)[number];
export type AllowlistOp = 'add' | 'remove';

/** The largest ASN (32-bit ASNs, RFC 6793). */
export const MAX_ASN = 4294967295;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Whether the entries go to Slack, whose list takes IPv4 CIDRs only. */
const reachesSlack = (to: AllowlistTarget): boolean => to !== 'local';

/**
 * Check one `--cidr` value and return its canonical form: a host address becomes `/32` (`/128` for IPv6), a network
 * must have no host bits set. `10.0.0.1/8` is refused rather than silently widened or narrowed, because the intent
 * is ambiguous (the network 10.0.0.0/8, or the host 10.0.0.1/32?): the message offers both. `0.0.0.0/0` is refused:
 * it would trust every address. IPv6 is refused when the change reaches Slack, whose list is IPv4 only; the local
 * rules take IPv6.
 *
 * @example
 * checkCidr('192.0.2.7', 'slack')      // { ok: true, value: '192.0.2.7/32' }
 * checkCidr('10.0.0.1/8', 'slack')     // { ok: false, message: '... did you mean 10.0.0.0/8 ...' }
 * checkCidr('2001:db8::/32', 'slack')  // { ok: false, message: "... Slack's anomaly allowlist takes IPv4 only ..." }
 */
export function checkCidr(input: string, to: AllowlistTarget): Checked<string> {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const lenText = slash === -1 ? null : text.slice(slash + 1);
  const ip = parseIp(addr);
  if (!ip) return { ok: false, message: `--cidr ${JSON.stringify(input)}: "${addr}" is not an IP address (write an IPv4 network such as 192.0.2.0/24, or one address such as 192.0.2.7)` };
  const v6 = addr.includes(':');
  if (v6 && reachesSlack(to)) {
    return { ok: false, message: `--cidr ${input}: Slack's anomaly allowlist takes IPv4 CIDRs only; to trust an IPv6 network in gridwatch's own rules use --to local` };
  }
  if (v6 && ip.family === 4) return { ok: false, message: `--cidr ${input}: write IPv4-mapped addresses as plain IPv4 (e.g. 192.0.2.7)` };
  const max = v6 ? 128 : 32;
  if (lenText !== null && !/^\d{1,3}$/.test(lenText)) return { ok: false, message: `--cidr ${input}: prefix length "${lenText}" is not a number from 0 to ${max}` };
  const bits = lenText === null ? max : Number(lenText);
  if (bits > max) return { ok: false, message: `--cidr ${input}: prefix length must be 0 to ${max}` };
  if (bits === 0) return { ok: false, message: `--cidr ${input}: a /0 would trust every address; give a narrower network` };
  const host = v6 ? ipaddr.IPv6.parse(addr).toRFC5952String() : addr;
  const network = v6 ? ipaddr.IPv6.networkAddressFromCIDR(`${addr}/${bits}`).toRFC5952String() : ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${bits}`).toString();
  const canonical = `${network}/${bits}`;
  if (network !== host) {
    return { ok: false, message: `--cidr ${input}: host bits are set; did you mean the network ${canonical}, or the single address ${host}/${max}?` };
  }
  return { ok: true, value: canonical };
}

/**
 * Check one `--asn` value: a whole number from 1 to 4294967295, optionally written `AS64500`.
 *
 * @example
 * checkAsn('AS64500') // { ok: true, value: 64500 }
 * checkAsn('0')       // { ok: false, message: '--asn 0: ...' }
 */
export function checkAsn(input: string): Checked<number> {
  const m = /^\s*(?:AS)?(\d{1,10})\s*$/i.exec(input);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ASN) {
    return { ok: false, message: `--asn ${input}: an ASN is a whole number from 1 to ${MAX_ASN} (e.g. 64500 or AS64500)` };
  }
  return { ok: true, value: n };
}

/**
 * Check every `--cidr` and `--asn` of a change; all problems are reported at once. Duplicates are dropped.
 *
 * @example
 * checkChange({ cidrs: ['192.0.2.7'], asns: ['64500'] }, 'slack') // { ok: true, value: { cidrs: ['192.0.2.7/32'], asns: [64500] } }
 */
export function checkChange(input: { cidrs: readonly string[]; asns: readonly string[] }, to: AllowlistTarget): { ok: true; value: AllowlistEntries } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const value: AllowlistEntries = { cidrs: [], asns: [] };
  for (const c of input.cidrs) {
    const r = checkCidr(c, to);
    if (!r.ok) problems.push(r.message);
    else if (!value.cidrs.some((x) => cidrKey(x) === cidrKey(r.value))) value.cidrs.push(r.value);
  }
  for (const a of input.asns) {
    const r = checkAsn(a);
    if (!r.ok) problems.push(r.message);
    else if (!value.asns.includes(r.value)) value.asns.push(r.value);
  }
  if (problems.length === 0 && value.cidrs.length === 0 && value.asns.length === 0) problems.push('give at least one --cidr or --asn');
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

/**
 * The identity of a CIDR entry: the range it covers, whatever its spelling (`8.8.8.8/24` ≡ `8.8.8.0/24`,
 * `10.0.0.1` ≡ `10.0.0.1/32`). An entry that does not parse is its own identity, so it is kept and compared as text.
 *
 * @example cidrKey('8.8.8.8/24') === cidrKey('8.8.8.0/24') // true
 */
export function cidrKey(entry: string): string {
  const r = parseRange(entry);
  return r.ok ? `${r.range.family}:${r.range.start}-${r.range.end}` : `text:${entry.trim()}`;
}

/** What a merge did: the list to write, its diff from the list read, and entries that needed nothing. */
export interface MergeResult {
  next: AllowlistEntries;
  diff: AllowlistDiff;
  /** `add`: entries already in the list; `remove`: entries that were not in it. */
  unchanged: AllowlistEntries;
}

/**
 * Apply a checked change to a list read from Slack or the config. `add` appends entries not yet present (by network,
 * see `cidrKey`); `remove` drops every entry denoting the same network. Every other entry is kept, spelling and
 * order included: Slack's `updateItem` overwrites the whole list, so what we send must carry them all.
 *
 * @example
 * mergeAllowlist({ cidrs: ['8.8.8.8/24'], asns: [1] }, 'remove', { cidrs: ['8.8.8.0/24'], asns: [] })
 * // next: { cidrs: [], asns: [1] }, diff.removed.cidrs: ['8.8.8.8/24']
 */
export function mergeAllowlist(current: AllowlistEntries, op: AllowlistOp, change: AllowlistEntries): MergeResult {
  const diff: AllowlistDiff = { added: { cidrs: [], asns: [] }, removed: { cidrs: [], asns: [] } };
  const unchanged: AllowlistEntries = { cidrs: [], asns: [] };
  const next: AllowlistEntries = { cidrs: [...current.cidrs], asns: [...current.asns] };
  for (const c of change.cidrs) {
    const k = cidrKey(c);
    const present = next.cidrs.filter((x) => cidrKey(x) === k);
    if (op === 'add') {
      if (present.length) unchanged.cidrs.push(c);
      else (next.cidrs.push(c), diff.added.cidrs.push(c));
    } else if (!present.length) unchanged.cidrs.push(c);
    else {
      next.cidrs = next.cidrs.filter((x) => cidrKey(x) !== k);
      diff.removed.cidrs.push(...present);
    }
  }
  for (const a of change.asns) {
    const present = next.asns.includes(a);
    if (op === 'add') {
      if (present) unchanged.asns.push(a);
      else (next.asns.push(a), diff.added.asns.push(a));
    } else if (!present) unchanged.asns.push(a);
    else {
      next.asns = next.asns.filter((x) => x !== a);
      diff.removed.asns.push(a);
    }
  }
  return { next, diff, unchanged };
}

/**
 * What differs from `a` to `b`, order ignored (Slack may answer in any order).
 *
 * @example diffAllowlists({ cidrs: ['192.0.2.0/24'], asns: [] }, { cidrs: [], asns: [7] }) // added asns [7], removed cidrs ['192.0.2.0/24']
 */
export function diffAllowlists(a: AllowlistEntries, b: AllowlistEntries): AllowlistDiff {
  const aKeys = new Set(a.cidrs.map(cidrKey));
  const bKeys = new Set(b.cidrs.map(cidrKey));
  return {
    added: { cidrs: b.cidrs.filter((c) => !aKeys.has(cidrKey(c))), asns: b.asns.filter((n) => !a.asns.includes(n)) },
    removed: { cidrs: a.cidrs.filter((c) => !bKeys.has(cidrKey(c))), asns: a.asns.filter((n) => !b.asns.includes(n)) },
  };
}

/** Whether a diff changes nothing. @example isEmptyDiff(diffAllowlists(x, x)) // true */
export function isEmptyDiff(d: AllowlistDiff): boolean {
  return d.added.cidrs.length + d.added.asns.length + d.removed.cidrs.length + d.removed.asns.length === 0;
}

/**
 * Whether `list` still carries a change: every added entry present, every removed one absent.
 *
 * @example carries({ cidrs: ['192.0.2.0/24'], asns: [] }, 'add', { cidrs: ['192.0.2.0/24'], asns: [] }) // true
 */
export function carries(list: AllowlistEntries, op: AllowlistOp, change: AllowlistEntries): boolean {
  const keys = new Set(list.cidrs.map(cidrKey));
  const want = op === 'add';
  return change.cidrs.every((c) => keys.has(cidrKey(c)) === want) && change.asns.every((a) => list.asns.includes(a) === want);
}

/**
 * The diff as lines a person reads: `+ cidr 192.0.2.0/24`, `- asn 64500`, or `(no change)`.
 *
 * @example renderDiff(diff).join('\n')
 */
export function renderDiff(d: AllowlistDiff): string[] {
  const lines = [
    ...d.added.cidrs.map((c) => `+ cidr ${c}`),
    ...d.added.asns.map((a) => `+ asn  ${a}`),
    ...d.removed.cidrs.map((c) => `- cidr ${c}`),
    ...d.removed.asns.map((a) => `- asn  ${a}`),
  ];
  return lines.length ? lines : ['(no change)'];
}
