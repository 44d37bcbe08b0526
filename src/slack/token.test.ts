import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthError } from './errors.ts';
import { auditBaseUrl, resolveAuditToken, tokenKindWarning } from './token.ts';

describe('token and base URL', () => {
  it('prefers --token-file over SLACK_AUDIT_TOKEN and trims it', () => {
    const d = mkdtempSync(join(tmpdir(), 'gw-token-'));
    try {
      const f = join(d, 'token');
      writeFileSync(f, 'xoxp-from-file\n');
      expect(resolveAuditToken({ tokenFile: f, env: { SLACK_AUDIT_TOKEN: 'xoxp-env' } })).toBe('xoxp-from-file');
      expect(resolveAuditToken({ env: { SLACK_AUDIT_TOKEN: ' xoxp-env ' } })).toBe('xoxp-env');
      writeFileSync(f, 'xoxp-a xoxp-b');
      const e = (() => {
        try {
          resolveAuditToken({ tokenFile: f });
        } catch (err) {
          return err as Error;
        }
      })();
      expect(e).toBeInstanceOf(AuthError);
      expect(e!.message).not.toContain('xoxp-a');
      expect(() => resolveAuditToken({ tokenFile: join(d, 'missing') })).toThrow(/ENOENT/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('explains what token is needed when none is given', () => {
    expect(() => resolveAuditToken({ env: {} })).toThrow(/SLACK_AUDIT_TOKEN.*--token-file.*xoxp-.*auditlogs:read/);
  });

  it('warns about non-user tokens', () => {
    expect(tokenKindWarning('xoxp-1')).toBeNull();
    expect(tokenKindWarning('xoxb-1')).toMatch(/xoxb- token/);
    expect(tokenKindWarning('hello')).toMatch(/does not look like/);
  });

  it('reads SLACK_AUDIT_URL with Slack as default', () => {
    expect(auditBaseUrl({})).toBe('https://api.slack.com/audit/v1');
    expect(auditBaseUrl({ SLACK_AUDIT_URL: 'http://127.0.0.1:9999/audit/v1/' })).toBe('http://127.0.0.1:9999/audit/v1');
  });
});
