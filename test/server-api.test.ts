/**
 * The HTTP API over a real server on loopback and a real store holding the demo organisation, on each backend (SQLite,
 * and PostgreSQL where it can run): filters, cursor pagination, errors (400 naming the parameter, 404, no stack
 * traces), and the data endpoints. Auth, CSRF and roles are in server-auth.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { STORY } from '../src/sim/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiLogin, DEMO_END, demoStore, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends('the HTTP API')) describe.skipIf(backend.skip)(`HTTP API on ${backend.name}`, () => {
  backend.setup();

  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  let cookie = '';

  async function get(path: string): Promise<{ status: number; body: any; headers: Headers }> {
    const r = await fetch(srv.url + path, { headers: { cookie } });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
  }

  beforeAll(async () => {
    fx = await demoStore({ backend });
    await addAccounts(fx.store, ['viewer']);
    srv = await createServer({ store: fx.store, port: 0, log: () => {} });
    const r = await apiLogin(srv.url, 'viewer');
    expect(r.status).toBe(200);
    cookie = r.cookie;
  });

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
  });

  describe('events', () => {
    it('lists newest first with the filters of the CLI', async () => {
      const r = await get(`/api/v1/events?action=file_downloaded&actor=${STORY.userId}&limit=500`);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      const evs = r.body.events as Array<{ ts: number; action: string; actor: { id: string }; entity: { name: string } }>;
      expect(evs.length).toBeGreaterThanOrEqual(STORY.downloadCount);
      expect(evs.every((e) => e.action === 'file_downloaded' && e.actor.id === STORY.userId)).toBe(true);
      expect(evs.map((e) => e.ts)).toEqual([...evs.map((e) => e.ts)].sort((a, b) => b - a));
      expect(evs.some((e) => e.entity.name === STORY.fileName)).toBe(true);
    });

    it('accepts an actor email, repeated and comma-separated actions, ip, session, reason and time range', async () => {
      const byEmail = await get(`/api/v1/events?actor=${encodeURIComponent(STORY.email)}&action=file_downloaded&limit=5`);
      expect(byEmail.body.events.every((e: any) => e.actor.id === STORY.userId)).toBe(true);
      const two = await get('/api/v1/events?action=anomaly&action=user_login,user_logout&limit=1000');
      expect(new Set(two.body.events.map((e: any) => e.action))).toEqual(new Set(['anomaly', 'user_login', 'user_logout']));
      const ip = await get(`/api/v1/events?ip=${STORY.homeIp}&session=${STORY.sessionId}&limit=1000`);
      expect(ip.body.events.length).toBeGreaterThan(0);
      expect(ip.body.events.every((e: any) => e.ip === STORY.homeIp && e.session_id === String(STORY.sessionId))).toBe(true);
      const reason = await get('/api/v1/events?reason=unexpected_scraping');
      expect(reason.body.events.length).toBeGreaterThan(0);
      expect(reason.body.events.every((e: any) => e.reasons.includes('unexpected_scraping'))).toBe(true);
      const since = DEMO_END - 3 * 3600;
      const ranged = await get(`/api/v1/events?since=${since}&until=2026-01-14T22:00:00Z&limit=1000`);
      expect(ranged.body.events.every((e: any) => e.ts >= since && e.ts <= Date.parse('2026-01-14T22:00:00Z') / 1000)).toBe(true);
    });

    it('pages with the keyset cursor without gaps or repeats', async () => {
      const all = await get('/api/v1/events?action=file_downloaded&limit=1000');
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await get(`/api/v1/events?action=file_downloaded&limit=137${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...r.body.events.map((e: any) => e.id));
        cursor = r.body.next;
        pages++;
      } while (cursor && pages < 200);
      expect(pages).toBeGreaterThan(3);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.slice(0, 1000)).toEqual(all.body.events.map((e: any) => e.id));
    });

    it('searches free text within its time budget and continues from its cursor', async () => {
      const r = await get('/api/v1/events?q=GLENGARRY-leads');
      expect(r.body.events.map((e: any) => e.entity.name)).toEqual([STORY.fileName]);
      const paged = await get('/api/v1/events?q=scrapers%20inc&limit=10');
      expect(paged.body.events).toHaveLength(10);
      const next = await get(`/api/v1/events?q=scrapers%20inc&limit=10&cursor=${paged.body.next}`);
      expect(next.body.events[0].ts).toBeLessThanOrEqual(paged.body.events[9].ts);
      expect(next.body.events.map((e: any) => e.id)).not.toContain(paged.body.events[9].id);
    });

    it('returns one event with its exact raw text, and 404 for an unknown id', async () => {
      const list = await get(`/api/v1/events?q=${STORY.fileName}`);
      const id = list.body.events[0].id;
      const r = await get(`/api/v1/events/${id}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.raw).entity.file.name).toBe(STORY.fileName);
      expect(fx.org.events.find((e) => e.event.id === id)?.raw).toBe(r.body.raw);
      const missing = await get('/api/v1/events/no-such-event');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
    });

    it('answers 400 naming the parameter, never a stack trace', async () => {
      const cases: Array<[string, string]> = [
        ['/api/v1/events?limit=0', 'limit'],
        ['/api/v1/events?limit=abc', 'limit'],
        ['/api/v1/events?since=yesterday', 'since'],
        ['/api/v1/events?cursor=garbage', 'cursor'],
        ['/api/v1/events?acton=file_downloaded', 'acton'],
        ['/api/v1/events?action=bad%20name', 'action'],
        ['/api/v1/events?actor=a&actor=b', 'actor'],
        ['/api/v1/events?since=2026-01-14&until=2026-01-01', 'until'],
        ['/api/v1/stats/volume?buckets=5', 'buckets'],
        ['/api/v1/alerts?status=closed', 'status'],
        ['/api/v1/alerts?severity=urgent', 'severity'],
        ['/api/v1/ips/not-an-ip', 'ip'],
        ['/api/v1/actions?x=1', 'x'],
      ];
      for (const [path, param] of cases) {
        const r = await get(path);
        expect(r.status, path).toBe(400);
        expect(r.body.error.param, path).toBe(param);
        expect(r.body.error.message, path).toContain(`"${param}"`);
        expect(JSON.stringify(r.body), path).not.toMatch(/\n\s+at |node_modules|\.ts:\d/);
      }
      const unknown = await get('/api/v1/nothing-here');
      expect(unknown.status).toBe(404);
    });
  });

  describe('statistics and catalogue', () => {
    it('counts volume exactly, from the rollup over long ranges and from events when filtered', async () => {
      const total = fx.org.events.length;
      const all = await get('/api/v1/stats/volume');
      expect(all.body.source).toBe('rollup');
      expect(all.body.total).toBe(total);
      expect(all.body.t.length).toBe(all.body.n.length);
      // An unaligned range: whole hours from the rollup, the partial hours at both ends from the events.
      const since = DEMO_END - 5 * 86400 + 1234;
      const until = DEMO_END - 86400 - 777;
      const expected = fx.org.events.filter((e) => (e.event.date_create as number) >= since && (e.event.date_create as number) <= until).length;
      const part = await get(`/api/v1/stats/volume?since=${since}&until=${until}`);
      expect(part.body.total).toBe(expected);
      const downloads = fx.org.events.filter((e) => e.event.action === 'file_downloaded').length;
      expect((await get('/api/v1/stats/volume?action=file_downloaded')).body.total).toBe(downloads);
      const matt = await get(`/api/v1/stats/volume?actor=${STORY.userId}&action=file_downloaded`);
      expect(matt.body.source).toBe('events');
      expect(matt.body.total).toBe(fx.org.events.filter((e) => e.event.action === 'file_downloaded' && (e.event.actor as any)?.user?.id === STORY.userId).length);
      expect((await get('/api/v1/stats/volume?q=x')).body.text_ignored).toBe(true);
    });

    it('gives the action catalogue by category with stored counts, and the anomaly reasons seen', async () => {
      const r = await get('/api/v1/actions');
      const user = r.body.categories.find((c: any) => c.category === 'user');
      expect(user.actions.find((a: any) => a.name === 'user_login').count).toBeGreaterThan(0);
      const file = r.body.categories.flatMap((c: any) => c.actions).find((a: any) => a.name === 'file_downloaded');
      expect(file.count).toBe(fx.org.events.filter((e) => e.event.action === 'file_downloaded').length);
      const reasons = await get('/api/v1/reasons');
      expect(reasons.body.reasons.map((x: any) => x.name)).toContain('excessive_downloads');
    });
  });

  describe('alerts, users and IPs', () => {
    it("lists alerts with filters and shows one with its context (Matt's scraping)", async () => {
      const list = await get(`/api/v1/alerts?user=${STORY.userId}&severity=high,critical&status=open`);
      expect(list.body.available).toBe(true);
      const scraping = list.body.alerts.find((a: any) => a.rule === 'scraping-suspected');
      expect(scraping).toBeTruthy();
      expect(scraping.context).toBeUndefined();
      expect(list.body.alerts.every((a: any) => a.user_id === STORY.userId && ['high', 'critical'].includes(a.severity))).toBe(true);
      const one = await get(`/api/v1/alerts/${scraping.id}`);
      expect(one.body.alert.context.downloads.files.map((f: any) => f.file_name)).toContain(STORY.fileName);
      expect(one.body.alert.context.user_agents.find((u: any) => u.ua === STORY.scraperUa)).toMatchObject({ expected: false, new_for_user: true });
      const anomaly = one.body.events.find((e: any) => e.action === 'anomaly');
      expect(anomaly.highlight).toEqual(expect.arrayContaining(['action', 'details.reason', 'context.ua']));
      const seen = await get(`/api/v1/events/${anomaly.id}?alert=${scraping.id}`);
      expect(seen.body.highlight).toContain('context.ua');
      expect((await get('/api/v1/alerts/al_nope')).status).toBe(404);
      expect((await get(`/api/v1/events/${anomaly.id}?alert=al_nope`)).status).toBe(404);
    });

    it("summarises a user: IPs, user agents, daily counts against the baseline, files", async () => {
      const r = await get(`/api/v1/users/${STORY.userId}`);
      expect(r.status).toBe(200);
      expect(r.body.user.name).toBe(STORY.name);
      expect(r.body.ips.map((i: any) => i.ip)).toContain(STORY.homeIp);
      const scraper = r.body.user_agents.find((u: any) => u.ua === STORY.scraperUa);
      expect(scraper.expected).toBe(false);
      const d = r.body.daily;
      const last = d.days.length - 1;
      expect(d.days[last]).toBe('2026-01-14');
      expect(d.excessive_downloads[last]).toBe(STORY.excessiveDownloadsToday);
      expect(d.baseline.excessive_downloads.max[last]).toBeLessThanOrEqual(1);
      expect(d.file_downloaded[last]).toBeGreaterThanOrEqual(STORY.downloadCount);
      expect(r.body.files.map((f: any) => f.name)).toContain(STORY.fileName);
      expect(r.body.alerts.length).toBeGreaterThan(0);
      const tl = await get(`/api/v1/users/${STORY.userId}/timeline`);
      expect(tl.body.n.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
      expect(tl.body.anomalies.length).toBeGreaterThanOrEqual(6);
      const search = await get('/api/v1/users?q=levene');
      expect(search.body.users[0].id).toBe(STORY.userId);
      expect((await get('/api/v1/users/W0NOBODY')).status).toBe(404);
    });

    it('summarises an IP: users, when, trusted or not', async () => {
      const r = await get(`/api/v1/ips/${STORY.homeIp}`);
      expect(r.body.trusted.trusted).toBe(false);
      expect(r.body.users.find((u: any) => u.id === STORY.userId).count).toBeGreaterThan(STORY.downloadCount);
      expect((await get('/api/v1/ips/192.0.2.254')).status).toBe(404);
    });
  });
});
