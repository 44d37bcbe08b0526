// "Sign out of Slack": choose all devices, mobile only or web only; the dialog names the user and what the store
// knows (last seen, whether Slack's Anomaly Event Response already reset the sessions) before anything is called,
// keeps a reason, and shows Slack's answer. An alert's proposal (a playbook's "sign-out (web)") is approved through
// the same dialog with its scope fixed.
import { useState } from 'react';
import { api } from '../../api.ts';
import { fmtTime } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { SafeText } from '../SafeText.tsx';
import { useResponseCall } from './acted.ts';
import { Dialog, Outcome, ReasonField } from './Dialog.tsx';
import type { ActionResult, Preflight, Proposal, SignOutScope } from './types.ts';

/** How each scope is named on buttons and in the dialog. */
export const SCOPE_LABEL: Record<SignOutScope, string> = { all: 'all devices', mobile: 'mobile only', web: 'web only' };
const SCOPES: SignOutScope[] = ['all', 'mobile', 'web'];

/** Who is signed out and what the store knows of them. */
function UserFacts({ p }: { p: Preflight }) {
  return (
    <dl className="facts" data-testid="respond-user">
      <dt>User</dt>
      <dd>
        <SafeText text={p.user_name ?? '(name unknown)'} /> · <SafeText text={p.email ?? '(no e-mail known)'} /> · <SafeText className="mono" text={p.user_id} />
      </dd>
      <dt>Last seen</dt>
      <dd>{p.last_seen ? `${fmtTime(p.last_seen)} UTC` : 'never, in the stored audit log'}</dd>
      <dt>Slack's AER</dt>
      <dd data-testid="respond-aer">
        {p.aer_reset ? (
          <span className="tag tag-warn">
            already reset this user's sessions at {fmtTime(p.aer_reset.at)} UTC{p.aer_reset.after_alert ? ', after this alert' : ''}
          </span>
        ) : (
          'has not reset this user’s sessions'
        )}
      </dd>
    </dl>
  );
}

/**
 * The confirmation of a sign-out (or of an alert's proposed sign-out, `proposal` given): POST /respond/sign-out or
 * POST /alerts/:id/approve.
 *
 * @example <SignOutDialog userId="W0MATT0001" alertId={a.id} onClose={close} />
 */
export function SignOutDialog({ userId, alertId, proposal, onClose }: { userId: string; alertId?: string; proposal?: Proposal; onClose: () => void }) {
  const pre = useApi<Preflight>(`/respond/preflight/${encodeURIComponent(userId)}`, { alert_id: alertId });
  const [scope, setScope] = useState<SignOutScope>(proposal?.scope ?? 'all');
  const [reason, setReason] = useState('');
  const { run: go, busy, result } = useResponseCall(() =>
    proposal
      ? api.post<ActionResult>(`/alerts/${encodeURIComponent(alertId!)}/approve`)
      : api.post<ActionResult>('/respond/sign-out', { user_ids: [userId], scope, reason: reason.trim() || undefined, alert_id: alertId }),
  );
  const title = proposal ? `Approve: sign out of Slack (${SCOPE_LABEL[scope]})` : 'Sign out of Slack';
  return (
    <Dialog title={title} onClose={onClose} testId="sign-out-dialog">
      {pre.error && <p className="error">{pre.error.message}</p>}
      {pre.data ? <UserFacts p={pre.data} /> : !pre.error && <p className="muted">Loading what the store knows…</p>}
      {pre.data && !pre.data.configured && <p className="note">The server has no Slack admin token (SLACK_ADMIN_TOKEN): the call will fail and be recorded as failed.</p>}
      <fieldset className="respond-choices" disabled={!!proposal || !!result}>
        <legend>End the user’s sessions on</legend>
        {SCOPES.map((s) => (
          <label key={s}>
            <input type="radio" name="scope" value={s} checked={scope === s} onChange={() => setScope(s)} /> {SCOPE_LABEL[s]}
          </label>
        ))}
      </fieldset>
      {/* An approval carries out the proposal as it was made, with the playbook's reason. */}
      {proposal ? (
        <p>
          Proposed by the response playbook{proposal.reason ? ': ' : '.'}
          <SafeText text={proposal.reason} />
        </p>
      ) : (
        !result && <ReasonField value={reason} onChange={setReason} />
      )}
      {result && <Outcome result={result} />}
      <div className="buttons">
        <button type="button" className="btn" onClick={onClose}>
          {result ? 'Close' : 'Cancel'}
        </button>
        {!result && (
          <button type="button" className="btn primary" disabled={busy || !pre.data} onClick={go}>
            {busy ? 'Signing out…' : `Sign out (${SCOPE_LABEL[scope]})`}
          </button>
        )}
      </div>
    </Dialog>
  );
}

/** The button that opens the sign-out dialog. */
export function SignOutButton({ userId, alertId }: { userId: string; alertId?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn small danger" onClick={() => setOpen(true)}>
        Sign out of Slack
      </button>
      {open && <SignOutDialog userId={userId} alertId={alertId} onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * An alert's proposal: one button while it waits for a person, its status once acted on.
 *
 * @example <ProposalButton alertId={a.id} userId={a.user_id} proposal={p} />
 */
export function ProposalButton({ alertId, userId, proposal }: { alertId: string; userId: string; proposal: Proposal }) {
  const [open, setOpen] = useState(false);
  if (proposal.status !== 'proposed') {
    return <span className="tag tag-neutral" data-testid="proposal-status">{`proposed sign-out (${SCOPE_LABEL[proposal.scope]}): ${proposal.status}`}</span>;
  }
  return (
    <>
      <button type="button" className="btn small primary" onClick={() => setOpen(true)}>
        {`Approve: sign out (${SCOPE_LABEL[proposal.scope]})`}
      </button>
      {open && <SignOutDialog userId={userId} alertId={alertId} proposal={proposal} onClose={() => setOpen(false)} />}
    </>
  );
}
