/**
 * `GET /api/v1/ips/:ip`: who used an address, when, from which clients, and whether it is trusted (allowlisted CIDR
 * or ASN), a VPN egress, or on the local threat-intelligence list.
 */
import { Hono } from 'hono';
import { isValidIp } from '../../enrich/ip.ts';
import { isoSeconds } from '../../util/time.ts';
import type { AddressFacts, IpSummary } from '../api-types.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { badParam, notFound } from '../errors.ts';
import { capped, MAX_LIST } from '../limits.ts';
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

/**
 * @example api.route('/ips', ipRoutes());
 */
export function ipRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/:ip', (c) => {
    const deps = c.get('deps');
    const ip = c.req.param('ip');
    if (!isValidIp(ip)) throw badParam('ip', 'not an IPv4 or IPv6 address');
    const p = parseQuery(RangeQuery, c.req.url);
    checkRange(p);
    const params = { ip, since: p.since ?? 0, until: p.until ?? Number.MAX_SAFE_INTEGER, limit: MAX_LIST + 1 };
    // Totals from the (ip, ts) index alone: the lists below stop at their cap and cannot be summed.
    const all = deps.store.db
      .prepare('SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM events WHERE ip = @ip AND ts >= @since AND ts <= @until')
      .get(params) as { n: number; first: number | null; last: number | null };
    if (!all.n && p.since === undefined && p.until === undefined) throw notFound('IP address in the stored events', ip);
    const users = capped(
      deps.store.db
        .prepare(
          `SELECT actor_id AS id, max(actor_name) AS name, max(actor_email) AS email, count(*) AS n, min(ts) AS first, max(ts) AS last
           FROM events WHERE ip = @ip AND ts >= @since AND ts <= @until GROUP BY actor_id ORDER BY last DESC LIMIT @limit`,
        )
        .all(params) as Array<{ id: string | null; name: string | null; email: string | null; n: number; first: number; last: number }>,
      MAX_LIST,
    );
    const uas = capped(
      deps.store.db
        .prepare(
          `SELECT ua, count(*) AS n, min(ts) AS first, max(ts) AS last FROM events
           WHERE ip = @ip AND ts >= @since AND ts <= @until AND ua IS NOT NULL GROUP BY ua ORDER BY last DESC LIMIT @limit`,
        )
        .all(params) as Array<{ ua: string; n: number; first: number; last: number }>,
      MAX_LIST,
    );
    return c.json({
      ip,
      ...ipFacts(deps, ip),
      events: all.n,
      first_seen: all.first === null ? null : isoSeconds(all.first),
      last_seen: all.last === null ? null : isoSeconds(all.last),
      users: users.rows.map((u) => ({ id: u.id, name: u.name, email: u.email, count: u.n, first_seen: isoSeconds(u.first), last_seen: isoSeconds(u.last) })),
      users_truncated: users.truncated,
      user_agents: uas.rows.map((u) => ({ ua: u.ua, expected: deps.env.expectedUa(u.ua), count: u.n, first_seen: isoSeconds(u.first), last_seen: isoSeconds(u.last) })),
      user_agents_truncated: uas.truncated,
    } satisfies IpSummary);
  });
  return r;
}
