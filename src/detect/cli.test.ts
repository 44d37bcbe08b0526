import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register as alertsCommand } from '../cli/commands/alerts.ts';
import { register as detectCommand } from '../cli/commands/detect.ts';
import { register as rulesCommand } from '../cli/commands/rules.ts';
import { CliError, type CliContext } from '../cli/context.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { BUILTIN_RULES_DIR } from './rule-loader.ts';
import { readFixture, toIncoming } from './test-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'gw.db');

function sink() {
  let text = '';
  const w = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  return { w, text: () => text };
}

/** Run the commands in-process; returns exit code and output. */
async function run(args: string[], configPath: string | null = null) {
  const out = sink();
  const err = sink();
  const ctx: CliContext = {
    openStore: async () => openSqliteStore(db),
    configPath: () => configPath,
    stdout: out.w,
    stderr: err.w,
    env: {},
  };
  const program = new Command('gridwatch').exitOverride().configureOutput({ writeOut: (s) => out.w.write(s), writeErr: (s) => err.w.write(s) });
  for (const r of [detectCommand, alertsCommand, rulesCommand]) r(program, ctx);
  for (const c of program.commands) c.exitOverride();
  let code = 0;
  try {
    await program.parseAsync(['node', 'gridwatch', ...args]);
  } catch (e) {
    if (e instanceof CliError) {
      err.w.write(`gridwatch: ${e.message}\n`);
      code = e.exitCode;
    } else if ((e as { exitCode?: number }).exitCode !== undefined) code = (e as { exitCode: number }).exitCode || 0;
    else throw e;
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('gridwatch detect / alerts / rules', () => {
  it('detect --format json prints one alert per line with the contract fields', async () => {
    const store = await openSqliteStore(db);
    await store.appendEvents(toIncoming(readFixture(join(BUILTIN_RULES_DIR, '../fixtures/matt-scraping.jsonl')), 'fixture'));
    await store.close();
    const r = await run(['detect', '--format', 'json', '--no-notify']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(3);
    for (const a of lines) {
      for (const k of ['rule', 'severity', 'user_id', 'first_seen', 'last_seen', 'event_ids', 'title']) expect(a).toHaveProperty(k);
      expect(a.first_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(lines.map((a) => a.rule)).toEqual(expect.arrayContaining(['scraping-suspected', 'excessive-downloads-over-baseline']));
    expect(r.stderr).toMatch(/replayed \d+ events/);
    // Replaying again changes nothing.
    const again = await run(['detect', '--format', 'json', '--no-notify']);
    expect(again.stdout).toBe(r.stdout);
    expect(again.stderr).toMatch(/0 new, 0 updated, 0 removed/);
  });

  it('alerts lists and filters stored alerts; show and set-status work on one', async () => {
    const all = await run(['alerts', '--format', 'json']);
    const ids = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; rule: string });
    const scraping = ids.find((a) => a.rule === 'scraping-suspected')!;
    const only = await run(['alerts', '--rule', 'scraping-suspected', '--user', 'W0MATT0001', '--format', 'json']);
    expect(only.stdout.trim().split('\n')).toHaveLength(1);
    const show = await run(['alerts', 'show', scraping.id]);
    expect(show.stdout).toMatch(/Glengarry-Leads\.xlsx/);
    expect(show.stdout).toMatch(/slack AER signed the user out/);
    const set = await run(['alerts', 'set-status', scraping.id, 'acknowledged', '--note', 'talking to HR']);
    expect(set.stdout).toMatch(/acknowledged \(talking to HR\)/);
    const open = await run(['alerts', '--status', 'acknowledged', '--format', 'json']);
    expect(open.stdout.trim().split('\n')).toHaveLength(1);
    // A second responder's note does not hide the first: show gives the whole history, who and when.
    await run(['alerts', 'set-status', scraping.id, 'resolved', '--note', 'account disabled', '--by', 'bob']);
    const text = (await run(['alerts', 'show', scraping.id])).stdout;
    expect(text).toMatch(/history   raised \S+\n +\S+Z  acknowledged: talking to HR\n +\S+Z  resolved by bob: account disabled\n/);
    const json = JSON.parse((await run(['alerts', 'show', scraping.id, '--format', 'json'])).stdout);
    expect(json.status_note).toBe('account disabled');
    expect(json.history.map((h: { status: string; note: string; by: string | null; at: string }) => [h.status, h.note, h.by, typeof h.at])).toEqual([
      ['acknowledged', 'talking to HR', null, 'string'],
      ['resolved', 'account disabled', 'bob', 'string'],
    ]);
    expect((await run(['alerts', '--status', 'closed'])).code).toBe(2);
    expect((await run(['alerts', 'show', 'al_nope'])).code).toBe(1);
  });

  it('rules list shows every built-in rule; rules test passes on them and fails on a broken directory', async () => {
    const list = await run(['rules', 'list', '--format', 'json']);
    expect(list.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(21);
    const ok = await run(['rules', 'test', BUILTIN_RULES_DIR]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/0 failed\n$/);

    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'wrong.yml'), 'id: wrong-expectation\ntitle: t\ndescription: d\nseverity: low\nrunbook: r\nkind: match\nwhere: {field: action, equals: anomaly}\ntests:\n  - name: expects nothing but fires\n    events: [{reasons: [tor]}]\n    expect: []\n');
    const failed = await run(['rules', 'test', bad]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL wrong-expectation: expects nothing but fires\n\s+expected 0 alert\(s\), got 1/);

    writeFileSync(join(bad, 'broken.yml'), 'id: Broken Rule\nkind: match\n');
    const invalid = await run(['rules', 'test', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/broken\.yml: id: use 2-64 lower-case letters/);
  });

  it('a bad configuration is reported with the file, the field and why', async () => {
    const cfg = join(dir, 'gridwatch.yaml');
    writeFileSync(cfg, 'allowlists:\n  trusted_cidr: ["10.0.0.0/8"]\n');
    const r = await run(['detect'], cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gridwatch\.yaml:\n\s+allowlists\.trusted_cidr: unknown key/);
  });
});
