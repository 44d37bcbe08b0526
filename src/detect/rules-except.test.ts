import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register as detectCommand } from '../cli/commands/detect.ts';
import { register as rulesCommand } from '../cli/commands/rules.ts';
import { CliError, type CliContext } from '../cli/context.ts';
import { loadConfig } from '../config/load.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { specEvents } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-except-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'gw.db');
const cfg = join(dir, 'gridwatch.yaml');

/** Run the commands in-process against the real SQLite file and config file; returns exit code and output. */
async function run(args: string[]) {
  let out = '';
  let err = '';
  const w = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const ctx: CliContext = { openStore: async () => openSqliteStore(db), configPath: () => cfg, stdout: w((s) => (out += s)), stderr: w((s) => (err += s)), env: { USER: 'alice' } };
  const program = new Command('gridwatch').exitOverride();
  for (const r of [detectCommand, rulesCommand]) r(program, ctx);
  let code = 0;
  try {
    await program.parseAsync(['node', 'gridwatch', ...args]);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    err += e.message;
    code = e.exitCode;
  }
  return { code, out, err };
}

const scopes = (app: string, at: string) => ({ action: 'app_scopes_expanded', at, entity: { type: 'app', app: { id: app, name: app } }, details: { previous_scopes: ['chat:write'], new_scopes: ['chat:write', 'channels:history'] } });

describe('gridwatch rules except', () => {
  it('previews the stored alerts it would suppress, writes the exception keeping comments, and detection honours it', async () => {
    writeFileSync(cfg, '# our settings\ntimezone: UTC # keep UTC\n');
    const store = await openSqliteStore(db);
    await store.appendEvents(specEvents([scopes('A0PDF', '+0h'), scopes('A0PDF', '+2h'), scopes('A0PDF', '+4h'), scopes('A0OTHER', '+6h')]));
    await store.close();
    expect((await run(['detect', '--no-notify'])).code).toBe(0);

    const dry = await run(['rules', 'except', 'app-scopes-expanded', '--app', 'A0PDF', '--reason', 'approved by IT', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('app-scopes-expanded: would have suppressed 3 of 4 stored alert(s)');
    expect(readFileSync(cfg, 'utf8')).toBe('# our settings\ntimezone: UTC # keep UTC\n');

    // No --yes and no terminal: refused, nothing written.
    const refused = await run(['rules', 'except', 'app-scopes-expanded', '--app', 'A0PDF', '--reason', 'approved by IT']);
    expect(refused.code).toBe(1);
    expect(readFileSync(cfg, 'utf8')).not.toContain('exceptions');

    const saved = await run(['rules', 'except', 'app-scopes-expanded', '--app', 'A0PDF', '--reason', 'approved by IT', '--expires', '30d', '--yes']);
    expect(saved.code).toBe(0);
    const text = readFileSync(cfg, 'utf8');
    expect(text).toContain('# our settings');
    expect(text).toContain('# keep UTC');
    const config = await loadConfig(cfg);
    const [e] = config.rules.overrides['app-scopes-expanded']!.exceptions;
    expect(e).toMatchObject({ app: 'A0PDF', reason: 'approved by IT', author: expect.stringMatching(/^cli:/) });
    expect(Date.parse(e!.expires!) - Date.parse(e!.created)).toBe(30 * 86400 * 1000);

    // The stored events predate the expiry: a replay drops the three alerts and keeps the other app's.
    const after = await run(['detect', '--format', 'json', '--no-notify']);
    const rules = after.out.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; title: string });
    expect(rules.filter((a) => a.rule === 'app-scopes-expanded').map((a) => a.title)).toEqual([expect.stringContaining('A0OTHER')]);
  });

  it('refuses an exception without a reason or with two targets, and an unknown rule', async () => {
    expect((await run(['rules', 'except', 'app-scopes-expanded', '--app', 'A0PDF', '--dry-run'])).err).toContain('--reason');
    expect((await run(['rules', 'except', 'app-scopes-expanded', '--app', 'A', '--ip', '192.0.2.1', '--reason', 'x', '--dry-run'])).err).toContain('give exactly one of user, app, ip');
    expect((await run(['rules', 'except', 'no-such-rule', '--app', 'A', '--reason', 'x', '--dry-run'])).code).toBe(2);
  });
});
