import { readFileSync } from 'node:fs';
import { DEFAULT_AUDIT_BASE_URL } from './audit-client.ts';
import { AuthError } from './errors.ts';

/**
 * The Audit Logs token for `gridwatch collect`: `--token-file` wins over `SLACK_AUDIT_TOKEN`. The file holds the
 * token alone (surrounding whitespace ignored). Errors never contain the token.
 *
 * @example
 * const token = resolveAuditToken({ tokenFile: opts.tokenFile, env: process.env });
 */
export function resolveAuditToken(opts: { tokenFile?: string; env?: Record<string, string | undefined> } = {}): string {
  const env = opts.env ?? process.env;
  let token: string | undefined;
  if (opts.tokenFile) {
    try {
      token = readFileSync(opts.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new AuthError(`cannot read the token file ${opts.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!token) throw new AuthError(`the token file ${opts.tokenFile} is empty`);
  } else {
    token = env.SLACK_AUDIT_TOKEN?.trim();
  }
  if (!token) {
    throw new AuthError(
      'no Slack Audit Logs token: set SLACK_AUDIT_TOKEN or pass --token-file <path>; it must be an Enterprise org ' +
        "owner's user token (xoxp-) with the auditlogs:read scope, from an app installed on the org",
    );
  }
  if (/\s/.test(token)) throw new AuthError('the Slack token contains whitespace: the token file or SLACK_AUDIT_TOKEN must hold the token alone');
  return token;
}

/** A warning when the token is not a user token (`xoxp-`), which the Audit Logs API requires; null when it looks right. */
export function tokenKindWarning(token: string): string | null {
  if (token.startsWith('xoxp-') || token.startsWith('xoxe.xoxp-')) return null;
  const prefix = /^(xox[a-z])-/.exec(token)?.[1];
  return prefix
    ? `the token is a ${prefix}- token; the Audit Logs API needs an org owner's user token (xoxp-) with auditlogs:read`
    : 'the token does not look like a Slack token (xoxp-...)';
}

/** `SLACK_AUDIT_URL` or Slack's production Audit Logs base URL. */
export function auditBaseUrl(env: Record<string, string | undefined> = process.env): string {
  const u = env.SLACK_AUDIT_URL?.trim();
  return (u || DEFAULT_AUDIT_BASE_URL).replace(/\/+$/, '');
}
