/**
 * The run-time environment rules and alert context read: the time zone, named lists (allowlists, VPN ranges, the
 * threat-intelligence file, user lists), IP data (ASN) and per-rule user exclusions, all built once from the config.
 */
import type { Config } from '../config/schema.ts';
import { isTrusted, type AsnInfo } from '../enrich/asn.ts';
import { ipInCidrs, matchCidr, parseCidrList, type ParsedCidrs } from '../enrich/ip.ts';
import { openIpData } from '../enrich/ip-data.ts';
import type { WhileLoading } from '../enrich/packaged-data.ts';
import { ThreatIntelList } from '../enrich/threat-intel.ts';
import { TimeZone } from './time.ts';

/** A list rules reference with `in_list: <name>`. */
export interface NamedList {
  readonly kind: 'values' | 'cidr' | 'regex' | 'networks';
  /** Does the value (an IP, a user agent, a number...) belong to the list? */
  has(value: unknown): boolean;
}

export interface DetectEnv {
  readonly config: Config;
  readonly tz: TimeZone;
  list(name: string): NamedList | undefined;
  listNames(): string[];
  lookupAsn(ip: string | null | undefined): AsnInfo | null;
  /** ISO country code of `ip` (`ip_data.country_csv`, else the shipped data), or null. */
  lookupCountry(ip: string | null | undefined): string | null;
  /** The announced block holding `ip` from the ASN data (CIDR or `first-last`), or null (unknown, or a replaced ASN lookup). */
  networkOf(ip: string | null | undefined): string | null;
  trust(ip: string | null | undefined): { trusted: boolean; by?: 'cidr' | 'asn'; match?: string };
  /** Name of the configured VPN range holding `ip`, or null. */
  vpnOf(ip: string | null | undefined): string | null;
  threatIntel(ip: string | null | undefined): { listed: boolean; entry?: string } | null;
  expectedUa(ua: string | null | undefined): boolean;
  /** Is this user (id or email) excluded from the rule? */
  excluded(ruleId: string, userId: string | null, email: string | null): boolean;
  /** Do the rule's exclusions name anyone by email (else the id alone decides, and no email need be read)? */
  excludesByEmail(ruleId: string): boolean;
  /**
   * Resolves once IP lookups answer from complete data (starting the shipped data's background load if needed).
   * Only an env built with `whileIpDataLoads: 'unknown'` (the server's) can answer null before: await it there
   * before running a rule or any lookup whose null would be a wrong answer (`trusted_asns`, an ASN filter).
   */
  ipDataReady(): Promise<void>;
}

export interface EnvOptions {
  /** Replace the ASN lookup (tests; the default reads `ip_data.asn_csv`, else the shipped data). */
  lookupAsn?: (ip: string) => AsnInfo | null;
  /**
   * Lookups before the shipped IP data is loaded: `'load'` (default: CLI and detection) reads it on the first lookup,
   * blocking; `'unknown'` (the server) answers null meanwhile, the data loading off the thread (`ipDataReady`).
   */
  whileIpDataLoads?: WhileLoading;
}

function valuesList(values: ReadonlyArray<string | number>): NamedList {
  const set = new Set(values.map(String));
  return { kind: 'values', has: (v) => v !== null && v !== undefined && set.has(String(v)) };
}

function cidrList(cidrs: ParsedCidrs): NamedList {
  return { kind: 'cidr', has: (v) => typeof v === 'string' && ipInCidrs(v, cidrs) };
}

function regexList(patterns: readonly string[]): NamedList {
  const res = patterns.map((p) => new RegExp(p));
  return { kind: 'regex', has: (v) => typeof v === 'string' && res.some((re) => re.test(v)) };
}

/**
 * Build the environment for a configuration. Throws if a configured file (threat intel, ASN data) cannot be read.
 *
 * @example
 * const env = buildEnv(config);
 * env.list('trusted_cidrs')?.has('198.51.100.7') // true with the example config
 */
export function buildEnv(config: Config, opts: EnvOptions = {}): DetectEnv {
  const a = config.allowlists;
  const trustedCidrs = parseCidrList(a.trusted_cidrs, 'allowlists.trusted_cidrs');
  const trustedAsns = new Set(a.trusted_asns);
  const ipData = openIpData(config.ip_data, { whileLoading: opts.whileIpDataLoads });
  const lookupAsn = (ip: string | null | undefined): AsnInfo | null => {
    if (!ip) return null;
    return opts.lookupAsn ? opts.lookupAsn(ip) : ipData.lookupAsn(ip);
  };
  const asnDb = { lookup: (ip: string) => lookupAsn(ip), source: null, size: 0 };
  const vpn = Object.entries(a.vpn_ranges).map(([name, list]) => ({ name, cidrs: parseCidrList(list, `allowlists.vpn_ranges.${name}`) }));
  const allVpn = parseCidrList(Object.values(a.vpn_ranges).flat(), 'allowlists.vpn_ranges');
  const intel = config.threat_intel_file ? new ThreatIntelList(config.threat_intel_file) : null;
  const expected = regexList(a.expected_user_agents);

  const lists = new Map<string, NamedList>();
  lists.set('trusted_cidrs', cidrList(trustedCidrs));
  lists.set('trusted_asns', valuesList(a.trusted_asns));
  lists.set('trusted_networks', {
    kind: 'networks',
    has: (v) => typeof v === 'string' && isTrusted(v, { cidrs: trustedCidrs, asns: trustedAsns }, asnDb).trusted,
  });
  lists.set('expected_user_agents', expected);
  lists.set('vpn_ranges', cidrList(allVpn));
  for (const r of vpn) lists.set(`vpn:${r.name}`, cidrList(r.cidrs));
  lists.set('threat_intel', { kind: 'cidr', has: (v) => typeof v === 'string' && intel !== null && intel.has(v).listed });
  for (const [name, l] of Object.entries(config.lists)) {
    if (lists.has(name)) throw new Error(`lists.${name}: the name is reserved for a built-in list`);
    lists.set(name, l.type === 'values' ? valuesList(l.values) : l.type === 'cidr' ? cidrList(parseCidrList(l.values, `lists.${name}`)) : regexList(l.values));
  }

  // Exclusions resolve groups once: rule id → set of ids and lower-cased emails.
  const groups = a.groups;
  const exclusions = new Map<string, Set<string>>();
  for (const [rule, refs] of Object.entries(a.exclude_users)) {
    const set = new Set<string>();
    for (const ref of refs) {
      const members = ref.startsWith('group:') ? (groups[ref.slice(6)] ?? []) : [ref];
      for (const m of members) set.add(m.includes('@') ? m.toLowerCase() : m);
    }
    exclusions.set(rule, set);
  }
  const isIn = (set: Set<string> | undefined, id: string | null, email: string | null) =>
    !!set && ((id !== null && set.has(id)) || (email !== null && set.has(email.toLowerCase())));

  return {
    config,
    tz: new TimeZone(config.timezone),
    list: (name) => lists.get(name),
    listNames: () => [...lists.keys()].sort(),
    lookupAsn,
    lookupCountry: (ip) => ipData.lookupCountry(ip),
    networkOf: (ip) => (opts.lookupAsn ? null : ipData.networkOf(ip)),
    trust: (ip) => isTrusted(ip, { cidrs: trustedCidrs, asns: trustedAsns }, asnDb),
    vpnOf: (ip) => {
      if (!ip) return null;
      for (const r of vpn) if (matchCidr(ip, r.cidrs) !== null) return r.name;
      return null;
    },
    threatIntel: (ip) => (intel ? intel.has(ip) : null),
    expectedUa: (ua) => !!ua && expected.has(ua),
    excluded: (ruleId, id, email) => isIn(exclusions.get(ruleId), id, email) || isIn(exclusions.get('*'), id, email),
    excludesByEmail: (ruleId) => [exclusions.get(ruleId), exclusions.get('*')].some((set) => [...(set ?? [])].some((m) => m.includes('@'))),
    ipDataReady: () => (opts.lookupAsn ? Promise.resolve() : ipData.ready()),
  };
}
