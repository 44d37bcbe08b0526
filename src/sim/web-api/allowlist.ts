/**
 * The anomaly allowlist of `admin.audit.anomaly.allow.*` (docs/slack-api.md 4): two lists that every `updateItem`
 * replaces whole, and the test the anomaly side uses to skip trusted networks.
 */
import { cidrContains, parseAsn, parseCidr, simAsnOf, type Cidr } from './network.ts';

export interface AllowlistItem {
  trusted_cidr: string[];
  trusted_asns: number[];
}

/** What a write carried: valid lists, or the first bad value (for `invalid_arguments`). */
export type AllowlistInput = { ok: true; item: AllowlistItem } | { ok: false; bad: string };

/**
 * A list argument as the Web API receives it: a JSON array, a JSON-array string (form bodies), repeated form keys,
 * or a comma-separated string. Absent means an empty list.
 *
 * @example
 * listArg('["a","b"]') // ['a', 'b']
 * listArg('a,b')       // ['a', 'b']
 */
export function listArg(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' && x.trim().startsWith('[') ? listArg(x) : [x]));
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(s);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        return [s];
      }
    }
    return s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  }
  return [v];
}

/**
 * Validate an `updateItem` body: `trusted_cidr` IPv4 CIDRs, ASNs from `trusted_asns` or `trusted_asn` (both
 * spellings exist in Slack's docs; the simulator takes their union). Duplicates are dropped, order kept.
 *
 * @example
 * parseAllowlistInput({ trusted_cidr: ['192.0.2.0/24'], trusted_asn: [64503] }) // { ok: true, item: {...} }
 */
export function parseAllowlistInput(params: Record<string, unknown>): AllowlistInput {
  const cidrs: string[] = [];
  for (const v of listArg(params.trusted_cidr)) {
    const c = typeof v === 'string' ? parseCidr(v) : null;
    if (!c) return { ok: false, bad: `trusted_cidr ${JSON.stringify(v)}` };
    if (!cidrs.includes(c.text)) cidrs.push(c.text);
  }
  const asns: number[] = [];
  for (const v of [...listArg(params.trusted_asns), ...listArg(params.trusted_asn)]) {
    const n = parseAsn(v);
    if (n === null) return { ok: false, bad: `trusted_asns ${JSON.stringify(v)}` };
    if (!asns.includes(n)) asns.push(n);
  }
  return { ok: true, item: { trusted_cidr: cidrs, trusted_asns: asns } };
}

/**
 * The org's allowlist. `set` overwrites both lists, as Slack's `updateItem` does.
 *
 * @example
 * const list = new Allowlist();
 * list.set({ trusted_cidr: ['192.0.2.0/24'], trusted_asns: [] });
 * list.trusts('192.0.2.9') // true
 */
export class Allowlist {
  private item: AllowlistItem = { trusted_cidr: [], trusted_asns: [] };
  private cidrs: Cidr[] = [];

  get(): AllowlistItem {
    return { trusted_cidr: [...this.item.trusted_cidr], trusted_asns: [...this.item.trusted_asns] };
  }

  set(item: AllowlistItem): void {
    this.item = { trusted_cidr: [...item.trusted_cidr], trusted_asns: [...item.trusted_asns] };
    this.cidrs = item.trusted_cidr.map((c) => parseCidr(c)!);
  }

  /** Whether traffic from this address is trusted: inside a trusted CIDR, or in a trusted ASN of the address plan. */
  trusts(ip: string): boolean {
    if (this.cidrs.some((c) => cidrContains(c, ip))) return true;
    const asn = simAsnOf(ip);
    return asn !== null && this.item.trusted_asns.includes(asn);
  }
}
