import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { TEST_END } from '../../sim/testing.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { CliError, type CliContext } from '../context.ts';
import { register } from './allowlist.ts';

const CONFIG = `# ACME
allowlists:
  trusted_cidrs:
    - 198.51.100.0/24 # Paris office
  trusted_asns: [64500] # partner
`;
const START = { trusted_cidr: ['8.8.8.8/24'], trusted_asns: [64501] };

let sim: Simulator;
let dir: string;
let db: string;
let config: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-allow-cli-'));
  db = join(dir, 'gw.db');
  config = join(dir, 'gridwatch.yaml');
  writeFileSync(config, CONFIG);
  sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, rateLimit: false, webApi: { allowlist: START } });
});
afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function sink() {
  let text = '';
  return { w: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
}

/** Run `gridwatch allowlist ...` in-process; `answer` simulates a terminal on which the person types it. */
async function run(args: string[], opts: { answer?: string; env?: NodeJS.ProcessEnv } = {}) {
  const out = sink();
  const err = sink();
  let stdin: CliContext['stdin'];
  if (opts.answer !== undefined) {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    tty.end(`${opts.answer}\n`);
    stdin = tty;
  }
  const ctx: CliContext = {
    openStore: async () => openSqliteStore(db),
    configPath: () => config,
    stdout: out.w,
    stderr: err.w,
    stdin,
    env: { SLACK_ADMIN_TOKEN: sim.tokens.adminWeb, SLACK_API_URL: sim.webApiBaseUrl, ...opts.env },
  };
  const program = new Command('gridwatch').exitOverride().configureOutput({ writeOut: (s) => out.w.write(s), writeErr: (s) => err.w.write(s) });
  register(program, ctx);
  for (const c of program.commands) c.exitOverride();
  let code = 0;
  try {
    await program.parseAsync(['node', 'gridwatch', 'allowlist', ...args]);
  } catch (e) {
    if (e instanceof CliError) (err.w.write(`gridwatch: ${e.message}\n`), (code = e.exitCode));
    else if ((e as { exitCode?: number }).exitCode !== undefined) code = (e as { exitCode: number }).exitCode;
    else throw e;
  }
  const output = out.text() + err.text();
  expect(output).not.toContain(sim.tokens.adminWeb);
  return { code, stdout: out.text(), stderr: err.text() };
}

async function records() {
  const store = await openSqliteStore(db);
  try {
    return await store.actionLog().list();
  } finally {
    await store.close();
  }
}

describe('gridwatch allowlist', () => {
  it("show prints Slack's list beside the local lists", async () => {
    const r = await run(['show', '--format', 'json']);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout) as Record<string, any>;
    expect(shown.slack).toEqual({ trusted_cidr: ['8.8.8.8/24'], trusted_asns: [64501] });
    expect(shown.local).toMatchObject({ file: config, trusted_cidrs: ['198.51.100.0/24'], trusted_asns: [64500] });
    expect(shown.local.expected_user_agents.length).toBeGreaterThan(0);
    const text = await run(['show']);
    expect(text.stdout).toContain('trusted CIDRs:\n    8.8.8.8/24');
    // A token Slack refuses: the local lists are still shown, the run fails with Slack's reason.
    const refused = await run(['show', '--format', 'json'], { env: { SLACK_ADMIN_TOKEN: sim.tokens.member } });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ slack: null, slack_error: expect.stringContaining('not_an_admin'), local: { trusted_asns: [64500] } });
    expect(refused.stdout + refused.stderr).not.toContain(sim.tokens.member);
  });

  it('without --yes and without a terminal it refuses, calls nothing, and records the refusal', async () => {
    const before = sim.stats.requests;
    const r = await run(['add', '--cidr', '192.0.2.0/24']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a terminal');
    expect(sim.stats.requests).toBe(before);
    expect((await records())[0]).toMatchObject({ action: 'allowlist.add', status: 'refused', actor: expect.stringMatching(/^cli:.+/) });
  });

  it('on a terminal it asks; "y" writes the merged list', async () => {
    const r = await run(['add', '--cidr', '192.0.2.7', '--asn', 'AS7'], { answer: 'y' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Write Slack's anomaly allowlist with the change above? [y/N]");
    expect(sim.webApi.allowlist.get()).toEqual({ trusted_cidr: ['8.8.8.8/24', '192.0.2.7/32'], trusted_asns: [64501, 7] });
  });

  it('refuses bad values with the reason, before any call and without a record', async () => {
    const before = sim.stats.requests;
    const r = await run(['add', '--cidr', '10.0.0.1/8', '--cidr', '2001:db8::/32', '--asn', '0', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean the network 10.0.0.0/8, or the single address 10.0.0.1/32?');
    expect(r.stderr).toContain("Slack's anomaly allowlist takes IPv4 CIDRs only");
    expect(r.stderr).toContain('--asn 0: an ASN is a whole number from 1 to 4294967295');
    expect(sim.stats.requests).toBe(before);
    expect(await records()).toEqual([]);
  });

  it('--to local edits the config in place, comments kept; --to both --dry-run changes neither list', async () => {
    const dry = await run(['remove', '--cidr', '198.51.100.0/24', '--cidr', '8.8.8.0/24', '--to', 'both', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('- cidr 8.8.8.8/24');
    expect(dry.stdout).toContain('- cidr 198.51.100.0/24');
    expect(readFileSync(config, 'utf8')).toBe(CONFIG);
    expect(sim.webApi.allowlist.get()).toEqual(START);
    expect((await records()).map((r) => [r.targets[0], r.status])).toEqual([['local', 'dry_run'], ['slack', 'dry_run']]);

    const r = await run(['add', '--cidr', '2001:db8::/32', '--asn', '64510', '--to', 'local', '--yes']);
    expect(r.code).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(`# ACME
allowlists:
  trusted_cidrs:
    - 198.51.100.0/24 # Paris office
    - 2001:db8::/32
  trusted_asns: [64500, 64510] # partner
`);
    expect(sim.webApi.allowlist.get()).toEqual(START);
    expect((await records())[0]).toMatchObject({ targets: ['local'], status: 'done', arguments: { file: config }, diff: { added: { cidrs: ['2001:db8::/32'], asns: [64510] } } });
  });
});
