/**
 * No parameter of a read route may cost more than a bounded amount of memory and time: huge or absurd ranges are
 * refused (400 naming the parameter) or cut to the stored data, histograms keep to their bucket count, and every list
 * stops at its cap and says more exist. Over a real server on loopback and a real store on each backend (SQLite, and
 * PostgreSQL where it can run): the demo organisation plus a "flood" user and address with more IPs, clients, files,
 * anomalies and users than any cap.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestStream } from '../src/ingest/index.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { MAX_LIST, MAX_USER_MARKS, MAX_USER_RANGE_DAYS } from '../src/server/limits.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiLogin, DEMO_END, demoStore, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

const FLOOD = { id: 'W0FLOOD001', name: 'Flood Test', email: 'flood@acme.example', team: 'T0ACMESAL1' };
const SHARED_IP = '198.51.100.10';
const MANY = MAX_LIST + 100;
/** The flood user's first event: more than the longest user-page range before the demo's end. */
const FLOOD_FIRST = DEMO_END - 400 * 86400;

/** A Slack audit event as the collector stores it. */
function raw(id: string, ts: number, action: string, actor: typeof FLOOD, extra: { entity?: object; ip: string; ua: string; details?: object }): string {
  return JSON.stringify({
    id,
    date_create: ts,
    action,
    actor: { type: 'user', user: actor },
    entity: extra.entity ?? { type: 'user', user: actor },
    context: { ua: extra.ua, session_id: 42, ip_address: extra.ip },
    ...(extra.details ? { details: extra.details } : {}),
  });
}

/** More of everything than the caps: IPs, clients and files for one user, users and clients for one address. */
function floodEvents(): string[] {
  const lines = [raw('flood-first', FLOOD_FIRST, 'user_login', FLOOD, { ip: '10.9.0.1', ua: 'FloodAgent/0' })];
  for (let i = 0; i < MANY; i++) {
    const ts = DEMO_END - 86400 - i * 60;
    const file = { type: 'file', file: { id: `F0FLOOD${i}`, name: `flood-${i}.txt` } };
    lines.push(raw(`flood-dl-${i}`, ts, 'file_downloaded', FLOOD, { entity: file, ip: `10.9.${i >> 8}.${i & 255}`, ua: `FloodAgent/${i}` }));
    const other = { id: `W0SHARE${i}`, name: `Shared ${i}`, email: `shared${i}@acme.example`, team: FLOOD.team };
    lines.push(raw(`flood-ip-${i}`, ts, 'user_login', other, { ip: SHARED_IP, ua: `SharedAgent/${i}` }));
  }
  for (let i = 0; i < MAX_USER_MARKS + 10; i++) {
    lines.push(raw(`flood-an-${i}`, DEMO_END - 7200 - i, 'anomaly', FLOOD, { ip: '10.9.0.1', ua: 'FloodAgent/0', details: { reason: ['excessive_downloads'] } }));
  }
  return lines;
}

for (const backend of storeBackends('the API bounds')) describe.skipIf(backend.skip)(`API bounds on ${backend.name}`, () => {
  backend.setup();

  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  let cookie = '';
  let stored = 0;

  async function get(path: string): Promise<{ status: number; body: any; size: number; ms: number }> {
    const t0 = performance.now();
    const r = await fetch(srv.url + path, { headers: { cookie } });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, size: text.length, ms: performance.now() - t0 };
  }

  beforeAll(async () => {
    fx = await demoStore({ detect: false, backend });
    const lines = floodEvents();
    await ingestStream(Readable.from([Buffer.from(lines.join('\n') + '\n')]), 'flood', { store: fx.store });
    stored = fx.org.events.length + lines.length;
    await addAccounts(fx.store, ['viewer']);
    // "Now" is the demo's end, so ranges cut at now are the same on every run.
    srv = await createServer({ store: fx.store, port: 0, log: () => {}, clock: { now: () => DEMO_END * 1000 } });
    const r = await apiLogin(srv.url, 'viewer');
    expect(r.status).toBe(200);
    cookie = r.cookie;
  }, 60_000);

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
  });

  describe('time parameters', () => {
    it('refuses durations reaching back more than 100 years, naming the parameter', async () => {
      for (const path of ['/api/v1/stats/volume?since=1000000000w', '/api/v1/events?until=36501d', `/api/v1/users/${FLOOD.id}?since=99999999999999999999h`]) {
        const r = await get(path);
        expect(r.status, path).toBe(400);
        expect(r.body.error.param, path).toMatch(/^(since|until)$/);
        expect(r.body.error.message, path).toContain('100 years');
      }
    });
  });

  describe('the volume histogram', () => {
    it('cuts a range of ten thousand years to the stored data and keeps to the bucket count', async () => {
      const r = await get('/api/v1/stats/volume?since=0000-01-01&until=9999-12-31&buckets=1000');
      expect(r.status).toBe(200);
      expect(r.body.t.length).toBeLessThanOrEqual(1001);
      expect(r.body.n.length).toBe(r.body.t.length);
      expect(r.size).toBeLessThan(64 * 1024);
      expect(r.body.total).toBe(stored);
      expect(r.body.since).toBeGreaterThanOrEqual(FLOOD_FIRST - 3600);
      expect(r.body.until).toBeLessThanOrEqual(DEMO_END + 3600);
    });

    it('keeps to the bucket count at the longest duration accepted, filtered or not', async () => {
      for (const filter of ['', `&actor=${FLOOD.id}`, '&reason=excessive_downloads']) {
        const r = await get(`/api/v1/stats/volume?since=36500d&buckets=10${filter}`);
        expect(r.status, filter).toBe(200);
        expect(r.body.t.length, filter).toBeLessThanOrEqual(11);
        expect(r.size, filter).toBeLessThan(4096);
      }
      // A range past the data on either side is empty, not a failure.
      const after = await get('/api/v1/stats/volume?since=9999-01-01');
      expect(after.status).toBe(200);
      expect(after.body.total).toBe(0);
      expect(after.body.t.length).toBeLessThanOrEqual(121);
      const before = await get('/api/v1/stats/volume?until=1971-01-01&actor=W0FLOOD001');
      expect(before.status).toBe(200);
      expect(before.body.total).toBe(0);
    });
  });

  describe('the user page', () => {
    it('answers the range 0000..9999 with at most a year, every list capped and marked', async () => {
      const r = await get(`/api/v1/users/${FLOOD.id}?since=0000-01-01&until=9999-12-31`);
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(5000);
      expect(r.size).toBeLessThan(1_500_000);
      expect(r.body.range.clamped).toBe(true);
      expect(r.body.range.until).toBe(DEMO_END);
      expect(r.body.range.until - r.body.range.since).toBeLessThan(MAX_USER_RANGE_DAYS * 86400);
      expect(r.body.daily.days.length).toBeLessThanOrEqual(MAX_USER_RANGE_DAYS);
      expect(r.body.daily.baseline.file_downloaded.mean.length).toBe(r.body.daily.days.length);
      for (const list of ['ips', 'user_agents', 'files']) {
        expect(r.body[list], list).toHaveLength(MAX_LIST);
        expect(r.body[`${list}_truncated`], list).toBe(true);
      }
      expect(r.body.anomalies).toHaveLength(MAX_USER_MARKS);
      expect(r.body.anomalies_truncated).toBe(true);
      expect(r.body.alerts_truncated).toBe(false);
    });

    it('keeps the default week and says nothing was cut', async () => {
      const r = await get(`/api/v1/users/${FLOOD.id}`);
      expect(r.body.range).toEqual({ since: DEMO_END - 7200 - 7 * 86400 + 1, until: DEMO_END - 7200, clamped: false });
      expect(r.body.daily.days.length).toBeLessThanOrEqual(8);
    });

    it('gives the timeline the same cut range and at most buckets + 1 buckets', async () => {
      const summary = await get(`/api/v1/users/${FLOOD.id}?since=0000-01-01&until=9999-12-31`);
      const tl = await get(`/api/v1/users/${FLOOD.id}/timeline?since=0000-01-01&until=9999-12-31&buckets=1000`);
      expect(tl.status).toBe(200);
      expect([tl.body.since, tl.body.until]).toEqual([summary.body.range.since, summary.body.range.until]);
      expect(tl.body.t.length).toBeLessThanOrEqual(1001);
      expect(tl.body.anomalies_truncated).toBe(false);
      expect(tl.body.anomalies.length).toBe(MAX_USER_MARKS + 10);
      expect(typeof tl.body.alerts_truncated).toBe('boolean');
    });
  });

  describe('the IP page', () => {
    it('caps the users and clients of a shared address but counts all its events', async () => {
      const r = await get(`/api/v1/ips/${SHARED_IP}?since=0000-01-01&until=9999-12-31`);
      expect(r.status).toBe(200);
      expect(r.body.events).toBe(MANY);
      expect(r.body.users).toHaveLength(MAX_LIST);
      expect(r.body.users_truncated).toBe(true);
      expect(r.body.user_agents).toHaveLength(MAX_LIST);
      expect(r.body.user_agents_truncated).toBe(true);
      expect(r.body.first_seen).toBe(new Date((DEMO_END - 86400 - (MANY - 1) * 60) * 1000).toISOString().replace('.000Z', 'Z'));
    });
  });
});
