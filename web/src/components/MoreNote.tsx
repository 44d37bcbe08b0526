// Under a list the server capped: says that more exist than are shown (the API marks capped lists `*_truncated`),
// and links to the paged view of them where there is one.
import { fmtCount } from '../format.ts';
import { Link } from '../router.tsx';

/**
 * Nothing when the list is complete; otherwise "Showing the first N <what>; more exist" and the link.
 *
 * @example
 * <MoreNote truncated={s.ips_truncated} shown={s.ips.length} what="addresses" />
 */
export function MoreNote({ truncated, shown, what, to, toLabel = 'see them all' }: { truncated: boolean; shown: number; what: string; to?: string; toLabel?: string }) {
  if (!truncated) return null;
  return (
    <p className="muted" data-testid="more-note">
      Showing the {fmtCount(shown)} most recent {what}; more exist{to ? <> · <Link to={to}>{toLabel}</Link></> : ' (narrow the time range to see the others)'}.
    </p>
  );
}
