// The respond sections of a user page: the user's Slack sessions beside those of the audit log (responders and
// admins: listing them calls Slack's admin API), and the actions taken on the user.
import { canRespond, useSession } from '../../session.tsx';
import { useOnActed } from './acted.ts';
import { ActionsSection } from './ActionsTable.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';
import type { UserRespondFields } from './types.ts';

/**
 * @example <UserResponses userId={s.user.id} summary={s} reload={sum.reload} />
 */
export function UserResponses({ userId, summary, reload }: { userId: string; summary: object; reload: () => void }) {
  // GET /users/:id carries the newest 50 actions on the user (`actions`).
  const actions = (summary as UserRespondFields).actions;
  const me = useSession();
  // The page's summary carries the actions: reload it after a sign-out from its header.
  useOnActed(reload);
  return (
    <>
      {canRespond(me.role) && <SessionsPanel userId={userId} />}
      <ActionsSection actions={actions} testId="user-actions" />
    </>
  );
}
