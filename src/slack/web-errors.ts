/**
 * Errors of the Slack Web API client (`web-client.ts`): Slack's `{ok:false,error}` codes of the admin session and
 * allowlist methods mapped to typed errors whose one-line message says what to do. Messages are built from the
 * method name, Slack's codes and fixed advice: never from the token.
 */
import { SlackApiError } from './errors.ts';

/** What the Web API answered besides the code, for the messages that name a scope or users. */
export interface WebErrorDetails {
  /** `missing_scope`: the scope the method needs, and what the token has. */
  needed?: string;
  provided?: string;
  /** `failed_for_some_users`: the users Slack could not sign out. */
  failedUsers?: string[];
}

/** Base class: `method` is the Web API method, `code` Slack's error string. */
export class WebApiError extends SlackApiError {
  readonly method: string;
  constructor(message: string, opts: { method: string; code?: string; status?: number }) {
    super(message, opts);
    this.name = 'WebApiError';
    this.method = opts.method;
  }
}

/** The token cannot call the method: fix the token, its scopes, its user's role or the plan. Never retried. */
export class WebAuthError extends WebApiError {
  readonly needed: string | undefined;
  readonly provided: string | undefined;
  constructor(message: string, opts: { method: string; code?: string; status?: number; needed?: string; provided?: string }) {
    super(message, opts);
    this.name = 'WebAuthError';
    this.needed = opts.needed;
    this.provided = opts.provided;
  }
}

/** Slack refused this request (bad target, bad arguments): retrying the same call will not help. */
export class WebRequestError extends WebApiError {
  constructor(message: string, opts: { method: string; code?: string; status?: number }) {
    super(message, opts);
    this.name = 'WebRequestError';
  }
}

/** `resetBulk` signed some users out but not these (`failedUsers`); `succeededUsers` are the rest that were sent. */
export class FailedForSomeUsersError extends WebApiError {
  readonly failedUsers: string[];
  readonly succeededUsers: string[];
  constructor(opts: { method: string; failedUsers: string[]; succeededUsers: string[]; status?: number }) {
    const shown = opts.failedUsers.slice(0, 20).join(', ') + (opts.failedUsers.length > 20 ? `, and ${opts.failedUsers.length - 20} more` : '');
    super(
      `Slack ${opts.method}: failed for ${opts.failedUsers.length} user(s): ${shown} (failed_for_some_users); the other ` +
        `${opts.succeededUsers.length} were signed out; check that those ids exist and are not bots or the primary owner, then retry them alone`,
      { method: opts.method, code: 'failed_for_some_users', status: opts.status },
    );
    this.name = 'FailedForSomeUsersError';
    this.failedUsers = opts.failedUsers;
    this.succeededUsers = opts.succeededUsers;
  }
}

const ADMIN_TOKEN_HELP =
  "set SLACK_ADMIN_TOKEN (or --token-file) to an org admin's user token (xoxp-) from an app installed on the Enterprise org";

/** Codes that mean "fix the token or its installation". */
const AUTH_CODES = new Set([
  'not_authed', 'invalid_auth', 'token_revoked', 'token_expired', 'account_inactive', 'missing_scope', 'not_an_admin',
  'admin_unauthorized', 'feature_not_enabled', 'not_an_enterprise', 'not_allowed_token_type', 'no_permission',
  'access_denied', 'team_access_not_granted', 'two_factor_setup_required', 'org_login_required', 'enterprise_is_restricted',
]);

/** What to do, per code; `%` is replaced by the method's needed scope where it matters. */
const ADVICE: Record<string, string> = {
  not_authed: `no token was sent; ${ADMIN_TOKEN_HELP}`,
  invalid_auth: `Slack rejected the token; ${ADMIN_TOKEN_HELP}`,
  token_revoked: `the token was revoked; issue a new one and ${ADMIN_TOKEN_HELP}`,
  token_expired: `the token expired; issue a new one and ${ADMIN_TOKEN_HELP}`,
  account_inactive: `the token's user is deactivated; ${ADMIN_TOKEN_HELP}`,
  not_an_admin: "the token's user is not an org owner or admin; use a token installed by an org admin",
  admin_unauthorized: "the token's user is not allowed to manage this user's sessions; use an org owner's or admin's token",
  feature_not_enabled: 'this method needs Slack Enterprise (Grid); the token belongs to an org without it',
  not_an_enterprise: 'this method needs Slack Enterprise (Grid); the token belongs to an org without it',
  not_allowed_token_type: `this method needs a user token (xoxp-); ${ADMIN_TOKEN_HELP}`,
  cannot_reset_primary_owner: "only the primary owner can sign the primary owner out; ask them, or leave this user out",
  cannot_invalidate_primary_owner: "only the primary owner can end the primary owner's sessions; ask them",
  cannot_reset_bot: 'the user is a bot and has no sessions to end; leave it out',
  bots_not_allowed: 'the user is a bot and has no sessions; leave it out',
  user_not_found: 'no such user in this org; check the user id (W… or U…)',
  session_not_found: 'no active session has that id (it may have ended already); list the sessions again',
  team_not_found: 'no such workspace or org id; pass the user\'s team id (T…) or the org id (E…)',
  missing_team: 'user_id needs team_id with it',
  missing_user: 'team_id needs user_id with it',
  invalid_cursor: 'the paging cursor was rejected; list again from the start',
  invalid_arguments: 'Slack rejected the arguments; check user ids, session ids, and that CIDRs are IPv4 (a.b.c.d/n) and ASNs integers',
  user_session_reset_failed: 'Slack could not reset the sessions; try again',
  session_invalidation_failed: 'Slack could not end the session; try again',
  session_reset_not_allowed: "only the primary owner can reset the primary owner's sessions",
  restricted_action: 'the org does not allow this action for the token\'s user',
  unknown_method: 'the method is not available here; check SLACK_API_URL (default https://slack.com/api)',
};

/**
 * The typed error for a Web API refusal, with a one-line message naming the method, the code and what to do.
 *
 * @example
 * webApiError('admin.users.session.reset', 'missing_scope', 200, { needed: 'admin.users:write', provided: 'auditlogs:read' }).message
 * // 'Slack admin.users.session.reset: the token lacks the admin.users:write scope (missing_scope; it has auditlogs:read); …'
 */
export function webApiError(method: string, code: string, status: number, details: WebErrorDetails = {}): WebApiError {
  if (code === 'failed_for_some_users') {
    return new FailedForSomeUsersError({ method, failedUsers: details.failedUsers ?? [], succeededUsers: [], status });
  }
  if (code === 'missing_scope') {
    const needed = details.needed ?? 'the admin scope the method documents';
    const has = details.provided !== undefined ? `; it has ${details.provided || 'no scopes'}` : '';
    return new WebAuthError(
      `Slack ${method}: the token lacks the ${needed} scope (missing_scope${has}); add ${needed} under User Token Scopes, reinstall the app on the org, and ${ADMIN_TOKEN_HELP}`,
      { method, code, status, needed: details.needed, provided: details.provided },
    );
  }
  const advice = ADVICE[code] ?? 'Slack refused the call';
  const message = `Slack ${method}: ${advice} (${code})`;
  return AUTH_CODES.has(code) ? new WebAuthError(message, { method, code, status }) : new WebRequestError(message, { method, code, status });
}
