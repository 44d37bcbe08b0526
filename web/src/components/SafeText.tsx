// Untrusted text as it really is: every string from the audit log goes through SafeText, so a hidden character
// shows as a `\u202E` badge instead of silently reordering or hiding letters, and a right-to-left name stays
// isolated from the text around it. IpText shows an address as an IP (a link to its page) only when it is one.
import { ipPath, Link } from '../router.tsx';
import { isIpAddress, splitHidden } from '../untrusted.ts';

/**
 * A text from the audit log, hidden characters shown as badges.
 *
 * @example <td><SafeText text={e.entity.name} /></td>
 */
export function SafeText({ text, className }: { text: string | null | undefined; className?: string }) {
  if (!text) return null;
  const parts = splitHidden(text);
  return (
    <span className={className ? `untrusted ${className}` : 'untrusted'}>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          p
        ) : (
          <span key={i} className="hidden-char" title={`${p.name} (hidden character)`}>
            {p.escape}
          </span>
        ),
      )}
    </span>
  );
}

/**
 * An address from the audit log: a link to its IP page when it is an IPv4 or IPv6 address, plain text otherwise.
 *
 * @example <td className="mono"><IpText ip={e.ip} /></td>
 */
export function IpText({ ip }: { ip: string | null | undefined }) {
  if (!ip) return null;
  if (isIpAddress(ip)) return <Link to={ipPath(ip)}>{ip}</Link>;
  return <SafeText text={ip} className="not-ip" />;
}

/**
 * The warning put on an event (or a value) that holds hidden characters.
 *
 * @example {hiddenInRaw(raw) && <HiddenFlag />}
 */
export function HiddenFlag() {
  return (
    <span className="tag tag-bad" title="Some text of this event holds invisible or direction-changing characters, shown as \u… badges" data-testid="hidden-flag">
      hidden characters
    </span>
  );
}
