/**
 * Errors of the Slack Audit Logs client. None of them ever carries the token: messages are built from status codes,
 * Slack's error codes and fixed advice, and anything echoed from outside is passed through `redact` first.
 */

/** Base class: `code` is Slack's error string when there is one, `status` the HTTP status when there is one. */
export class SlackApiError extends Error {
  readonly code: string | undefined;
  readonly status: number | undefined;
  constructor(message: string, opts: { code?: string; status?: number } = {}) {
    super(message);
    this.name = 'SlackApiError';
    this.code = opts.code;
    this.status = opts.status;
  }
}

/** The token is missing, wrong, lacks the scope, or the org/plan does not allow the Audit Logs API. Never retried. */
export class AuthError extends SlackApiError {
  constructor(message: string, opts: { code?: string; status?: number } = {}) {
    super(message, opts);
    this.name = 'AuthError';
  }
}

/** The request was rejected as such (`invalid_range`, `invalid_action`, unknown 4xx): retrying will not help. */
export class RequestError extends SlackApiError {
  constructor(message: string, opts: { code?: string; status?: number } = {}) {
    super(message, opts);
    this.name = 'RequestError';
  }
}

/** Slack no longer accepts the pagination cursor (expired or invalid): re-read the window from its start. */
export class InvalidCursorError extends SlackApiError {
  constructor(message = 'Slack rejected the pagination cursor (invalid_cursor): it expired or does not match the request', opts: { code?: string; status?: number } = { code: 'invalid_cursor' }) {
    super(message, opts);
    this.name = 'InvalidCursorError';
  }
}

/**
 * The configured base URL can never work: malformed, an unknown host, or a TLS certificate the client will not
 * trust. Never retried; the message names SLACK_AUDIT_URL.
 */
export class EndpointError extends SlackApiError {
  constructor(message: string, opts: { code?: string } = {}) {
    super(message, opts);
    this.name = 'EndpointError';
  }
}

/** Server errors, network errors, timeouts, broken bodies or rate limiting that outlasted every retry. */
export class TransientError extends SlackApiError {
  readonly attempts: number;
  constructor(message: string, opts: { code?: string; status?: number; attempts?: number } = {}) {
    super(message, opts);
    this.name = 'TransientError';
    this.attempts = opts.attempts ?? 0;
  }
}

/** Slack error codes that mean "fix the token or the installation", whatever the HTTP status. */
export const AUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  'missing_authentication',
  'invalid_authentication',
  'team_not_authorized',
  'user_not_authorized',
  'feature_not_enabled',
  'invalid_workspace',
  'method_not_allowed',
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'account_inactive',
  'not_allowed_token_type',
]);

const TOKEN_HELP =
  'the token must be an Enterprise org owner\'s user token (xoxp-) with the auditlogs:read user scope, from an app ' +
  'installed on the Enterprise org (not on a single workspace); set SLACK_AUDIT_TOKEN or use --token-file';

/** What to do about each auth error code. */
export function authAdvice(code: string | undefined, status?: number): string {
  switch (code) {
    case 'missing_authentication':
    case 'not_authed':
      return `Slack Audit Logs API: no token was accepted (${code}): ${TOKEN_HELP}`;
    case 'invalid_authentication':
    case 'invalid_auth':
      return `Slack Audit Logs API rejected the token (${code}): ${TOKEN_HELP}`;
    case 'token_revoked':
    case 'token_expired':
    case 'account_inactive':
      return `Slack Audit Logs API: the token is no longer valid (${code}); issue a new one: ${TOKEN_HELP}`;
    case 'missing_scope':
      return `Slack Audit Logs API: the token lacks the auditlogs:read scope (${code}); add it under User Token Scopes and reinstall the app on the org: ${TOKEN_HELP}`;
    case 'team_not_authorized':
      return `Slack Audit Logs API: the app is installed on a workspace, not on the Enterprise org (${code}); install it on the org: ${TOKEN_HELP}`;
    case 'user_not_authorized':
      return `Slack Audit Logs API: the installing user is not an org owner (${code}); have an Enterprise org owner install the app: ${TOKEN_HELP}`;
    case 'feature_not_enabled':
      return `Slack Audit Logs API is not available for this org (${code}): it needs Slack Enterprise (Grid), and ${TOKEN_HELP}`;
    case 'invalid_workspace':
      return `Slack Audit Logs API: the workspace is not part of an Enterprise org (${code}): ${TOKEN_HELP}`;
    case 'method_not_allowed':
    case 'not_allowed_token_type':
      return `Slack Audit Logs API: this token may not call the method (${code}): ${TOKEN_HELP}`;
    default:
      return `Slack Audit Logs API refused access (HTTP ${status ?? '?'}${code ? `, ${code}` : ''}): ${TOKEN_HELP}`;
  }
}

/** Replace every occurrence of the secret (and anything that looks like a Slack token) in a text. */
export function redact(text: string, secret?: string): string {
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out.replace(/xox[a-z]-[A-Za-z0-9-]+/g, 'xox?-[redacted]');
}
