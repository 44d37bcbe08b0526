import type { AlertStatus, Severity } from '../types.ts';
import { SafeText } from './SafeText.tsx';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: AlertStatus }) {
  return <span className={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}

/** A small coloured tag: `good` (trusted, expected, known), `bad` (new, unexpected, listed) or neutral. Its text may
 * come from the audit log (Slack's reasons, ASN names): shown through SafeText. */
export function Tag({ kind = 'neutral', children, title }: { kind?: 'good' | 'bad' | 'warn' | 'neutral'; children: string; title?: string }) {
  return (
    <span className={`tag tag-${kind}`} title={title}>
      <SafeText text={children} />
    </span>
  );
}

/** Has the user used it before? `new` (bad) or `known` (good). */
export function NewTag({ isNew }: { isNew: boolean }) {
  return isNew ? <Tag kind="bad">new</Tag> : <Tag kind="good">known</Tag>;
}

/** One of the configured expected user agents? `expected` (good) or `unexpected` (bad). */
export function ExpectedTag({ expected }: { expected: boolean }) {
  return expected ? <Tag kind="good">expected</Tag> : <Tag kind="bad">unexpected</Tag>;
}

/** `trusted` (good, the matching CIDR or ASN as its tooltip) or `not trusted` (warn). */
export function TrustTag({ trust }: { trust: { trusted: boolean; match?: string } }) {
  return trust.trusted ? <Tag kind="good" title={trust.match}>trusted</Tag> : <Tag kind="warn">not trusted</Tag>;
}

export function Reasons({ reasons }: { reasons: string[] }) {
  return (
    <>
      {reasons.map((r) => (
        <span key={r} className="tag tag-bad">
          <SafeText text={r} />
        </span>
      ))}
    </>
  );
}
