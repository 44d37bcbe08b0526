/**
 * What a response will do, before it is done: the request a person made, the exact Web API calls it becomes, and the
 * words shown to the person who confirms it (the same words whether it is then confirmed, refused or dry-run).
 */
import { RESET_BULK_MAX } from '../slack/web-client.ts';

export type SignOutScope = 'all' | 'mobile' | 'web';

export type ResponseRequest =
  | { kind: 'sign-out'; users: string[]; scope: SignOutScope }
  | { kind: 'end-session'; user: string; sessionId: string };

/** One Web API call, as sent (the token travels in a header, never here). */
export interface PlannedCall {
  method: string;
  args: Record<string, unknown>;
}

const scopeArgs = (s: SignOutScope): Record<string, boolean> => (s === 'mobile' ? { mobile_only: true } : s === 'web' ? { web_only: true } : {});

/**
 * The calls a request becomes: one user → `session.reset`; several → `session.resetBulk` in chunks of 1,000;
 * one session → `session.invalidate`. Users are deduplicated, first occurrence kept.
 *
 * @example planCalls({ kind: 'sign-out', users: ['W1'], scope: 'web' })
 * // [{ method: 'admin.users.session.reset', args: { user_id: 'W1', web_only: true } }]
 */
export function planCalls(req: ResponseRequest): PlannedCall[] {
  if (req.kind === 'end-session') {
    return [{ method: 'admin.users.session.invalidate', args: { session_id: req.sessionId, user_id: req.user } }];
  }
  const users = [...new Set(req.users)];
  if (users.length === 1) return [{ method: 'admin.users.session.reset', args: { user_id: users[0], ...scopeArgs(req.scope) } }];
  const calls: PlannedCall[] = [];
  for (let i = 0; i < users.length; i += RESET_BULK_MAX) {
    calls.push({ method: 'admin.users.session.resetBulk', args: { user_ids: users.slice(i, i + RESET_BULK_MAX), ...scopeArgs(req.scope) } });
  }
  return calls;
}

const SCOPE_WORDS: Record<SignOutScope, string> = { all: 'on all devices', mobile: 'on mobile devices only', web: 'on the web and desktop only' };

/** The action name, targets and arguments a request is recorded with. */
export function recordFields(req: ResponseRequest): { action: string; targets: string[]; arguments: Record<string, unknown> } {
  if (req.kind === 'end-session') return { action: 'end-session', targets: [req.user], arguments: { session_id: req.sessionId } };
  const users = [...new Set(req.users)];
  return { action: 'sign-out', targets: users, arguments: { scope: req.scope, calls: planCalls(req).length } };
}

/**
 * What will happen, in words and calls, for the confirmation prompt and `--dry-run`.
 *
 * @example describePlan({ kind: 'sign-out', users: ['W1'], scope: 'all' })
 * // 'Sign W1 out of Slack on all devices (ends every session).\n  admin.users.session.reset {"user_id":"W1"}'
 */
export function describePlan(req: ResponseRequest): string {
  const calls = planCalls(req);
  const head =
    req.kind === 'end-session'
      ? `End session ${req.sessionId} of ${req.user} (that device is signed out; other sessions stay).`
      : `Sign ${req.users.length === 1 ? req.users[0] : `${new Set(req.users).size} users`} out of Slack ${SCOPE_WORDS[req.scope]}${req.scope === 'all' ? ' (ends every session)' : ''}.`;
  const shown = calls.map((c) => {
    const ids = c.args.user_ids as string[] | undefined;
    const args = ids && ids.length > 10 ? { ...c.args, user_ids: [...ids.slice(0, 10), `… ${ids.length - 10} more`] } : c.args;
    return `  ${c.method} ${JSON.stringify(args)}`;
  });
  return [head, ...shown].join('\n');
}
