/**
 * The alert endpoints over a real server on loopback and a real store holding the demo organisation with detection
 * run, on each backend (SQLite, and PostgreSQL where it can run): the list is paged and says how many match, the
 * filters' choices come from a count query, and an alert shows every responder's status change and note, not just the
 * last.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RunningServer } from '../src/server/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiCall, apiLogin, demoStore, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends('the alert API')) describe.skipIf(backend.skip)(`alert API on ${backend.name}`, () => {
  backend.setup();

  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  let now = Date.parse('2026-01-15T09:00:00Z');

  interface Session {
    cookie: string;
    csrf: string;
  }

  const call = (method: string, path: string, s: Session, body?: unknown) => apiCall(srv.url, method, path, s, body);

  async function login(name: string): Promise<Session> {
    const r = await apiLogin(srv.url, name);
    expect(r.status).toBe(200);
    return { cookie: r.cookie, csrf: r.csrf };
  }

  let viewer: Session;

  /** Rows from the store, to check the API's counts against (PostgreSQL gives count(*) as text: made a number). */
  const rows = async (q: string, ...args: unknown[]) =>
    (await backend.exec(fx.store, q, args)).map((r) => Object.fromEntries(Object.entries(r as object).map(([k, v]) => [k, /^(n|count)$/.test(k) ? Number(v) : v])));
  /** One number from the store. */
  const sql = async (q: string, ...args: unknown[]) => (await rows(q, ...args))[0]!.n as number;

  beforeAll(async () => {
    fx = await demoStore({ users: 20, days: 3, backend });
    await addAccounts(fx.store);
    srv = await createServer({ store: fx.store, port: 0, log: () => {}, clock: { now: () => now } });
    viewer = await login('viewer');
  });

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
  });

  describe('alert list', () => {
    it('pages with limit and offset and gives the total', async () => {
      const all = await call('GET', '/api/v1/alerts', viewer);
      const total = all.body.total as number;
      expect(total).toBe(await sql('SELECT count(*) AS n FROM alerts'));
      expect(total).toBeGreaterThan(3);
      expect(all.body).toMatchObject({ offset: 0, limit: 500 });
      const ids = all.body.alerts.map((a: { id: string }) => a.id);
      const page2 = await call('GET', '/api/v1/alerts?limit=2&offset=2', viewer);
      expect(page2.body).toMatchObject({ total, offset: 2, limit: 2 });
      expect(page2.body.alerts.map((a: { id: string }) => a.id)).toEqual(ids.slice(2, 4));
      const past = await call('GET', `/api/v1/alerts?limit=2&offset=${total}`, viewer);
      expect(past.body).toMatchObject({ alerts: [], total });
      // The total counts the filters, not the page.
      const open = await call('GET', '/api/v1/alerts?status=open&limit=1', viewer);
      expect(open.body.total).toBe(await sql("SELECT count(*) AS n FROM alerts WHERE status = 'open'"));
      for (const [q, param] of [['limit=5000', 'limit'], ['offset=-1', 'offset'], ['offset=x', 'offset']]) {
        const bad = await call('GET', `/api/v1/alerts?${q}`, viewer);
        expect(bad.status, q).toBe(400);
        expect(bad.body.error.param).toBe(param);
      }
    });

    it('counts alerts per rule, status, severity and user for the filters', async () => {
      const f = await call('GET', '/api/v1/alerts/facets', viewer);
      expect(f.status).toBe(200);
      const byRule = (await rows('SELECT rule AS name, count(*) AS count FROM alerts GROUP BY rule ORDER BY count DESC, rule')) as Array<{ name: string; count: number }>;
      expect(f.body.rules).toEqual(byRule);
      expect(f.body.available).toBe(true);
      expect(f.body.total).toBe(byRule.reduce((n, r) => n + r.count, 0));
      expect(f.body.severities.reduce((n: number, r: any) => n + r.count, 0)).toBe(f.body.total);
      expect(f.body.statuses.reduce((n: number, r: any) => n + r.count, 0)).toBe(f.body.total);
      const top = f.body.users[0];
      expect(top.count).toBe(await sql('SELECT count(*) AS n FROM alerts WHERE user_id = ?', top.id));
      // A rule filter narrows the other dimensions but leaves every rule listed with its count.
      const rule = byRule[0]!.name;
      const one = await call('GET', `/api/v1/alerts/facets?rule=${encodeURIComponent(rule)}`, viewer);
      expect(one.body.rules).toEqual(byRule);
      expect(one.body.total).toBe(byRule[0]!.count);
      expect(one.body.severities.reduce((n: number, r: any) => n + r.count, 0)).toBe(byRule[0]!.count);
      expect((await call('GET', '/api/v1/alerts/facets?limit=5', viewer)).status).toBe(400);
      expect((await call('GET', '/api/v1/alerts/facets?status=closed', viewer)).status).toBe(400);
    });
  });

  describe('alert status history', () => {
    it("keeps the first responder's note when a second one changes the status, with who and when", async () => {
      const id = (await call('GET', '/api/v1/alerts?limit=1', viewer)).body.alerts[0].id as string;
      expect((await call('GET', `/api/v1/alerts/${id}`, viewer)).body.history).toEqual([]);
      const responder = await login('responder');
      const admin = await login('admin');
      expect((await call('POST', `/api/v1/alerts/${id}/status`, responder, { status: 'acknowledged', note: 'calling the user' })).status).toBe(200);
      now += 3600_000;
      expect((await call('POST', `/api/v1/alerts/${id}/status`, admin, { status: 'resolved', note: 'sessions reset' })).status).toBe(200);
      const one = await call('GET', `/api/v1/alerts/${id}`, viewer);
      expect(one.body.alert).toMatchObject({ status: 'resolved', status_note: 'sessions reset', status_by: 'admin' });
      expect(one.body.history).toEqual([
        { status: 'acknowledged', note: 'calling the user', by: 'responder', at: '2026-01-15T09:00:00.000Z' },
        { status: 'resolved', note: 'sessions reset', by: 'admin', at: '2026-01-15T10:00:00.000Z' },
      ]);
    });
  });
});
