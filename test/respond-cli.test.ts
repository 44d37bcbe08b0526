/**
 * `gridwatch respond` and `gridwatch actions` as a person runs them: the real CLI (child process, no TTY) against the
 * simulator's admin Web API on loopback, with a real SQLite file. Sessions are checked in the simulator's session
 * store; audit events are checked after a real `gridwatch collect`; records are read back through the CLI and SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { SIM_BOT } from '../src/sim/web-api/index.ts';
import { TEST_END } from '../src/sim/testing.ts';
import { runCli, type RunResult } from './cli-helpers.ts';

const NOW = TEST_END + 600;
let sim: Simulator;
let dir: string;
let db: string;
const outputs: RunResult[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 40, days: 2, end: TEST_END, now: () => NOW, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'gw-respond-'));
  db = join(dir, 'g.db');
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Run the CLI with the admin token in the environment (or another of the simulator's tokens). */
async function gw(args: string[], token: string = sim.tokens.adminWeb): Promise<RunResult> {
  const r = await runCli(['--db', db, ...args], {
    env: { SLACK_ADMIN_TOKEN: token, SLACK_API_URL: sim.webApiBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner, SLACK_AUDIT_URL: sim.auditBaseUrl, GRIDWATCH_DB: '' },
  });
  outputs.push(r);
  return r;
}

const collect = () => gw(['collect', '--since', String(TEST_END - 3 * 86400), '--until', String(NOW), '--settle', '0s']);

/** Members with both web and mobile sessions. */
function candidates(): string[] {
  const roles = new Map(sim.users.map((u) => [u.id, u.role]));
  const byUser = new Map<string, Set<string>>();
  for (const s of sim.webApi.sessions.all()) byUser.set(s.userId, (byUser.get(s.userId) ?? new Set()).add(s.kind));
  return [...byUser].filter(([u, k]) => k.size === 2 && roles.get(u) === 'member').map(([u]) => u);
}
const kinds = (u: string) => sim.webApi.sessions.sessionsOf(u).map((s) => s.kind).sort();

function records(): Array<Record<string, any>> {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT * FROM action_log ORDER BY id').all() as Array<Record<string, any>>).map((r) => ({ ...r, targets: JSON.parse(r.targets) }));
  } finally {
    d.close();
  }
}
const lastRecord = () => records().at(-1)!;

function storedEvents(action: string): Array<Record<string, any>> {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT raw FROM events WHERE action = ? ORDER BY ts').pluck().all(action) as string[]).map((s) => JSON.parse(s));
  } finally {
    d.close();
  }
}

describe('gridwatch respond (simulator)', () => {
  let users: string[];
  beforeAll(async () => {
    expect((await collect()).code).toBe(0);
    users = candidates();
    expect(users.length).toBeGreaterThanOrEqual(6);
  });

  it('without a terminal and without --yes: refuses, calls nothing, records refused', async () => {
    const u = users[0]!;
    const before = sim.stats.requests;
    const r = await gw(['respond', 'sign-out', u, '--reason', 'test']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: not confirmed and there is no terminal.*--yes/);
    expect(r.stdout).toContain('admin.users.session.reset');
    expect(sim.stats.requests).toBe(before);
    expect(kinds(u)).toEqual(['mobile', 'web']);
    expect(lastRecord()).toMatchObject({ action: 'sign-out', targets: [u], status: 'refused', reason: 'test', actor: expect.stringMatching(/^cli:/) });
  });

  it('--dry-run shows the call with the store facts, calls nothing, records dry_run', async () => {
    const u = users[0]!;
    const before = sim.stats.requests;
    const r = await gw(['respond', 'sign-out', u, '--web-only', '--dry-run', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`admin.users.session.reset {"user_id":"${u}","web_only":true}`);
    expect(r.stdout).toMatch(new RegExp(`${u}: last seen \\d{4}-`));
    expect(sim.stats.requests).toBe(before);
    expect(kinds(u)).toEqual(['mobile', 'web']);
    expect(lastRecord()).toMatchObject({ targets: [u], status: 'dry_run' });
  });

  it('each variant ends exactly its sessions and its audit event is collected afterwards', async () => {
    const [all, mobile, web, b1, b2, inv] = users as [string, string, string, string, string, string];
    const others = sim.webApi.sessions.all().filter((s) => ![all, mobile, web, b1, b2, inv].includes(s.userId)).map((s) => s.sessionId);
    expect((await gw(['respond', 'sign-out', all, '--yes'])).code).toBe(0);
    expect(kinds(all)).toEqual([]);
    expect((await gw(['respond', 'sign-out', mobile, '--mobile-only', '--yes'])).code).toBe(0);
    expect(kinds(mobile)).toEqual(['web']);
    const w = await gw(['respond', 'sign-out', web, '--web-only', '--yes', '--reason', 'scraping']);
    expect([w.code, w.stdout]).toEqual([0, expect.stringMatching(/done: sign-out/)]);
    expect(kinds(web)).toEqual(['mobile']);
    expect((await gw(['respond', 'sign-out', b1, b2, '--web-only', '--yes'])).code).toBe(0);
    expect([kinds(b1), kinds(b2)]).toEqual([['mobile'], ['mobile']]);
    const victim = sim.webApi.sessions.sessionsOf(inv)[0]!;
    expect((await gw(['respond', 'end-session', inv, String(victim.sessionId), '--yes'])).code).toBe(0);
    expect(sim.webApi.sessions.sessionsOf(inv).map((s) => s.sessionId)).not.toContain(victim.sessionId);
    expect(sim.webApi.sessions.sessionsOf(inv).length).toBeGreaterThan(0);
    // Nobody else lost a session.
    expect(sim.webApi.sessions.all().filter((s) => others.includes(s.sessionId)).length).toBe(others.length);

    expect((await collect()).code).toBe(0);
    const resets = storedEvents('user_session_reset_by_admin').filter((e) => e.date_create === NOW);
    const byUser = Object.fromEntries(resets.map((e) => [e.entity.user.id, [e.details.mobile_only, e.details.web_only]]));
    expect(byUser).toEqual({ [all]: [false, false], [mobile]: [true, false], [web]: [false, true] });
    const bulk = storedEvents('bulk_session_reset_by_admin').filter((e) => e.date_create === NOW);
    expect(bulk.map((e) => [e.details.succeeded_users.sort(), e.details.web_only])).toEqual([[[b1, b2].sort(), true]]);
    expect(storedEvents('user_session_invalidated').filter((e) => e.date_create === NOW).length).toBe(1);

    const recs = records().filter((r) => r.status === 'done');
    expect(recs.map((r) => [r.action, r.targets])).toEqual([
      ['sign-out', [all]], ['sign-out', [mobile]], ['sign-out', [web]], ['sign-out', [b1, b2]], ['end-session', [inv]],
    ]);
    expect(JSON.parse(recs[2]!.arguments)).toEqual({ scope: 'web', calls: 1 });
  });

  it('bulk sign-out splits at 1,000 ids a call; unknown ids come back as failed_for_some_users, recorded failed', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => `W9${String(i).padStart(8, '0')}`);
    const r = await gw(['respond', 'sign-out', ...ids, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/failed for 1500 user\(s\): W900000000, .*failed_for_some_users/);
    const failedOf = (e: { event: Record<string, any> }): string[] => e.event.details?.failed_users ?? [];
    const calls = sim.events().filter((e) => e.event.action === 'bulk_session_reset_by_admin' && (failedOf(e).includes(ids[0]!) || failedOf(e).includes(ids[1499]!)));
    expect(calls.map((e) => ((e.event.details as any).failed_users as string[]).length).sort()).toEqual([1000, 500]);
    expect(lastRecord()).toMatchObject({ status: 'failed', slack_error: 'failed_for_some_users' });
    expect(lastRecord().targets).toHaveLength(1500);
  });

  it("each Slack error is one line saying what to do, exits non-zero, and is recorded failed", async () => {
    const owner = sim.users.find((u) => u.role === 'owner')!.id;
    const cases: Array<[string[], string, RegExp, string?]> = [
      [[owner], 'cannot_reset_primary_owner', /only the primary owner/],
      [[SIM_BOT.id], 'cannot_reset_bot', /is a bot/],
      [['W0NOSUCH01'], 'user_not_found', /no such user/],
      [[users[0]!], 'missing_scope', /lacks the admin\.users:write scope/, sim.tokens.adminReadOnly],
      [[users[0]!], 'not_an_admin', /not an org owner or admin/, sim.tokens.member],
      [[users[0]!], 'invalid_auth', /rejected the token/, 'xoxp-bogus-token-0123456789'],
      [[users[0]!], 'feature_not_enabled', /needs Slack Enterprise/, sim.tokens.notEnterprise],
      [[users[0]!, SIM_BOT.id], 'failed_for_some_users', new RegExp(`failed for 1 user\\(s\\): ${SIM_BOT.id}`)],
    ];
    for (const [targets, code, advice, token] of cases) {
      const r = await gw(['respond', 'sign-out', ...targets, '--yes'], token);
      expect(r.code, code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, code).toHaveLength(1);
      expect(lines[0], code).toContain(code);
      expect(lines[0], code).toMatch(advice);
      expect(lastRecord(), code).toMatchObject({ status: 'failed', slack_error: code, targets });
    }
  });

  it('a 429 storm: Retry-After honoured, then reported and recorded failed', async () => {
    let calls = 0;
    sim.route('POST', '/api/admin.users.session.invalidate', (ctx) => {
      calls++;
      ctx.json(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '0' });
    });
    const r = await gw(['respond', 'end-session', users[5]!, '123', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/still rate limited \(429\) after 11 tries/);
    expect(calls).toBe(11);
    expect(lastRecord()).toMatchObject({ action: 'end-session', status: 'failed', slack_error: 'ratelimited' });
  });

  it('actions lists the records (json/csv/table), filtered by user; verify passes, then names an edited record', async () => {
    const json = await gw(['actions', '--format', 'json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(records().length);
    expect(lines[0].id).toBeGreaterThan(lines[1].id);
    for (const k of ['id', 'time', 'actor', 'action', 'targets', 'status', 'reason', 'alert_id', 'slack_error']) expect(lines[0]).toHaveProperty(k);
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const mine = await gw(['actions', '--user', users[2]!, '--format', 'json']);
    expect(mine.stdout.trim().split('\n').map((l) => JSON.parse(l).targets)).toEqual([[users[2]]]);
    const csv = await gw(['actions', '--format', 'csv', '--user', users[2]!]);
    expect(csv.stdout.split('\r\n')[0]).toBe('id,time,actor,action,targets,status,reason,alert_id,slack_error');
    expect(csv.stdout).toContain(`,sign-out,${users[2]},done,scraping,,`);

    expect((await gw(['actions', 'verify'])).code).toBe(0);
    const d = new Database(db);
    d.exec('DROP TRIGGER action_log_no_update');
    expect(d.prepare("UPDATE action_log SET reason = 'edited' WHERE id = 3").run().changes).toBe(1);
    d.close();
    const v = await gw(['actions', 'verify']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/record 3 does not fit: hash does not match/);
  });

  it('no token in any output or record', () => {
    const tokens = [...Object.values(sim.tokens), 'xoxp-bogus-token-0123456789'];
    const text = outputs.map((o) => o.stdout + o.stderr).join('\n') + JSON.stringify(records());
    for (const t of tokens) expect(text.includes(t), t).toBe(false);
    expect(outputs.length).toBeGreaterThan(15);
  });
});
