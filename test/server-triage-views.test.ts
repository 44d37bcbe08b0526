/**
 * The analyst's views of issue #12 over a real server on loopback, a real store holding the demo organisation
 * (detection and incidents run) on each backend (SQLite, and PostgreSQL where it can run) and the project's simulator
 * as Slack: the histogram stacked by action category with anomalies, the alerts and incidents containing an event,
 * the IP page's network and Slack-allowlist answer, the rule's documentation on an alert, and exceptions from an alert
 * (preview for responders, written into the config file by admins only).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromYaml } from '../src/config/load.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { actionCategory } from '../src/server/volume-categories.ts';
import { startSimulator, STORY, type Simulator } from '../src/sim/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiCall, apiLogin, DEMO_END, demoStore, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

let sim: Simulator;

// One simulator (Slack) for both backends.
beforeAll(async () => {
  sim = await startSimulator({
    seed: 7, users: 40, days: 8, end: DEMO_END, now: () => DEMO_END + 600, rateLimit: false,
    webApi: { allowlist: { trusted_cidr: [`${STORY.homeIp}/32`], trusted_asns: [] } },
  });
}, 120_000);

afterAll(async () => {
  await sim?.close();
});

for (const backend of storeBackends('the triage views')) describe.skipIf(backend.skip)(`triage views on ${backend.name}`, () => {
  backend.setup();

  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  let configFile: string;
  type Session = { cookie: string; csrf: string };
  const as: Record<'viewer' | 'responder' | 'admin', Session> = {} as never;

  const call = (method: string, path: string, s: Session, body?: unknown) => apiCall(srv.url, method, path, s, body);
  const get = (path: string, s: Session = as.viewer) => call('GET', path, s);

  async function login(name: string): Promise<Session> {
    const r = await apiLogin(srv.url, name);
    return { cookie: r.cookie, csrf: r.csrf };
  }

  beforeAll(async () => {
    fx = await demoStore({ backend });
    await addAccounts(fx.store);
    configFile = join(fx.dir, 'gridwatch.yaml');
    writeFileSync(configFile, '# the analysts\' config\nallowlists:\n  trusted_cidrs: [198.51.100.0/24]\n');
    const config = configFromYaml(readFileSync(configFile, 'utf8'), configFile, fx.dir);
    srv = await createServer({ store: fx.store, port: 0, log: () => {}, config, slackAdmin: { token: sim.tokens.adminWeb, baseUrl: sim.webApiBaseUrl } });
    for (const role of ['viewer', 'responder', 'admin'] as const) as[role] = await login(role);
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
  });

  describe('histogram by action category', () => {
    it('splits every bucket by category exactly, from the rollup and from the events, and marks the anomalies', async () => {
      const expectCategories = (vol: any, keep: (e: Record<string, unknown>) => boolean) => {
        const perCat = new Map<string, number>();
        let anomalies = 0;
        for (const { event: e } of fx.org.events) {
          const ts = e.date_create as number;
          if (ts < vol.since || ts > vol.until || !keep(e)) continue;
          const c = actionCategory(e.action as string);
          perCat.set(c, (perCat.get(c) ?? 0) + 1);
          if (e.action === 'anomaly') anomalies++;
        }
        const got = new Map(vol.categories.map((c: any) => [c.category, c.n.reduce((a: number, b: number) => a + b, 0)]));
        expect(got).toEqual(perCat);
        expect(vol.anomalies.reduce((a: number, b: number) => a + b, 0)).toBe(anomalies);
        expect(anomalies).toBeGreaterThan(0);
        // Each bucket's rows sum to its total.
        vol.n.forEach((n: number, i: number) => expect(vol.categories.reduce((s: number, c: any) => s + c.n[i], 0)).toBe(n));
      };
      const all = (await get('/api/v1/stats/volume')).body;
      expect(all.source).toBe('rollup');
      expectCategories(all, () => true);
      // Unaligned ends: whole hours from the rollup plus the partial hours from the events.
      const part = (await get(`/api/v1/stats/volume?since=${DEMO_END - 3 * 86400 + 1234}&until=${DEMO_END - 86400 - 777}`)).body;
      expectCategories(part, () => true);
      const matt = (await get(`/api/v1/stats/volume?actor=${STORY.userId}`)).body;
      expect(matt.source).toBe('events');
      expectCategories(matt, (e) => (e.actor as any)?.user?.id === STORY.userId);
    });
  });

  describe('the event panel', () => {
    it('lists every alert holding the event, with the incident of each', async () => {
      const alerts = await fx.store.alertStore().list({ user: STORY.userId });
      expect(alerts.length).toBeGreaterThan(1);
      const a = alerts[0]!;
      const eventId = a.event_ids[a.event_ids.length - 1]!;
      const r = await get(`/api/v1/events/${encodeURIComponent(eventId)}`);
      expect(r.status).toBe(200);
      const expected = (await fx.store.alertStore().list()).filter((x) => x.event_ids.includes(eventId));
      expect(r.body.alerts.map((x: any) => x.id).sort()).toEqual(expected.map((x) => x.id).sort());
      const [inc] = await fx.store.incidentStore().forAlerts([a.id]);
      expect(inc).toBeDefined();
      expect(r.body.alerts.find((x: any) => x.id === a.id)).toEqual({ id: a.id, rule: a.rule, title: a.title, severity: a.severity, status: a.status, incident_id: inc!.id });
      // An event no alert holds lists none.
      const quiet = fx.org.events.find((e) => !expected.length || e.event.action === 'user_logout')!;
      const q = await get(`/api/v1/events/${encodeURIComponent(quiet.event.id as string)}`);
      const holding = (await fx.store.alertStore().list()).filter((x) => x.event_ids.includes(quiet.event.id as string));
      expect(q.body.alerts.length).toBe(holding.length);
    });
  });

  describe('the IP page', () => {
    it("names the network block of a public address", async () => {
      const { buildEnv } = await import('../src/detect/env.ts');
      const { defaultConfig } = await import('../src/config/load.ts');
      expect(buildEnv(defaultConfig()).networkOf('1.1.1.1')).toBe('1.1.1.0/24');
      expect(buildEnv(defaultConfig()).networkOf('203.0.113.77')).toBeNull();
    });

    it("asks Slack's allowlist for responders, and says unknown to viewers", async () => {
      const viewer = await get(`/api/v1/ips/${STORY.homeIp}`);
      expect(viewer.status).toBe(200);
      expect(viewer.body.slack_allowlist.state).toBe('unknown');
      expect(viewer.body.slack_allowlist.why).toMatch(/responder/);
      expect(viewer.body.network).toBeNull();
      const resp = await get(`/api/v1/ips/${STORY.homeIp}`, as.responder);
      expect(resp.body.slack_allowlist).toEqual({ state: 'trusted', match: `${STORY.homeIp}/32`, why: null });
      const other = fx.org.events.map((e) => (e.event.context as any)?.ip_address as string | undefined).find((ip) => ip && ip !== STORY.homeIp)!;
      expect((await get(`/api/v1/ips/${other}`, as.responder)).body.slack_allowlist.state).toBe('not_trusted');
    });
  });

  describe('rules and exceptions on an alert', () => {
    let alert: any;
    beforeAll(async () => {
      alert = (await fx.store.alertStore().list({ user: STORY.userId }))[0];
    });

    it("carries the rule's documentation", async () => {
      const r = await get(`/api/v1/alerts/${alert.id}`);
      expect(r.status).toBe(200);
      expect(Object.keys(r.body.rule).sort()).toEqual(['description', 'false_positives', 'references', 'runbook', 'tags', 'title']);
      expect(r.body.rule.title.length).toBeGreaterThan(0);
      expect(r.body.rule.tags.some((t: string) => /^attack\.t\d{4}/.test(t))).toBe(true);
    });

    it('previews for responders: an exception for the user suppresses every alert of the rule for that user', async () => {
      const body = { kind: 'user', value: STORY.userId, reason: 'api test' };
      expect((await call('POST', `/api/v1/alerts/${alert.id}/exception/preview`, as.viewer, body)).status).toBe(403);
      const r = await call('POST', `/api/v1/alerts/${alert.id}/exception/preview`, as.responder, body);
      expect(r.status).toBe(200);
      const ofRule = await fx.store.alertStore().list({ rule: [alert.rule] });
      expect(r.body.total).toBe(ofRule.length);
      expect(r.body.would_suppress).toBe(ofRule.filter((a) => a.user_id === STORY.userId).length);
      expect(r.body.would_suppress).toBeGreaterThan(0);
      const nobody = await call('POST', `/api/v1/alerts/${alert.id}/exception/preview`, as.responder, { ...body, value: 'W0NOBODY00' });
      expect(nobody.body.would_suppress).toBe(0);
      const bad = await call('POST', `/api/v1/alerts/${alert.id}/exception/preview`, as.responder, { kind: 'ip', value: 'not-an-ip', reason: 'x' });
      expect([bad.status, bad.body.error.param]).toEqual([400, 'value']);
    });

    it('writes it into the config file with the account as author, admins only', async () => {
      const body = { kind: 'user', value: STORY.userId, reason: 'known travel', expires: '30d' };
      const before = readFileSync(configFile, 'utf8');
      expect((await call('POST', `/api/v1/alerts/${alert.id}/exception`, as.responder, body)).status).toBe(403);
      expect(readFileSync(configFile, 'utf8')).toBe(before);
      const r = await call('POST', `/api/v1/alerts/${alert.id}/exception`, as.admin, body);
      expect(r.status).toBe(200);
      const after = configFromYaml(readFileSync(configFile, 'utf8'), configFile, fx.dir);
      const [e] = after.rules.overrides[alert.rule]!.exceptions;
      expect(e).toMatchObject({ user: STORY.userId, reason: 'known travel', author: 'web:admin' });
      expect(Date.parse(e!.expires!) / 1000).toBeGreaterThan(Date.now() / 1000 + 29 * 86400);
      expect(readFileSync(configFile, 'utf8')).toContain("# the analysts' config");
    });
  });
});
