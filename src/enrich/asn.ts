/**
 * IP → ASN lookup and the "is this address trusted?" check used by rules (office CIDRs, VPN or cloud ASNs).
 *
 * The data ships with gridwatch (`packagedAsnDatabase` in packaged-data.ts: RouteViews, NRO and DB-IP data, CC BY 4.0);
 * an operator may replace it with a CSV of `start_ip,end_ip,asn,name` ranges (the layout of the ip-location-db /
 * iptoasn exports) named in the config. `nullAsnDatabase` answers null for every address. Slack's anomaly events carry
 * no ASN field (docs/slack-api.md 3.2), so this is the only source of one.
 */
import { emptyIpDatabase, loadIpRangeCsv, parseIpRangeCsv, type IpDatabase, type RangeCsvReport } from './ip-range-csv.ts';
import { matchCidr, type ParsedCidrs } from './ip.ts';

export interface AsnInfo {
  asn: number;
  name?: string;
}

/**
 * Anything that maps an address to its autonomous system; `network`, where the data has it, gives the announced
 * block holding the address (a CIDR, or `first-last`). Kept apart from `lookup`, which runs per event.
 */
export type AsnDatabase = IpDatabase<AsnInfo> & { network?(ip: string): string | null };

/**
 * The database used when none is configured: every lookup is null.
 *
 * @example
 * nullAsnDatabase.lookup('203.0.113.9') // null
 */
export const nullAsnDatabase: AsnDatabase = emptyIpDatabase<AsnInfo>();

/**
 * Parse an ASN column: `13335` or `AS13335`. ASN 0 means "not routed" in iptoasn data and is treated as unknown.
 *
 * @example
 * parseAsn('AS64500') // 64500
 */
export function parseAsn(text: string): number | null {
  const m = /^(?:AS)?(\d{1,10})$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 && n <= 0xffffffff ? n : null;
}

function asnRow(cols: string[]): AsnInfo | string {
  const asnText = cols[0];
  if (asnText === undefined || asnText === '') return 'missing asn column';
  const asn = parseAsn(asnText);
  if (asn === null) {
    // ASN 0 ("Not routed") rows are valid data, not errors: skip them quietly by mapping to asn 0 and filtering.
    if (/^(?:AS)?0+$/i.test(asnText.trim())) return { asn: 0 };
    return `asn "${asnText.slice(0, 20)}" is not a number`;
  }
  const name = cols.slice(1).join(',').trim();
  return name ? { asn, name } : { asn };
}

function databaseFrom(table: { lookup(ip: string): AsnInfo | undefined; size: number }, source: string, report: RangeCsvReport): AsnDatabase & { report: RangeCsvReport } {
  return {
    lookup(ip: string): AsnInfo | null {
      const r = table.lookup(ip);
      return r && r.asn !== 0 ? r : null;
    },
    source,
    size: table.size,
    report,
  };
}

/**
 * Load an ASN range file (`start_ip,end_ip,asn,name`, IPv4 and IPv6 rows may be mixed; an optional header line).
 * Bad rows are skipped and counted in `report`; a file without any valid row throws.
 *
 * @example
 * const db = loadAsnCsv('/var/lib/gridwatch/asn.csv');
 * db.lookup('1.1.1.1') // { asn: 13335, name: 'CLOUDFLARENET' }
 * console.log(`${db.report.ranges} ranges, ${db.report.badLines} bad lines`);
 */
export function loadAsnCsv(path: string): AsnDatabase & { report: RangeCsvReport } {
  const { table, report } = loadIpRangeCsv(path, asnRow);
  return databaseFrom(table, path, report);
}

/**
 * Same as `loadAsnCsv` for text already in memory (tests, embedded data).
 *
 * @example
 * parseAsnCsv('198.51.100.0,198.51.100.255,64500,Example Net\n').lookup('198.51.100.1') // { asn: 64500, name: 'Example Net' }
 */
export function parseAsnCsv(text: string, source = 'inline'): AsnDatabase & { report: RangeCsvReport } {
  const { table, report } = parseIpRangeCsv(text, source, asnRow);
  return databaseFrom(table, source, report);
}

/** What counts as trusted: precomputed CIDRs (see `parseCidrList`) and/or AS numbers. */
export interface TrustedNetworks {
  cidrs?: ParsedCidrs | null;
  asns?: Iterable<number> | ReadonlySet<number> | null;
}

export interface TrustResult {
  trusted: boolean;
  by?: 'cidr' | 'asn';
  /** The CIDR entry or `AS<number>` that matched. */
  match?: string;
}

const asnSets = new WeakMap<object, ReadonlySet<number>>();

/** Cache the Set built from an `asns` iterable so a config object is converted once, not per event. */
function asnSetOf(asns: Iterable<number> | ReadonlySet<number>): ReadonlySet<number> {
  if (asns instanceof Set) return asns;
  let s = asnSets.get(asns as object);
  if (!s) {
    s = new Set(asns);
    asnSets.set(asns as object, s);
  }
  return s;
}

/**
 * Is `ip` inside a trusted network? CIDRs are checked first (exact, local data); then, when AS numbers are trusted,
 * the address's ASN from `asnDb`. Without an ASN database, ASN trust never matches: it fails closed.
 *
 * @example
 * const trusted = { cidrs: parseCidrList(['198.51.100.0/24']), asns: [64500] };
 * isTrusted('198.51.100.7', trusted, asnDb) // { trusted: true, by: 'cidr', match: '198.51.100.0/24' }
 * isTrusted('192.0.2.1', trusted, asnDb)    // { trusted: true, by: 'asn', match: 'AS64500' } when asnDb maps it there
 * isTrusted('203.0.113.1', trusted)         // { trusted: false }
 */
export function isTrusted(ip: string | null | undefined, trusted: TrustedNetworks, asnDb: AsnDatabase = nullAsnDatabase): TrustResult {
  if (!ip) return { trusted: false };
  if (trusted.cidrs) {
    const m = matchCidr(ip, trusted.cidrs);
    if (m !== null) return { trusted: true, by: 'cidr', match: m };
  }
  if (trusted.asns) {
    const set = asnSetOf(trusted.asns);
    if (set.size > 0) {
      const info = asnDb.lookup(ip);
      if (info && set.has(info.asn)) return { trusted: true, by: 'asn', match: `AS${info.asn}` };
    }
  }
  return { trusted: false };
}
