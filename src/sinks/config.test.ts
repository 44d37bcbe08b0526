import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseSinkConfigs, SinkConfigError, SinkConfigSchema } from './config.ts';
import { createSinks } from './index.ts';
import { SqliteOutboxStore } from '../store/sqlite/outbox.ts';
import { openOutboxDb } from './test-support.ts';

function problemsOf(value: unknown): string[] {
  try {
    parseSinkConfigs(value);
  } catch (e) {
    expect(e).toBeInstanceOf(SinkConfigError);
    return (e as SinkConfigError).problems;
  }
  throw new Error('expected a SinkConfigError');
}

describe('SinkConfigSchema / parseSinkConfigs', () => {
  it('accepts each sink type', () => {
    const parsed = parseSinkConfigs([
      { type: 'stdout' },
      { type: 'file', path: '/tmp/alerts.jsonl', min_severity: 'medium' },
      { type: 'webhook', name: 'siem', url: 'https://siem.example/hook', secret_env: 'GW_SECRET', headers: { 'X-Tenant': 'acme' }, timeout_ms: 5000 },
      { type: 'slack', webhook_url_env: 'GW_SLACK', min_severity: 'high' },
    ]);
    expect(parsed.map((p) => p.type)).toEqual(['stdout', 'file', 'webhook', 'slack']);
    expect(SinkConfigSchema.safeParse({ type: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'a-long-enough-secret' }).success).toBe(true);
  });

  it.each([
    [[{ type: 'pager' }], 'sinks[0].type: Invalid discriminator value'],
    [[{ type: 'file' }], 'sinks[0].path:'],
    [[{ type: 'file', path: '' }], 'sinks[0].path: must not be empty'],
    [[{ type: 'stdout', min_severity: 'urgent' }], 'sinks[0].min_severity:'],
    [[{ type: 'stdout', min_severty: 'high' }], 'sinks[0].min_severty: unknown key'],
    [[{ type: 'webhook', url: 'ftp://x.example/', secret_env: 'S' }], 'sinks[0].url: must be an http(s) URL'],
    [[{ type: 'webhook', url: 'https://x.example/' }], 'sinks[0].secret: give exactly one of secret or secret_env'],
    [[{ type: 'webhook', url: 'https://x.example/', secret: 'a-long-enough-secret', secret_env: 'S' }], 'sinks[0].secret: give exactly one of secret or secret_env'],
    [[{ type: 'webhook', url: 'https://x.example/', secret: 'short' }], 'sinks[0].secret: must be at least 16 characters'],
    [[{ type: 'webhook', url: 'https://x.example/', secret_env: 'not a var' }], 'sinks[0].secret_env: must be an environment variable name'],
    [[{ type: 'webhook', url: 'https://x.example/', secret_env: 'S', timeout_ms: 5 }], 'sinks[0].timeout_ms:'],
    [[{ type: 'webhook', url: 'https://x.example/', secret_env: 'S', headers: { 'Bad Header': 'x' } }], 'sinks[0].headers.Bad Header:'],
    [[{ type: 'slack' }], 'sinks[0].webhook_url: give exactly one of webhook_url or webhook_url_env'],
    [[{ type: 'stdout' }, { type: 'stdout' }], 'sinks[1].name: duplicate sink name "stdout" (also sinks[0])'],
    [[{ type: 'stdout', name: 'has space' }], 'sinks[0].name: use 1-64 letters'],
    ['not a list', 'sinks: must be a list'],
    [[42], 'sinks[0]: Invalid input'],
  ])('%j → %s', (value, expected) => {
    const problems = problemsOf(value);
    expect(problems.some((p) => p.startsWith(expected)), problems.join('\n')).toBe(true);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf([{ type: 'stdout', bogus: 1 }, { type: 'file' }]);
    expect(problems).toHaveLength(2);
  });

  it('never echoes a secret value in errors', () => {
    const secret = 'sup3r-s3cret-value-do-not-print';
    const problems = problemsOf([{ type: 'webhook', url: 'not a url', secret, extra: true }]);
    expect(problems.join(' ')).not.toContain(secret);
  });
});

describe('createSinks configuration errors', () => {
  const db = openOutboxDb(':memory:');

  it('names the missing environment variable, not a value', () => {
    expect(() => createSinks([{ type: 'webhook', url: 'https://x.example/', secret_env: 'GW_MISSING' }], new SqliteOutboxStore(db), { env: {} }))
      .toThrow(/sinks\[0\]\.secret_env: environment variable GW_MISSING is not set/);
  });

  it('rejects a Slack URL variable that does not hold a URL, without printing it', () => {
    const value = 'xoxb-not-a-url-secret';
    let msg = '';
    try {
      createSinks([{ type: 'slack', webhook_url_env: 'GW_SLACK' }], new SqliteOutboxStore(db), { env: { GW_SLACK: value } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('sinks[0].webhook_url_env: GW_SLACK does not hold an http(s) URL');
    expect(msg).not.toContain(value);
  });

  it('explains a database without the outbox table', () => {
    const bare = new Database(':memory:');
    expect(() => createSinks([{ type: 'stdout' }], new SqliteOutboxStore(bare))).toThrow(/alert_outbox is missing/);
  });
});
