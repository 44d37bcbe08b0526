/**
 * `gridwatch respond approve` and `gridwatch respond sessions` as a person runs them: the real CLI (child process, no
 * TTY) against the simulator's admin Web API on loopback and a real SQLite file. Proposals come from a real
 * `gridwatch collect` with a config whose playbooks are in propose mode; sessions are checked in the simulator.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { TEST_END } from '../src/sim/testing.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { runCli, type RunResult } from './cli-helpers.ts';

const tmp = tempDirs();
const NOW = TEST_END + 600;
const RULES = ['scraping-suspected', 'session-hijack-suspected', 'anomaly-from-new-ip', 'unexpected-user-agent', 'excessive-downloads-over-baseline'];
let sim: Simulator;
let db: string;
let config: string;
const outputs: RunResult[] = [];

async function gw(args: string[]): Promise<RunResult> {
  const r = await runCli(['--db', db, '--config', config, ...args], {
    env: { SLACK_ADMIN_TOKEN: sim.tokens.adminWeb, SLACK_API_URL: sim.webApiBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner, SLACK_AUDIT_URL: sim.auditBaseUrl, GRIDWATCH_DB: '' },
  });
  outputs.push(r);
  return r;
}

function records(where = '1 = 1', ...params: unknown[]): Array<Record<string, any>> {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare(`SELECT * FROM action_log WHERE ${where} ORDER BY id`).all(...params) as Array<Record<string, any>>).map((r) => ({
      ...r, targets: JSON.parse(r.targets), arguments: JSON.parse(r.arguments),
    }));
  } finally {
    d.close();
  }
}

const kinds = (u: string) => sim.webApi.sessions.sessionsOf(u).map((s) => s.kind).sort();

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 40, days: 2, end: TEST_END, now: () => NOW, rateLimit: false });
  const dir = tmp.make('gw-approve-');
  db = join(dir, 'g.db');
  config = join(dir, 'gridwatch.yaml');
  writeFileSync(config, `responses:\n  rules:\n${RULES.map((r) => `    ${r}: { action: sign-out, scope: web }\n`).join('')}`);
  const c = await gw(['collect', '--since', String(TEST_END - 3 * 86400), '--until', String(NOW), '--settle', '0s']);
  expect(c.code, c.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await sim?.close();
});

describe('gridwatch respond approve', () => {
  /** A proposal whose user has web sessions in the simulator. */
  let proposal: Record<string, any>;
  let user: string;
  beforeAll(() => {
    const proposed = records("status = 'proposed'");
    expect(proposed.length).toBeGreaterThan(0);
    proposal = proposed.find((p) => kinds(p.targets[0]).includes('web'))!;
    expect(proposal).toBeDefined();
    user = proposal.targets[0];
  });

  it('without a terminal and without --yes: refuses, calls nothing, records refused; the proposal still waits', async () => {
    const before = sim.stats.requests;
    const r = await gw(['respond', 'approve', proposal.alert_id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: not confirmed and there is no terminal/);
    expect(r.stdout).toContain('admin.users.session.reset');
    expect(sim.stats.requests).toBe(before);
    expect(kinds(user)).toContain('web');
    expect(records().at(-1)).toMatchObject({ status: 'refused', alert_id: proposal.alert_id, arguments: { proposal: proposal.id } });
  });

  it('--dry-run shows the call and calls nothing', async () => {
    const before = sim.stats.requests;
    const r = await gw(['respond', 'approve', proposal.alert_id, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`admin.users.session.reset {"user_id":"${user}","web_only":true}`);
    expect(r.stdout).toMatch(/dry run: nothing was called/);
    expect(sim.stats.requests).toBe(before);
    expect(kinds(user)).toContain('web');
    expect(records().at(-1)).toMatchObject({ status: 'dry_run', arguments: { proposal: proposal.id } });
  });

  it('--yes carries it out: approved then done, the web sessions end, and it cannot be approved twice', async () => {
    const r = await gw(['respond', 'approve', proposal.alert_id, '--yes', '--reason', 'approved in test']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/done: signed .* out of Slack \(web\)/);
    expect(kinds(user).length === 0 || kinds(user).every((k) => k === 'mobile')).toBe(true);
    const mine = records('alert_id = ?', proposal.alert_id).filter((x) => x.arguments.proposal === proposal.id && (x.status === 'approved' || x.status === 'done'));
    expect(mine.map((x) => [x.status, x.targets, x.reason, x.actor.startsWith('cli:')])).toEqual([
      ['approved', [user], 'approved in test', true],
      ['done', [user], 'approved in test', true],
    ]);
    const again = await gw(['respond', 'approve', proposal.alert_id, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already done/);
  });
});

describe('gridwatch respond sessions', () => {
  let user: string;
  beforeAll(() => {
    const roles = new Map(sim.users.map((u) => [u.id, u.role]));
    user = sim.webApi.sessions.all().find((s) => roles.get(s.userId) === 'member' && sim.webApi.sessions.sessionsOf(s.userId).length >= 2)!.userId;
  });

  it("json: one line per active session of the simulator, joined with the store's facts", async () => {
    const r = await gw(['respond', 'sessions', user, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.sessionId).sort()).toEqual(sim.webApi.sessions.sessionsOf(user).map((s) => String(s.sessionId)).sort());
    const seen = rows.filter((x) => x.seen);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].seen).toMatchObject({ sessionId: seen[0].sessionId, firstSeen: expect.any(Number), lastSeen: expect.any(Number) });
    expect(seen[0].seen.ips.length).toBeGreaterThan(0);
  });

  it('table: the session ids with when the log first saw them', async () => {
    const r = await gw(['respond', 'sessions', user]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/session\s+kind \(now\)\s+ip \(now\)\s+first seen/);
    for (const s of sim.webApi.sessions.sessionsOf(user)) expect(r.stdout).toContain(String(s.sessionId));
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  });

  it('no token in any output', () => {
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(sim.tokens.adminWeb);
  });
});
