// Search that finds things (#12): the FTS5 index against the scan it replaces, FTS syntax in what is typed, the
// people directory, the Actor filter by name, and the API bounds. Real SQLite file, real server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { scanSearch, textSearch } from '../src/server/text-search.ts';
import { STORY } from '../src/sim/index.ts';
import { resolveActor } from '../src/events/actor-names.ts';
import { addAccounts, apiLogin, demoStore, type DemoFixture } from './server-fixtures.ts';

let fx: DemoFixture;
let srv: RunningServer;
let cookie = '';

async function get(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(srv.url + path, { headers: { cookie } });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  fx = await demoStore({ detect: false });
  await addAccounts(fx.store, ['viewer']);
  srv = await createServer({ store: fx.store, port: 0, log: () => {} });
  cookie = (await apiLogin(srv.url, 'viewer')).cookie;
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await fx?.cleanup();
});

const ids = (r: { events: Array<{ norm: { id: string } }> }) => r.events.map((e) => e.norm.id).sort();

describe('free-text index', () => {
  it('is built once the server listens and answers from the index', async () => {
    const search = fx.store.eventSearch();
    // The catch-up starts when the server listens, off this thread.
    const end = Date.now() + 60_000;
    while ((await search.position()) < (await fx.store.maxSeq()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await search.position()).toBe(await fx.store.maxSeq());
    expect(await search.searchEvents('glengarry', {}, 10)).not.toBeNull();
  });

  it('finds a rare term of every searched field, exactly the events the scan finds', async () => {
    const events = fx.org.events.map((e) => e.event as any);
    const sample = (f: (e: any) => unknown) => String(events.map(f).find((v) => typeof v === 'string' && v.length >= 6));
    const terms = [
      'Glengarry', // file name, inside Glengarry-Leads.xlsx
      sample((e) => e.actor?.user?.name),
      sample((e) => e.actor?.user?.email).toUpperCase(),
      sample((e) => e.entity?.channel?.name),
      sample((e) => e.entity?.app?.name),
      STORY.scraperUa.slice(0, 9), // user agent
      sample((e) => e.context?.ip_address).slice(0, -1), // IP prefix
      STORY.userId.toLowerCase(),
    ].filter((t) => t !== 'undefined');
    expect(terms.length).toBeGreaterThanOrEqual(7);
    const search = fx.store.eventSearch();
    for (const t of terms) {
      const indexed = await search.searchEvents(t.toLowerCase(), {}, 100_000);
      expect(indexed, t).not.toBeNull();
      const scanned = await scanSearch(fx.store, {}, t.toLowerCase(), 100_000, 60_000);
      expect(indexed!.events.length, t).toBeGreaterThan(0);
      expect(ids(indexed!), t).toEqual(ids(scanned));
    }
    // Newest first, with filters and a cursor, as the scan.
    const q = { actions: ['file_downloaded'] };
    const a = await textSearch(fx.store, q, STORY.scraperUa, 5);
    const b = await scanSearch(fx.store, q, STORY.scraperUa.toLowerCase(), 5);
    expect(a.events.map((e) => e.norm.id)).toEqual(b.events.map((e) => e.norm.id));
    expect(a.events).toHaveLength(5);
  });

  it('sees events stored after the last catch-up', async () => {
    const raw = JSON.stringify({ id: 'search-late-1', date_create: 1768000000, action: 'file_downloaded', actor: { type: 'user', user: { id: 'W0LATE', name: 'Late Arrival', email: 'late@acme.example' } }, entity: { type: 'file', file: { id: 'F0LATE', name: 'Zanzibar-Plans.pdf' } } });
    const { normalise } = await import('../src/events/normalise.ts');
    await fx.store.appendEvents([{ raw, norm: normalise(JSON.parse(raw)) }]);
    const r = await fx.store.eventSearch().searchEvents('zanzibar', {}, 10);
    expect(r!.events.map((e) => e.norm.id)).toEqual(['search-late-1']);
  });

  it('reads FTS5 syntax in what is typed as text, never as a query', async () => {
    for (const q of ['"', 'a"b"c', 'glen*', 'NEAR(a b)', '-glengarry', 'x OR y', '(((', 'AND', "'; DROP TABLE events; --", 'x:y', '^glen']) {
      const r = await get(`/api/v1/events?q=${encodeURIComponent(q)}`);
      expect(r.status, q).toBe(200);
      const scanned = await scanSearch(fx.store, {}, q.toLowerCase(), 100, 60_000);
      expect(r.body.events.map((e: any) => e.id), q).toEqual(scanned.events.map((e) => e.norm.id));
    }
  });
});

describe('people', () => {
  it('finds people by a prefix of the name, a word of it, the e-mail or the id, case ignored', async () => {
    for (const q of ['Matt', 'matt', 'LEV', 'matt.lev', STORY.userId.slice(0, 6).toLowerCase()]) {
      const r = await get(`/api/v1/people?q=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      expect(r.body.people.map((p: any) => p.id), q).toContain(STORY.userId);
    }
    const matt = (await get('/api/v1/people?q=matt')).body.people.find((p: any) => p.id === STORY.userId);
    expect(matt.name).toBe('Matt Levene');
    // A prefix, not a substring: "evene" is inside the name but starts no word of it.
    expect((await get('/api/v1/people?q=evene')).body.people.map((p: any) => p.id)).not.toContain(STORY.userId);
    expect((await get('/api/v1/people?q=')).body.people).toEqual([]);
  });

  it('bounds q and limit', async () => {
    expect((await get(`/api/v1/people?q=${'a'.repeat(101)}`)).status).toBe(400);
    expect((await get('/api/v1/people?q=a&limit=101')).status).toBe(400);
    expect((await get('/api/v1/people?q=a&limit=0')).status).toBe(400);
    const two = await get('/api/v1/people?q=a&limit=2');
    expect(two.body.people.length).toBeLessThanOrEqual(2);
  });

  it('lets the Actor filter take a name or an e-mail, and any of several people sharing one', async () => {
    const byId = await get(`/api/v1/events?actor=${STORY.userId}&limit=500`);
    const byName = await get(`/api/v1/events?actor=${encodeURIComponent('matt levene')}&limit=500`);
    expect(byName.body.events.length).toBeGreaterThan(0);
    expect(byName.body.events.map((e: any) => e.id)).toEqual(byId.body.events.map((e: any) => e.id));
    // Two people named alike: the name matches both.
    const { normalise } = await import('../src/events/normalise.ts');
    const ev = (id: string, uid: string) => JSON.stringify({ id, date_create: 1768000001, action: 'user_login', actor: { type: 'user', user: { id: uid, name: 'Pat Twin', email: `${uid}@acme.example` } } });
    await fx.store.appendEvents(['tw-1', 'tw-2'].map((id, i) => { const raw = ev(id, `W0TWIN${i}`); return { raw, norm: normalise(JSON.parse(raw)) }; }));
    await fx.store.eventSearch().catchUp();
    const r = await resolveActor(fx.store, 'PAT TWIN');
    expect(r.query.actors?.sort()).toEqual(['W0TWIN0', 'W0TWIN1']);
    const both = await get(`/api/v1/events?actor=${encodeURIComponent('Pat Twin')}`);
    expect(both.body.events.map((e: any) => e.id).sort()).toEqual(['tw-1', 'tw-2']);
  });
});
