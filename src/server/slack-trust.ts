/**
 * Is an address on Slack's own IP allowlist? Asked of Slack with the server's admin token, so only for responders and
 * admins (the routes that read the list need that role too); for viewers, or without a token, the answer is
 * "unknown" with the reason.
 */
import { isTrusted, type AsnInfo } from '../enrich/asn.ts';
import { parseCidr, parseCidrList } from '../enrich/ip.ts';
import { redact } from '../slack/errors.ts';
import type { SlackTrust } from './api-types.ts';
import { roleAtLeast, type Role } from './auth/users.ts';
import { adminOf, NO_TOKEN } from './api/respond.ts';
import type { ServerDeps } from './context.ts';

/**
 * Whether Slack's allowlist (CIDRs, then ASNs by the IP data in effect) holds `ip`.
 *
 * @example
 * slackListed('198.51.100.7', { cidrs: ['198.51.100.0/24'], asns: [] }, () => null) // { state: 'trusted', match: '198.51.100.0/24' }
 */
export function slackListed(ip: string, list: { cidrs: readonly string[]; asns: ReadonlyArray<number | string> }, lookupAsn: (ip: string) => AsnInfo | null): SlackTrust {
  // Slack's list was written by Slack: an entry we cannot read is skipped, not fatal.
  const cidrs = parseCidrList(list.cidrs.filter((c) => parseCidr(c).ok));
  const asns = list.asns.map(Number).filter(Number.isInteger);
  const r = isTrusted(ip, { cidrs, asns }, { lookup: lookupAsn, source: null, size: 0 });
  return r.trusted ? { state: 'trusted', match: r.match ?? null, why: null } : { state: 'not_trusted', match: null, why: null };
}

/**
 * The answer for one IP page request: "unknown" (with why) for viewers, without a token, or when Slack fails.
 *
 * @example await slackTrustOf(deps, '203.0.113.7', 'viewer') // { state: 'unknown', match: null, why: '…' }
 */
export async function slackTrustOf(deps: ServerDeps, ip: string, role: Role | null): Promise<SlackTrust> {
  if (!role || !roleAtLeast(role, 'responder')) return { state: 'unknown', match: null, why: "reading Slack's allowlist needs the responder role" };
  const admin = adminOf(deps);
  if (!admin) return { state: 'unknown', match: null, why: NO_TOKEN };
  try {
    const list = await admin.client.allowlistGet();
    // Slack's ASN entries need the address's ASN: an unknown one (data still loading) would read "not trusted".
    await deps.env.ipDataReady();
    return slackListed(ip, list, (a) => deps.env.lookupAsn(a));
  } catch (e) {
    return { state: 'unknown', match: null, why: `reading Slack's allowlist failed: ${redact((e as Error).message, admin.token)}` };
  }
}
