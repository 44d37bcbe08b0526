// The response buttons of an alert, an anomaly event, a user page and an IP page, put into their ResponseSlot:
// only for responders and admins (the API refuses viewers too).
import { canRespond } from '../../session.tsx';
import { isIpAddress } from '../../untrusted.ts';
import { registerResponses, type ResponseTarget } from '../ResponseSlot.tsx';
import { ProposalButton, SignOutButton } from './SignOutDialog.tsx';
import { TrustButton } from './TrustNetworkDialog.tsx';

/**
 * The buttons for what the view knows: the proposal of an alert, a sign-out for a user, trust for an address.
 *
 * @example <RespondControls target={{ userId: 'W0MATT0001', alertId: 'a1' }} role="responder" />
 */
export function RespondControls({ target, role }: { target: ResponseTarget; role: string }) {
  if (!canRespond(role)) return null;
  const { userId, alertId, ip, asn, proposal } = target;
  return (
    <>
      {proposal && userId && alertId && <ProposalButton alertId={alertId} userId={userId} proposal={proposal} />}
      {userId && <SignOutButton userId={userId} alertId={alertId} />}
      {ip && isIpAddress(ip) && <TrustButton ip={ip} asn={asn} />}
    </>
  );
}

/** Put the controls into every ResponseSlot (called once, at start-up). */
export function registerRespondControls(): void {
  registerResponses((target, role) => <RespondControls target={target} role={role} />);
}
