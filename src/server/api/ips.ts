/**
 * `GET /api/v1/ips/:ip`: who used an address, when, from which clients, its network (block, ASN, country), and whether
 * it is trusted (allowlisted CIDR or ASN locally, or on Slack's allowlist), a VPN egress, or on the local
 * threat-intelligence list.
 */
import { Hono } from 'hono';
import { isValidIp } from '../../enrich/ip.ts';
import { isoSeconds } from '../../util/time.ts';
import type { AddressFacts, IpSummary } from '../api-types.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { badParam, notFound } from '../errors.ts';
import { capped, MAX_IP_SCAN, MAX_LIST } from '../limits.ts';
import { slackTrustOf } from '../slack-trust.ts';
import { checkRange, parseQuery, RangeQuery } from '../validate.ts';

/**
 * What the local configuration says about an address.
 *
 * @example ipFacts(deps, '203.0.113.77') // { trusted: { trusted: false }, asn: null, country: null, vpn: null, threat_intel: null }
 */
export function ipFacts(deps: ServerDeps, ip: string): AddressFacts {
  const asn = deps.env.lookupAsn(ip);
  return {
    trusted: deps.env.trust(ip),
    asn: asn ? { asn: asn.asn, name: asn.name ?? null } : null,
    country: deps.env.lookupCountry(ip),
    vpn: deps.env.vpnOf(ip),
    threat_intel: deps.env.threatIntel(ip),
  };
}

const seen = (r: { n: number; first: number; last: number }) => ({ count: r.n, first_seen: isoSeconds(r.first), last_seen: isoSeconds(r.last) });

/**
 * @example api.route('/ips', ipRoutes());
 */
export function ipRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/:ip', async (c) => {
    const deps = c.get('deps');
    const ip = c.req.param('ip');
    if (!isValidIp(ip)) throw badParam('ip', 'not an IPv4 or IPv6 address');
    const p = parseQuery(RangeQuery, c.req.url);
    checkRange(p);
    // ASN, network and trust by ASN need the IP data: a page drawn during the first seconds would say "not trusted".
    await deps.env.ipDataReady();
    const since = p.since ?? 0;
    const until = p.until ?? Number.MAX_SAFE_INTEGER;
    const reads = deps.store.entityReads();
    // Totals count every event; the lists stop at their cap and come from the newest MAX_IP_SCAN events.
    const all = await reads.addressTotals(ip, since, until);
    if (!all.n && p.since === undefined && p.until === undefined) throw notFound('IP address in the stored events', ip);
    const lists = await reads.addressLists(ip, since, until, MAX_LIST + 1, MAX_IP_SCAN);
    const users = capped(lists.users, MAX_LIST);
    const uas = capped(lists.user_agents, MAX_LIST);
    return c.json({
      ip,
      ...ipFacts(deps, ip),
      events: all.n,
      first_seen: all.first === null ? null : isoSeconds(all.first),
      last_seen: all.last === null ? null : isoSeconds(all.last),
      users: users.rows.map((u) => ({ id: u.v, name: u.name, email: u.email, ...seen(u) })),
      users_truncated: users.truncated,
      user_agents: uas.rows.map((u) => ({ ua: u.v, expected: deps.env.expectedUa(u.v), ...seen(u) })),
      user_agents_truncated: uas.truncated,
      lists_from: { events: lists.scanned, partial: lists.partial },
      network: deps.env.networkOf(ip),
      slack_allowlist: await slackTrustOf(deps, ip, c.get('session')?.account.role ?? null),
    } satisfies IpSummary);
  });
  return r;
}
