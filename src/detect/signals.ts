/**
 * Paired anomaly reasons. Slack always sends some reasons together (docs/slack-api.md 3.1): `asn` with `ip_address`,
 * `unexpected_user_agent` with `user_agent`, `spoofed_user_agent` with `unexpected_client`. Such a pair is one
 * observation, so it must count once: an anomaly is split into *signals*, one per group of paired reasons, and a
 * correlation needs a distinct signal for each of its conditions. An anomaly carrying two unrelated reasons
 * (`unexpected_scraping` + `user_agent`) is two signals and can satisfy two conditions on its own.
 */

/** `[a, b]`: whenever `a` is present, `b` is too. */
export const PAIRED_REASONS: ReadonlyArray<readonly [string, string]> = [
  ['asn', 'ip_address'],
  ['unexpected_user_agent', 'user_agent'],
  ['spoofed_user_agent', 'unexpected_client'],
];

const partner = new Map<string, string[]>();
for (const [a, b] of PAIRED_REASONS) {
  partner.set(a, [...(partner.get(a) ?? []), b]);
  partner.set(b, [...(partner.get(b) ?? []), a]);
}

/**
 * Split reasons into signal groups (connected by pairing), in first-appearance order.
 *
 * @example
 * signalGroups(['unexpected_user_agent', 'user_agent', 'excessive_downloads'])
 * // [['unexpected_user_agent', 'user_agent'], ['excessive_downloads']]
 */
export function signalGroups(reasons: readonly string[]): string[][] {
  if (reasons.length <= 1) return [reasons.slice()];
  const present = new Set(reasons);
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const r of reasons) {
    if (seen.has(r)) continue;
    const group: string[] = [];
    const stack = [r];
    seen.add(r);
    while (stack.length) {
      const x = stack.pop()!;
      group.push(x);
      for (const p of partner.get(x) ?? []) {
        if (present.has(p) && !seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    }
    groups.push(reasons.filter((x) => group.includes(x)));
  }
  return groups;
}

/**
 * Reasons for a title: paired ones collapse into the more specific one (`asn` stands for `asn` + `ip_address`).
 *
 * @example titleReasons(['asn', 'ip_address', 'tor']) // ['asn', 'tor']
 */
export function titleReasons(reasons: readonly string[]): string[] {
  const implied = new Set<string>();
  for (const [a, b] of PAIRED_REASONS) if (reasons.includes(a)) implied.add(b);
  return reasons.filter((r) => !implied.has(r));
}
