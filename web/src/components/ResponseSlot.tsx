// Where response buttons (sign the user out, trust an IP...) go when the response feature adds them: the alert
// panel's header and the user page's header render this slot with what they know, so a response module only has
// to register itself here.
import type { ReactNode } from 'react';
import type { Proposal } from './respond/types.ts';

export interface ResponseTarget {
  userId?: string | null;
  alertId?: string;
  ip?: string | null;
  /** The address's AS number, when known (to trust the whole ASN). */
  asn?: number | null;
  /** The response a playbook proposed for the alert, waiting for a person. */
  proposal?: Proposal | null;
}

type Provider = (target: ResponseTarget, role: string) => ReactNode;
const providers: Provider[] = [];

/** Register a provider of response controls (called once by the response module at start-up). */
export function registerResponses(p: Provider): void {
  providers.push(p);
}

export function ResponseSlot({ target, role }: { target: ResponseTarget; role: string }) {
  const items = providers.map((p, i) => <span key={i}>{p(target, role)}</span>);
  return (
    <div className="response-slot" data-testid="response-slot">
      {items}
    </div>
  );
}
