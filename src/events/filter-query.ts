/**
 * Turn the network filters (`ip`, `asn`) of parsed event filters into store query terms.
 *
 * An ASN is resolved through the stored addresses, not through the IP data's ranges: the distinct context IPs of an
 * audit log are a few thousand (read with one index seek each), while one large AS holds thousands of ranges, and the
 * IP data in effect (shipped, or the config's `ip_data` CSV) only answers "which AS holds this address". The matching
 * addresses are then an indexed `ip IN (...)`.
 */
import type { AsnInfo } from '../enrich/asn.ts';
import type { EventQuery } from '../store/types.ts';
import type { EventFilters } from './filters.ts';

/** What resolving an ASN needs. */
export interface NetworkSources {
  /** Every distinct context IP stored. */
  distinctIps(): Promise<string[]>;
  lookupAsn(ip: string): AsnInfo | null;
}

/**
 * The store terms for `ip` (a range on the address key) and `asn` (the stored addresses of that AS; none matching
 * gives an empty list, which matches no event).
 *
 * @example
 * await networkQuery({ asn: 13335 }, { distinctIps: () => reads.distinctIps(), lookupAsn: (ip) => env.lookupAsn(ip) })
 * // { ips: ['1.1.1.1', ...] }
 */
export async function networkQuery(f: Pick<EventFilters, 'ip' | 'asn'>, src: NetworkSources): Promise<Pick<EventQuery, 'ipRanges' | 'ips'>> {
  const out: Pick<EventQuery, 'ipRanges' | 'ips'> = {};
  if (f.ip) out.ipRanges = [f.ip];
  if (f.asn !== undefined) {
    const asn = f.asn;
    out.ips = (await src.distinctIps()).filter((ip) => src.lookupAsn(ip)?.asn === asn);
  }
  return out;
}

/**
 * The store query of parsed filters, the actor taken as given (the server resolves e-mails first).
 *
 * @example await eventQueryOf(parseEventFilters(flags), sources) // { actions: [...], ipRanges: [...], ... }
 */
export async function eventQueryOf(f: Omit<EventFilters, 'q'>, src: NetworkSources): Promise<EventQuery> {
  return {
    actions: f.action,
    actor: f.actor,
    entity: f.entity,
    session: f.session,
    reason: f.reason,
    channel: f.channel,
    since: f.since,
    until: f.until,
    ...(await networkQuery(f, src)),
  };
}
