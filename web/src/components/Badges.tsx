import type { AlertStatus, Severity } from '../types.ts';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge sev-${severity}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: AlertStatus }) {
  return <span className={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}

/** A small coloured tag: `good` (trusted, expected, known), `bad` (new, unexpected, listed) or neutral. */
export function Tag({ kind = 'neutral', children, title }: { kind?: 'good' | 'bad' | 'warn' | 'neutral'; children: string; title?: string }) {
  return (
    <span className={`tag tag-${kind}`} title={title}>
      {children}
    </span>
  );
}

export function Reasons({ reasons }: { reasons: string[] }) {
  return (
    <>
      {reasons.map((r) => (
        <span key={r} className="tag tag-bad">
          {r}
        </span>
      ))}
    </>
  );
}
