import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../sim/server.ts';
import { drainLogs, TEST_END } from '../sim/testing.ts';
import { SIM_BOT } from '../sim/web-api/index.ts';
import { TransientError } from './errors.ts';
import { FailedForSomeUsersError, WebAuthError, WebRequestError } from './web-errors.ts';
import { createWebClient, type WebClientOptions } from './web-client.ts';

type Obj = Record<string, any>;
const base = { seed: 9, users: 40, days: 2, end: TEST_END, now: () => TEST_END, rateLimit: false as const };

/** Every message a test saw, checked for tokens at the end. */
const messages: string[] = [];
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    messages.push((e as Error).message);
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('web client against the simulator', () => {
  let sim: Simulator;
  const client = (o: Partial<WebClientOptions> = {}) => createWebClient({ baseUrl: sim.webApiBaseUrl, token: sim.tokens.adminWeb, ...o });
  const kinds = (userId: string) => sim.webApi.sessions.sessionsOf(userId).map((s) => s.kind).sort();
  beforeAll(async () => {
    sim = await startSimulator({ ...base, webApi: { rateLimit: false } });
  });
  afterAll(() => sim.close());

  /** Members with a web and a mobile session, so each variant has something to keep and something to end. */
  const both = () => sim.users.filter((u) => u.role === 'member' && kinds(u.id).join() === 'mobile,web');

  it('each sign-out variant ends exactly its sessions and its audit event is then served by /logs', async () => {
    const [a, b, c, d] = both();
    expect(d).toBeDefined();
    const everyoneElse = () => sim.webApi.sessions.all().filter((s) => ![a, b, c, d].some((u) => u!.id === s.userId));
    const untouched = everyoneElse();
    const slack = client();

    await slack.sessionReset(a!.id, { webOnly: true });
    await slack.sessionReset(b!.id, { mobileOnly: true });
    await slack.sessionReset(c!.id);
    expect([kinds(a!.id), kinds(b!.id), kinds(c!.id)]).toEqual([['mobile'], ['web'], []]);
    const listed = await slack.sessionList({ userId: a!.id, teamId: a!.team });
    expect(listed.map((s) => s.session_id)).toEqual(a!.devices.filter((x) => x.kind === 'ios' || x.kind === 'android').map((x) => x.sessionId));
    expect(await slack.sessionList({ userId: c!.id, teamId: c!.team })).toEqual([]);

    const [web, mobile] = sim.webApi.sessions.sessionsOf(d!.id).sort((x, y) => (x.kind < y.kind ? 1 : -1));
    await slack.sessionInvalidate(web!.sessionId, { teamId: d!.team });
    expect(sim.webApi.sessions.sessionsOf(d!.id).map((s) => s.sessionId)).toEqual([mobile!.sessionId]);
    expect(everyoneElse()).toEqual(untouched);

    const { entries } = await drainLogs(sim, { oldest: TEST_END, action: 'user_session_reset_by_admin,user_session_invalidated' });
    const got = entries.map((e: Obj) => [e.action, e.entity.user.id, e.details]).sort((x, y) => String(x[1]).localeCompare(String(y[1])));
    const want = [
      ['user_session_reset_by_admin', a!.id, { mobile_only: false, web_only: true, non_sso_only: false }],
      ['user_session_reset_by_admin', b!.id, { mobile_only: true, web_only: false, non_sso_only: false }],
      ['user_session_reset_by_admin', c!.id, { mobile_only: false, web_only: false, non_sso_only: false }],
      ['user_session_invalidated', d!.id, { session_id: web!.sessionId }],
    ].sort((x, y) => String(x[1]).localeCompare(String(y[1])));
    expect(got).toEqual(want);
    const admin = sim.users.find((u) => u.role === 'admin')!;
    for (const e of entries) expect((e as Obj).actor.user.id).toBe(admin.id);
  });

  it('splits a bulk reset into calls of at most 1,000 ids and names every user it failed for', async () => {
    const members = sim.users.filter((u) => u.role === 'member').map((u) => u.id);
    const fakes = Array.from({ length: 2001 - members.length }, (_, i) => `W0NOONE${String(i).padStart(4, '0')}`);
    const calls: number[] = [];
    const slack = client({ onEvent: (e) => e.type === 'request' && calls.push(e.attempt) });
    const err = await failure(slack.sessionResetBulk([...members, ...fakes], { mobileOnly: true }));
    expect(err).toBeInstanceOf(FailedForSomeUsersError);
    const f = err as FailedForSomeUsersError;
    expect(calls.length).toBe(3);
    expect(f.failedUsers.sort()).toEqual([...fakes].sort());
    expect(f.succeededUsers.sort()).toEqual([...members].sort());
    expect(f.message).toContain(fakes[0]);
    expect(f.message).toContain(`failed for ${fakes.length} user(s)`);
    for (const m of members) expect(kinds(m)).not.toContain('mobile');
    const { entries } = await drainLogs(sim, { oldest: TEST_END, action: 'bulk_session_reset_by_admin' });
    const sizes = entries.map((e: Obj) => e.details.succeeded_users.length + e.details.failed_users.length).sort((x, y) => y - x);
    expect(sizes).toEqual([1000, 1000, 1]);
    // The simulator itself refuses more than 1,000, so the split is needed.
    const raw = await failure(slack.call('admin.users.session.resetBulk', { user_ids: fakes.concat(fakes).slice(0, 1001) }));
    expect((raw as WebRequestError).code).toBe('invalid_arguments');
  });

  it('allowlist update overwrites, so a read-merge-write keeps every other entry', async () => {
    const slack = client();
    await slack.allowlistUpdate({ cidrs: ['198.51.100.0/24', '10.0.0.0/8'], asns: [64503] });
    await slack.allowlistUpdate({ cidrs: ['192.0.2.0/24'], asns: [] });
    expect(await slack.allowlistGet()).toEqual({ cidrs: ['192.0.2.0/24'], asns: [] });
    const cur = await slack.allowlistGet();
    await slack.allowlistUpdate({ cidrs: [...cur.cidrs, '203.0.113.0/24'], asns: [...cur.asns, 64500] });
    expect(await slack.allowlistGet()).toEqual({ cidrs: ['192.0.2.0/24', '203.0.113.0/24'], asns: [64500] });
    const bad = await failure(slack.allowlistUpdate({ cidrs: ['2001:db8::/32'], asns: [] }));
    expect(bad).toBeInstanceOf(WebRequestError);
    expect(bad.message).toMatch(/IPv4/);
  });

  it('maps each Slack error to a one-line message that says what to do', async () => {
    const owner = sim.users.find((u) => u.role === 'owner')!;
    const member = sim.users.find((u) => u.role === 'member')!;
    const cases: Array<[Promise<unknown>, new (...a: any[]) => Error, string, RegExp]> = [
      [client({ token: sim.tokens.owner }).sessionReset(member.id), WebAuthError, 'missing_scope', /lacks the admin\.users:write scope.*it has auditlogs:read/],
      [client({ token: sim.tokens.adminReadOnly }).allowlistGet(), WebAuthError, 'missing_scope', /lacks the admin scope/],
      [client({ token: sim.tokens.member }).sessionReset(member.id), WebAuthError, 'not_an_admin', /not an org owner or admin/],
      [client({ token: sim.tokens.notEnterprise }).sessionReset(member.id), WebAuthError, 'feature_not_enabled', /Enterprise/],
      [client({ token: sim.tokens.notEnterprise }).allowlistGet(), WebAuthError, 'not_an_enterprise', /Enterprise/],
      [client({ token: 'xoxp-not-a-real-token-123' }).sessionList(), WebAuthError, 'invalid_auth', /SLACK_ADMIN_TOKEN/],
      [client().sessionReset(owner.id), WebRequestError, 'cannot_reset_primary_owner', /only the primary owner/],
      [client().sessionReset(SIM_BOT.id), WebRequestError, 'cannot_reset_bot', /bot/],
      [client().sessionReset('W0NOSUCHONE'), WebRequestError, 'user_not_found', /check the user id/],
      [client().sessionInvalidate(1), WebRequestError, 'session_not_found', /list the sessions again/],
      [client().sessionResetBulk([member.id, SIM_BOT.id]), FailedForSomeUsersError, 'failed_for_some_users', new RegExp(SIM_BOT.id)],
    ];
    for (const [p, type, code, text] of cases) {
      const e = await failure(p);
      expect(e, code).toBeInstanceOf(type);
      expect((e as WebAuthError).code).toBe(code);
      expect(e.message).toContain(code);
      expect(e.message).toMatch(text);
      expect(e.message).not.toContain('\n');
    }
  });

  it('retries 5xx and timeouts with backoff, and redacts a token Slack echoes back', async () => {
    let n = 0;
    sim.route('POST', '/api/test.flaky', async (ctx) => {
      n++;
      if (n === 1) return ctx.json(503, { ok: false, error: 'service_unavailable' });
      if (n === 2) await new Promise((r) => setTimeout(r, 400));
      ctx.json(200, { ok: true, n });
    });
    const waits: number[] = [];
    const slack = client({ timeoutMs: 150, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
    expect(await slack.call('test.flaky')).toEqual({ ok: true, n: 3 });
    expect(waits).toEqual([250, 500]);

    sim.route('POST', '/api/test.echo', async (ctx) => ctx.json(200, { ok: false, error: `bad_${await ctx.token()}`, failed_users: [String(await ctx.token())] }));
    const echoed = await failure(slack.call('test.echo'));
    expect(echoed.message).not.toContain(sim.tokens.adminWeb);
    const down = await failure(client({ sleep: async () => {}, maxRetries: 2 }).call('test.nothing-here'));
    expect(down.message).not.toContain(sim.tokens.adminWeb);
  });

  afterAll(() => {
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) for (const t of [...Object.values(sim.tokens), 'xoxp-not-a-real-token-123']) expect(m).not.toContain(t);
  });
});

describe('web client under Tier 2 rate limits', () => {
  it('waits out Retry-After, and reports a 429 storm that outlasts its retries', async () => {
    const sim = await startSimulator({ ...base, webApi: { rateLimit: { perMinute: 1, retryAfterSec: 7 } } });
    try {
      const waits: number[] = [];
      const slack = createWebClient({ baseUrl: sim.webApiBaseUrl, token: sim.tokens.adminWeb, maxRateLimitRetries: 3, sleep: async (ms) => void waits.push(ms) });
      await slack.allowlistGet();
      const err = await failure(slack.allowlistGet());
      expect(err).toBeInstanceOf(TransientError);
      expect((err as TransientError).code).toBe('ratelimited');
      expect(err.message).toMatch(/rate limited \(429\) after 4 tries; wait a minute/);
      expect(err.message).not.toContain(sim.tokens.adminWeb);
      expect(waits).toEqual([7000, 7000, 7000]);
    } finally {
      await sim.close();
    }
    const quick = await startSimulator({ ...base, users: 5, webApi: { rateLimit: { perMinute: 1, windowSec: 1 } } });
    try {
      const limited: number[] = [];
      const slack = createWebClient({ baseUrl: quick.webApiBaseUrl, token: quick.tokens.adminWeb, onEvent: (e) => e.type === 'rate_limited' && limited.push(e.retryAfterMs) });
      await slack.allowlistUpdate({ cidrs: ['192.0.2.0/24'], asns: [] });
      expect(await slack.allowlistGet()).toEqual({ cidrs: ['192.0.2.0/24'], asns: [] });
      await slack.allowlistGet();
      expect(limited.length).toBeGreaterThan(0);
    } finally {
      await quick.close();
    }
  });
});
