/**
 * The respond HTTP API (issue #11, docs/api.md "Respond") over a real server on loopback, a real store holding the demo
 * organisation on each backend (SQLite, and PostgreSQL where it can run), and the project's simulator as Slack (same
 * seed and end as the store, so its sessions are the ones the audit log shows; a fresh one per backend, as the tests
 * end its sessions), whose admin token the server holds through its `slackAdmin` option. Sessions and the allowlist
 * are checked in the simulator itself; every response body of the file is kept and searched for the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../src/config/schema.ts';
import { runPlaybooks } from '../src/respond/index.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { startSimulator, STORY, type Simulator } from '../src/sim/index.ts';
import { SIM_BOT } from '../src/sim/web-api/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiCall, apiLogin, DEMO_END, demoStore, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends('the respond API')) describe.skipIf(backend.skip)(`respond API on ${backend.name}`, () => {
  backend.setup();

  let sim: Simulator;
  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  let mattAlert: string;
  const bodies: string[] = [];
  type Session = { cookie: string; csrf: string };
  let responder: Session;
  let viewer: Session;

  async function call(method: string, path: string, s: Session, body?: unknown, csrf: string | null = s.csrf) {
    const r = await apiCall(srv.url, method, path, s, body, csrf);
    bodies.push(r.text);
    return r;
  }

  async function login(name: string): Promise<Session> {
    const r = await apiLogin(srv.url, name);
    bodies.push(r.text);
    return { cookie: r.cookie, csrf: r.csrf };
  }

  const kinds = (u: string) => sim.webApi.sessions.sessionsOf(u).map((s) => s.kind).sort();
  const sessionIds = () => new Set(sim.webApi.sessions.all().map((s) => s.sessionId));
  /** Members with both web and mobile sessions in the simulator, other than Matt. */
  function members(): string[] {
    const roles = new Map(sim.users.map((u) => [u.id, u.role]));
    const byUser = new Map<string, Set<string>>();
    for (const s of sim.webApi.sessions.all()) byUser.set(s.userId, (byUser.get(s.userId) ?? new Set()).add(s.kind));
    return [...byUser].filter(([u, k]) => k.size === 2 && roles.get(u) === 'member' && u !== STORY.userId).map(([u]) => u);
  }

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 7, users: 40, days: 8, end: DEMO_END, now: () => DEMO_END + 600, rateLimit: false,
      webApi: { allowlist: { trusted_cidr: ['192.0.2.0/24'], trusted_asns: [64500] } },
    });
    fx = await demoStore({ backend });
    await addAccounts(fx.store);
    // Matt's scraping alert gets the demo's proposal (propose mode), as the demo's playbook makes it.
    const responses = ConfigSchema.parse({ responses: { rules: { 'scraping-suspected': { action: 'sign-out', scope: 'web' } } } }).responses;
    const alerts = (await fx.store.alertStore().list({ rule: ['scraping-suspected'] })).filter((a) => a.user_id === STORY.userId);
    mattAlert = alerts[0]!.id;
    await runPlaybooks(alerts, { config: responses, log: fx.store.actionLog(), reads: fx.store.responderReads(), admin: null });
    srv = await createServer({ store: fx.store, port: 0, log: () => {}, slackAdmin: { token: sim.tokens.adminWeb, baseUrl: sim.webApiBaseUrl } });
    responder = await login('responder');
    viewer = await login('viewer');
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
    await sim?.close();
  });

  describe('respond routes', () => {
    it('sign-out web only ends exactly the web sessions of the user, recorded done with the web actor', async () => {
      const u = members()[0]!;
      const others = [...sessionIds()].filter((id) => !sim.webApi.sessions.sessionsOf(u).some((s) => s.sessionId === id));
      const r = await call('POST', '/api/v1/respond/sign-out', responder, { user_ids: [u], scope: 'web', reason: 'api test' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, action: { action: 'sign-out', targets: [u], status: 'done', actor: 'web:responder', reason: 'api test' } });
      expect(r.body.action).not.toHaveProperty('hash');
      expect(kinds(u).length).toBeGreaterThan(0);
      expect(kinds(u).every((k) => k === 'mobile')).toBe(true);
      const now = sessionIds();
      expect(others.every((id) => now.has(id))).toBe(true);
    });

    it('dry run calls nothing and is recorded dry_run', async () => {
      const u = members()[1]!;
      const before = sim.stats.requests;
      const r = await call('POST', '/api/v1/respond/sign-out', responder, { user_ids: [u], scope: 'all', dry_run: true });
      expect(r.body).toMatchObject({ ok: true, action: { status: 'dry_run', targets: [u] } });
      expect(sim.stats.requests).toBe(before);
      expect(kinds(u)).toEqual(['mobile', 'web']);
    });

    it("Slack's error comes back as ok: false and is recorded failed with its code", async () => {
      const r = await call('POST', '/api/v1/respond/sign-out', responder, { user_ids: [SIM_BOT.id], scope: 'all' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: false, action: { status: 'failed', slack_error: 'cannot_reset_bot', targets: [SIM_BOT.id] } });
      expect(r.body.message).toMatch(/cannot_reset_bot/);
    });

    it('end-session ends that one session only', async () => {
      const u = members()[2]!;
      const [victim, ...rest] = sim.webApi.sessions.sessionsOf(u);
      const r = await call('POST', '/api/v1/respond/end-session', responder, { user_id: u, session_id: String(victim!.sessionId) });
      expect(r.body).toMatchObject({ ok: true, action: { action: 'end-session', targets: [u], status: 'done' } });
      expect(sim.webApi.sessions.sessionsOf(u).map((s) => s.sessionId)).toEqual(rest.map((s) => s.sessionId));
    });

    it("sessions: Slack's active sessions joined with what the store saw of each, and the audit log's sessions", async () => {
      const u = members()[3]!;
      const r = await call('GET', `/api/v1/respond/sessions/${u}`, responder);
      expect(r.status).toBe(200);
      expect(r.body.sessions.map((s: any) => s.session_id).sort()).toEqual(sim.webApi.sessions.sessionsOf(u).map((s) => String(s.sessionId)).sort());
      const joined = r.body.sessions.filter((s: any) => s.store);
      expect(joined.length).toBeGreaterThan(0);
      expect(joined[0].store).toMatchObject({ first_seen: expect.stringMatching(/^\d{4}-/), last_seen: expect.stringMatching(/^\d{4}-/), ips: expect.any(Array) });
      expect(joined[0].store.ips.length).toBeGreaterThan(0);
      expect(r.body.sessions[0]).toHaveProperty('device');
      expect(r.body.audit_sessions.length).toBeGreaterThan(0);
    });

    it('preflight: who the user is, when last seen, and that the server is configured', async () => {
      const r = await call('GET', `/api/v1/respond/preflight/${STORY.userId}?alert_id=${encodeURIComponent(mattAlert)}`, viewer);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ user_id: STORY.userId, user_name: STORY.name, email: STORY.email, configured: true, last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    });
  });

  describe('allowlist routes', () => {
    it("get shows Slack's list beside the local one", async () => {
      const r = await call('GET', '/api/v1/allowlist', responder);
      expect(r.body.slack).toEqual({ cidrs: ['192.0.2.0/24'], asns: [64500] });
      expect(r.body.local).toHaveProperty('trusted_cidrs');
    });

    it('preview shows the merged list and writes nothing; apply keeps every other entry', async () => {
      const body = { op: 'add', cidrs: ['198.51.100.7'], asns: [64501], to: 'slack' };
      const p = await call('POST', '/api/v1/allowlist/preview', responder, body);
      expect(p.body).toMatchObject({ errors: [], slack: { added: { cidrs: ['198.51.100.7/32'], asns: [64501] }, removed: { cidrs: [], asns: [] } } });
      expect(sim.webApi.allowlist.get()).toEqual({ trusted_cidr: ['192.0.2.0/24'], trusted_asns: [64500] });
      const a = await call('POST', '/api/v1/allowlist/apply', responder, body);
      expect(a.body).toMatchObject({ ok: true, concurrent_change: false });
      expect(a.body.actions.map((x: any) => [x.action, x.status, x.actor])).toEqual([['allowlist.add', 'done', 'web:responder']]);
      expect(sim.webApi.allowlist.get().trusted_cidr.sort()).toEqual(['192.0.2.0/24', '198.51.100.7/32']);
      expect(sim.webApi.allowlist.get().trusted_asns.sort()).toEqual([64500, 64501]);
      const rm = await call('POST', '/api/v1/allowlist/apply', responder, { op: 'remove', cidrs: ['198.51.100.7/32'], to: 'slack' });
      expect(rm.body.ok).toBe(true);
      expect(sim.webApi.allowlist.get()).toEqual({ trusted_cidr: ['192.0.2.0/24'], trusted_asns: [64500, 64501] });
    });

    it('preview reports an invalid entry (IPv6) and writes nothing', async () => {
      const p = await call('POST', '/api/v1/allowlist/preview', responder, { op: 'add', cidrs: ['2001:db8::/32'], to: 'slack' });
      expect(p.body.errors.join(' ')).toMatch(/IPv4/);
    });
  });

  describe('approve and the action log', () => {
    it("approve carries out the alert's proposal: approved, then done; a second approve is refused", async () => {
      const before = await call('GET', `/api/v1/alerts/${encodeURIComponent(mattAlert)}`, responder);
      expect(before.body.proposal).toMatchObject({ action: 'sign-out', scope: 'web', mode: 'propose', status: 'proposed' });
      const r = await call('POST', `/api/v1/alerts/${encodeURIComponent(mattAlert)}/approve`, responder);
      expect(r.body).toMatchObject({ ok: true, action: { status: 'done', targets: [STORY.userId], alert_id: mattAlert, actor: 'web:responder' } });
      expect(kinds(STORY.userId)).not.toContain('web');
      const after = await call('GET', `/api/v1/alerts/${encodeURIComponent(mattAlert)}`, responder);
      expect(after.body.proposal.status).toBe('done');
      expect(after.body.actions.map((x: any) => x.status)).toEqual(['done', 'approved', 'proposed']);
      expect((await call('POST', `/api/v1/alerts/${encodeURIComponent(mattAlert)}/approve`, responder)).status).toBe(409);
    });

    it('lists records newest first with filters and the total', async () => {
      const all = await call('GET', '/api/v1/action-log', viewer);
      expect(all.status).toBe(200);
      const ids = all.body.actions.map((x: any) => x.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(all.body.total).toBe(ids.length);
      expect(all.body.total).toBeGreaterThanOrEqual(9);
      const failed = await call('GET', '/api/v1/action-log?status=failed', viewer);
      expect(failed.body.actions.map((x: any) => x.slack_error)).toEqual(['cannot_reset_bot']);
      const matt = await call('GET', `/api/v1/action-log?user=${STORY.userId}`, viewer);
      expect(matt.body.actions.every((x: any) => x.targets.includes(STORY.userId))).toBe(true);
      expect(matt.body.total).toBe(3);
      const byAlert = await call('GET', `/api/v1/action-log?alert=${encodeURIComponent(mattAlert)}&action=sign-out`, viewer);
      expect(byAlert.body.total).toBe(3);
      const page = await call('GET', '/api/v1/action-log?limit=2&offset=1', viewer);
      expect([page.body.actions.map((x: any) => x.id), page.body.total]).toEqual([ids.slice(1, 3), ids.length]);
    });
  });

  describe('roles, CSRF and the token', () => {
    it('a viewer gets 403 on every write and on sessions and the allowlist, and nothing is called', async () => {
      const u = members()[4]!;
      const before = sim.stats.requests;
      const records = (await call('GET', '/api/v1/action-log', viewer)).body.total;
      const writes: Array<[string, string, unknown?]> = [
        ['POST', '/api/v1/respond/sign-out', { user_ids: [u], scope: 'all' }],
        ['POST', '/api/v1/respond/end-session', { user_id: u, session_id: String(sim.webApi.sessions.sessionsOf(u)[0]!.sessionId) }],
        ['POST', '/api/v1/allowlist/preview', { op: 'add', cidrs: ['203.0.113.0/24'], to: 'slack' }],
        ['POST', '/api/v1/allowlist/apply', { op: 'add', cidrs: ['203.0.113.0/24'], to: 'slack' }],
        ['POST', `/api/v1/alerts/${encodeURIComponent(mattAlert)}/approve`],
        ['GET', `/api/v1/respond/sessions/${u}`],
        ['GET', '/api/v1/allowlist'],
      ];
      for (const [m, p, b] of writes) expect((await call(m, p, viewer, b)).status, `${m} ${p}`).toBe(403);
      expect(sim.stats.requests).toBe(before);
      expect(kinds(u)).toEqual(['mobile', 'web']);
      expect((await call('GET', '/api/v1/action-log', viewer)).body.total).toBe(records);
    });

    it('a responder write without the CSRF token is refused and calls nothing', async () => {
      const u = members()[4]!;
      const r = await call('POST', '/api/v1/respond/sign-out', responder, { user_ids: [u], scope: 'all' }, null);
      expect([r.status, r.body.error.code]).toEqual([403, 'csrf']);
      const w = await call('POST', '/api/v1/respond/sign-out', responder, { user_ids: [u], scope: 'all' }, 'not-the-token');
      expect(w.status).toBe(403);
      expect(kinds(u)).toEqual(['mobile', 'web']);
    });

    it('no response body of this file carries the admin token', () => {
      expect(bodies.length).toBeGreaterThan(25);
      for (const b of bodies) expect(b.includes(sim.tokens.adminWeb)).toBe(false);
    });
  });
});
