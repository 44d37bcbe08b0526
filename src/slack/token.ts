import { readFileSync } from 'node:fs';
import { DEFAULT_AUDIT_BASE_URL } from './audit-client.ts';
import { AuthError } from './errors.ts';

/** Read a token from `tokenFile` (wins) or the environment variable `envVar`; `missing` explains how to provide one. */
function resolveToken(opts: { tokenFile?: string; env?: Record<string, string | undefined> }, envVar: string, missing: string): string {
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
    token = env[envVar]?.trim();
  }
  if (!token) throw new AuthError(missing);
  if (/\s/.test(token)) throw new AuthError(`the Slack token contains whitespace: the token file or ${envVar} must hold the token alone`);
  return token;
}

/**
 * The Audit Logs token for `gridwatch collect`: `--token-file` wins over `SLACK_AUDIT_TOKEN`. The file holds the
 * token alone (surrounding whitespace ignored). Errors never contain the token.
 *
 * @example
 * const token = resolveAuditToken({ tokenFile: opts.tokenFile, env: process.env });
 */
export function resolveAuditToken(opts: { tokenFile?: string; env?: Record<string, string | undefined> } = {}): string {
  return resolveToken(
    opts,
    'SLACK_AUDIT_TOKEN',
    'no Slack Audit Logs token: set SLACK_AUDIT_TOKEN or pass --token-file <path>; it must be an Enterprise org ' +
      "owner's user token (xoxp-) with the auditlogs:read scope, from an app installed on the org",
  );
}

/**
 * The admin Web API token for `gridwatch respond` and `allowlist`: `--token-file` wins over `SLACK_ADMIN_TOKEN`.
 * Never the audit token: responding needs other scopes, and keeping them apart limits what a leaked collector
 * token can do.
 *
 * @example
 * const token = resolveAdminToken({ tokenFile: opts.tokenFile, env: process.env });
 */
export function resolveAdminToken(opts: { tokenFile?: string; env?: Record<string, string | undefined> } = {}): string {
  return resolveToken(
    opts,
    'SLACK_ADMIN_TOKEN',
    'no Slack admin token: set SLACK_ADMIN_TOKEN or pass --token-file <path>; it must be an org admin\'s user token ' +
      '(xoxp-) with admin.users:write and admin.users:read (and admin for the allowlist), from an app installed on the org',
  );
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
