/**
 * The incident endpoints over a real server on loopback and a real store holding the demo organisation with detection
 * run (which groups the alerts into incidents), on each backend (SQLite, and PostgreSQL where it can run): listing and
 * paging, one incident in full, assignment, comments, status (one and many) reaching the alerts, and viewers refused
 * every write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { severityRank } from '../src/config/schema.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiCall, apiLogin, demoStore, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends('the incident API')) describe.skipIf(backend.skip)(`incident API on ${backend.name}`, () => {
  backend.setup();

  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  const now = Date.parse('2026-01-15T09:00:00Z');

  interface Session {
    cookie: string;
    csrf: string;
  }

  const call = (method: string, path: string, s: Session, body?: unknown, csrf = true) => apiCall(srv.url, method, path, s, body, csrf ? s.csrf : null);

  async function login(name: string): Promise<Session> {
    const r = await apiLogin(srv.url, name);
    expect(r.status).toBe(200);
    return { cookie: r.cookie, csrf: r.csrf };
  }

  let viewer: Session;
  let responder: Session;

  beforeAll(async () => {
    fx = await demoStore({ users: 20, days: 3, backend });
    await addAccounts(fx.store);
    srv = await createServer({ store: fx.store, port: 0, log: () => {}, clock: { now: () => now } });
    viewer = await login('viewer');
    responder = await login('responder');
  });

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
  });

  describe('incident list', () => {
    it('lists every alert in exactly one incident, newest activity first and the most severe first among equals, paged with the total', async () => {
      const all = await call('GET', '/api/v1/incidents?limit=500', viewer);
      expect(all.status).toBe(200);
      const list = all.body.incidents as Array<{ id: string; last_seen: string; severity: string; alert_ids: string[] }>;
      expect(all.body.total).toBe(list.length);
      expect(list.length).toBeGreaterThan(1);
      const alertCount = Number(((await backend.exec(fx.store, 'SELECT count(*) AS n FROM alerts'))[0] as { n: number | string }).n);
      const grouped = list.flatMap((i) => i.alert_ids);
      expect(new Set(grouped).size).toBe(grouped.length);
      expect(grouped.length).toBe(alertCount);
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1]!, list[i]!];
        expect(a.last_seen >= b.last_seen).toBe(true);
        if (a.last_seen === b.last_seen) expect(severityRank(a.severity)).toBeGreaterThanOrEqual(severityRank(b.severity));
      }
      const page = await call('GET', '/api/v1/incidents?limit=1&offset=1', viewer);
      expect(page.body).toMatchObject({ total: list.length, offset: 1, limit: 1 });
      expect(page.body.incidents.map((i: { id: string }) => i.id)).toEqual([list[1]!.id]);
      expect((await call('GET', '/api/v1/incidents?status=closed', viewer)).body.error.param).toBe('status');
    });

    it('shows one incident with its alerts, comments and history; 404 for an unknown id', async () => {
      const [first] = (await call('GET', '/api/v1/incidents', viewer)).body.incidents;
      const one = await call('GET', `/api/v1/incidents/${first.id}`, viewer);
      expect(one.status).toBe(200);
      expect(one.body.incident).toEqual(first);
      expect(one.body.alerts.map((a: { id: string }) => a.id)).toEqual(first.alert_ids);
      expect(one.body).toMatchObject({ comments: [], history: [] });
      expect((await call('GET', '/api/v1/incidents/in_nope', viewer)).status).toBe(404);
    });
  });

  describe('incident writes', () => {
    it('viewers get 403 on every write; a write without the CSRF token is refused', async () => {
      const [first] = (await call('GET', '/api/v1/incidents', viewer)).body.incidents;
      for (const [path, body] of [
        [`/api/v1/incidents/${first.id}/status`, { status: 'resolved' }],
        [`/api/v1/incidents/${first.id}/assign`, { assignee: 'viewer' }],
        [`/api/v1/incidents/${first.id}/comments`, { text: 'hi' }],
        ['/api/v1/incidents/status', { ids: [first.id], status: 'resolved' }],
      ] as const) {
        expect((await call('POST', path, viewer, body)).status, path).toBe(403);
      }
      expect((await call('POST', `/api/v1/incidents/${first.id}/comments`, responder, { text: 'hi' }, false)).status).toBe(403);
      expect((await call('GET', `/api/v1/incidents/${first.id}`, viewer)).body.comments).toEqual([]);
    });

    it('assigns to an existing account, comments, and sets the status on the incident and its alerts', async () => {
      const [first] = (await call('GET', '/api/v1/incidents', responder)).body.incidents;
      const bad = await call('POST', `/api/v1/incidents/${first.id}/assign`, responder, { assignee: 'nobody' });
      expect([bad.status, bad.body.error.param]).toEqual([400, 'assignee']);
      const assigned = await call('POST', `/api/v1/incidents/${first.id}/assign`, responder, { assignee: 'Responder' });
      expect(assigned.body.incident.assignee).toBe('responder');
      const c = await call('POST', `/api/v1/incidents/${first.id}/comments`, responder, { text: 'calling the user' });
      expect(c.status).toBe(201);
      expect(c.body.comment).toMatchObject({ author: 'responder', text: 'calling the user', at: new Date(now).toISOString() });
      const s = await call('POST', `/api/v1/incidents/${first.id}/status`, responder, { status: 'acknowledged', note: 'on it' });
      expect(s.body.incident.status).toBe('acknowledged');
      const one = (await call('GET', `/api/v1/incidents/${first.id}`, viewer)).body;
      expect(one.alerts.every((a: { status: string; status_by: string }) => a.status === 'acknowledged' && a.status_by === 'responder')).toBe(true);
      expect(one.comments.map((x: { text: string }) => x.text)).toEqual(['calling the user']);
      expect(one.history.map((h: { field: string; value: string }) => [h.field, h.value])).toEqual([['assignee', 'responder'], ['status', 'acknowledged']]);
      const alert = (await call('GET', `/api/v1/alerts/${first.alert_ids[0]}`, viewer)).body;
      expect(alert.history.at(-1)).toMatchObject({ status: 'acknowledged', note: 'on it', by: 'responder' });
    });

    it('sets many incidents\' status at once and names the unknown ids', async () => {
      const list = (await call('GET', '/api/v1/incidents?status=open&limit=2', responder)).body.incidents as Array<{ id: string }>;
      expect(list).toHaveLength(2);
      const r = await call('POST', '/api/v1/incidents/status', responder, { ids: [...list.map((i) => i.id), 'in_nope'], status: 'resolved', note: 'bulk' });
      expect(r.status).toBe(200);
      expect(r.body.incidents.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual(list.map((i) => [i.id, 'resolved']));
      expect(r.body.missing).toEqual(['in_nope']);
      const resolved = (await call('GET', '/api/v1/incidents?status=resolved&limit=500', viewer)).body.incidents.map((i: { id: string }) => i.id);
      expect(resolved).toEqual(expect.arrayContaining(list.map((i) => i.id)));
      expect((await call('POST', '/api/v1/incidents/status', responder, { ids: [], status: 'resolved' })).body.error.param).toBe('ids');
    });
  });
});
