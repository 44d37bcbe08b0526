/**
 * The read-model contract (UI reads and rollups, user and IP pages, responder reads, search), run unchanged against
 * both backends: SQLite (a real file) and PostgreSQL (a throwaway cluster from `test/pg-cluster.ts`, or
 * `GRIDWATCH_TEST_PG`; skipped with the reason printed when neither exists). Expected values are worked out from the
 * input alone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../test/pg-cluster.ts';
import { normalise } from '../events/normalise.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { openPostgresStore } from './postgres/index.ts';
import { matchesFields } from './search.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { EventQuery, IncomingEvent, Store } from './types.ts';
import type { VolumeCount } from './ui-reads.ts';

/** A store with every read model (both backends have them). */
type ReadStore = Store & Required<Pick<Store, 'uiReads' | 'uiRollups' | 'eventSearch' | 'entityReads' | 'responderReads'>>;

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: the read-model contract on PostgreSQL (${pgs.reason})`);

const tmp = tempDirs();
const T0 = 1_700_000_000;
const HOUR = 3600;

/** Events over about 11 hours; some without an actor; actor W0 changes e-mail between the two halves. */
function event(i: number): IncomingEvent {
  const actorless = i % 13 === 0;
  const email = i % 5 === 0 ? (i < 200 ? 'old.w0@example.com' : 'new.w0@example.com') : `u${i % 5}@example.com`;
  const ev: Record<string, unknown> = {
    id: `ev-${i}`,
    date_create: T0 + ((i * 97) % 40_000),
    action: i % 4 === 0 ? 'anomaly' : i % 3 ? 'file_downloaded' : 'user_login',
    actor: actorless ? { type: 'app' } : { type: 'user', user: { id: `W${i % 5}`, name: `User ${i % 5}`, email, team: 'T0TEAM' } },
    entity: { type: 'file', file: { id: `F${i % 7}`, name: `f-${i % 7}.pdf` } },
    context: { ua: `Slack/4.${i % 4}`, session_id: 1000 + (i % 3), ip_address: `198.51.100.${i % 6}` },
    details: i % 8 === 0 ? { reason: ['excessive_downloads'] } : undefined,
  };
  return { raw: JSON.stringify(ev), norm: normalise(ev as never) };
}
const FIRST = Array.from({ length: 200 }, (_, i) => event(i));
const SECOND = Array.from({ length: 200 }, (_, i) => event(200 + i));
const INPUT = [...FIRST, ...SECOND];

/** Counts per bucket and action worked out from the input alone, in bucket then action order. */
function expectedVolume(keep: (e: IncomingEvent) => boolean, width: number): VolumeCount[] {
  const m = new Map<string, VolumeCount>();
  for (const e of INPUT.filter(keep)) {
    const start = Math.floor(e.norm.ts / width) * width;
    const k = `${start} ${e.norm.action}`;
    const c = m.get(k) ?? { start, action: e.norm.action, n: 0 };
    c.n++;
    m.set(k, c);
  }
  return sorted([...m.values()]);
}
const sorted = (v: VolumeCount[]) => [...v].sort((a, b) => a.start - b.start || a.action.localeCompare(b.action));

let cluster: PgCluster | undefined;
const backends = [
  { name: 'sqlite', skip: false, setup() {}, url: async (_db?: string) => join(tmp.make('gw-readmodels-'), 'rm.db'), open: (u: string) => openSqliteStore(u) as Promise<ReadStore> },
  {
    name: 'postgres',
    skip: !pgs.ok,
    setup() {
      beforeAll(async () => {
        cluster = await startPgCluster(pgs);
      });
      afterAll(async () => cluster?.stop());
    },
    url: async (db = 'gw_readmodels') => cluster!.createDatabase(db),
    open: (u: string) => openPostgresStore(u) as Promise<ReadStore>,
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`read models: ${backend.name}`, () => {
    backend.setup();
    let store: ReadStore;
    let url: string;
    const folds: number[] = [];
    beforeAll(async () => {
      url = await backend.url();
      store = await backend.open(url);
      // Two folds, so the directory of actors is updated, not only created.
      await store.appendEvents(FIRST);
      folds.push(await store.uiRollups().catchUp(), await store.uiRollups().catchUp());
      await store.appendEvents(SECOND);
      folds.push(await store.uiRollups().catchUp());
      await store.eventSearch().catchUp();
    });
    afterAll(async () => store?.close());

    describe('UI reads and rollups', () => {
      it('folds in each stored event once', async () => {
        // Whether the append or the catch-up folds them, a second catch-up finds nothing new.
        expect(folds[1]).toBe(0);
        expect(await store.uiRollups().position()).toBe(await store.maxSeq());
      });

      it('counts per action and the hour extent agree with the input', async () => {
        const perAction = new Map<string, number>();
        for (const e of INPUT) perAction.set(e.norm.action, (perAction.get(e.norm.action) ?? 0) + 1);
        expect(await store.uiReads().actionCounts()).toEqual(perAction);
        const hours = INPUT.map((e) => Math.floor(e.norm.ts / HOUR));
        expect(await store.uiReads().volumeExtent()).toEqual({ firstHour: Math.min(...hours), lastHour: Math.max(...hours) });
      });

      it('finds an actor by their newest e-mail, case ignored', async () => {
        const reads = store.uiReads();
        expect(await reads.actorIdByEmail('NEW.W0@Example.com')).toBe('W0');
        expect(await reads.actorIdByEmail('old.w0@example.com')).toBeNull();
        expect(await reads.actorIdByEmail('u3@example.com')).toBe('W3');
        expect(await reads.actorIdByEmail('nobody@example.com')).toBeNull();
      });

      it('lists every distinct address', async () => {
        expect((await store.uiReads().distinctIps()).sort()).toEqual([...new Set(INPUT.map((e) => e.norm.ip!))].sort());
      });

      it('counts matching events per bucket', async () => {
        const since = T0 + 5000;
        const until = T0 + 30_000;
        const cases: Array<[EventQuery, (e: IncomingEvent) => boolean, number]> = [
          [{}, () => true, 900],
          [{ actions: ['anomaly', 'user_login'], since, until }, (e) => e.norm.action !== 'file_downloaded' && e.norm.ts >= since && e.norm.ts <= until, 600],
          [{ actor: 'W2', since }, (e) => e.norm.actorId === 'W2' && e.norm.ts >= since, 3600],
          [{ ip: '198.51.100.4', entity: 'F3' }, (e) => e.norm.ip === '198.51.100.4' && e.norm.entityId === 'F3', 60],
        ];
        for (const [q, keep, width] of cases) {
          const got = sorted(await store.uiReads().eventVolume(q, width));
          expect(got).toEqual(expectedVolume(keep, width));
          expect(got.length).toBeGreaterThan(0);
        }
      });

      it('counts whole hours from the hourly rollup', async () => {
        const h0 = Math.floor(T0 / HOUR) + 2;
        const h1 = h0 + 5;
        const inHours = (e: IncomingEvent) => Math.floor(e.norm.ts / HOUR) >= h0 && Math.floor(e.norm.ts / HOUR) <= h1;
        expect(sorted(await store.uiReads().hourlyVolume(h0, h1, 2 * HOUR))).toEqual(expectedVolume(inHours, 2 * HOUR));
        expect(sorted(await store.uiReads().hourlyVolume(h0, h1, HOUR, ['anomaly']))).toEqual(
          expectedVolume((e) => inHours(e) && e.norm.action === 'anomaly', HOUR),
        );
      });
    });

    const of = (id: string) => INPUT.filter((e) => e.norm.actorId === id);
    describe('user and IP pages', () => {
      it('finds people by id or e-mail, and by a literal substring', async () => {
        const r = store.entityReads();
        expect(await r.person('NEW.W0@example.com')).toEqual({ id: 'W0', name: 'User 0', email: 'new.w0@example.com',
          first_ts: Math.min(...of('W0').map((e) => e.norm.ts)), last_ts: Math.max(...of('W0').map((e) => e.norm.ts)), n: of('W0').length });
        expect((await r.person('W3'))?.email).toBe('u3@example.com');
        expect(await r.person('nobody')).toBeNull();
        expect((await r.searchPeople('user', 10)).map((p) => p.id).sort()).toEqual(['W0', 'W1', 'W2', 'W3', 'W4']);
        expect(await r.searchPeople('u_@', 10)).toEqual([]); // `_` is a character, not a wildcard
        expect(await r.searchPeople('user', 2)).toHaveLength(2);
      });

      it('aggregates a user: addresses, files, activity slots, timeline', async () => {
        const r = store.entityReads();
        const w1 = of('W1');
        const since = T0 + 10_000;
        const ips = await r.userUsage('W1', 'ip', { from: T0, since, until: T0 + 50_000 }, 10);
        const ip3 = w1.filter((e) => e.norm.ip === '198.51.100.3');
        expect(ips.find((u) => u.v === '198.51.100.3')).toEqual({ v: '198.51.100.3', n: ip3.length, first: Math.min(...ip3.map((e) => e.norm.ts)),
          last: Math.max(...ip3.map((e) => e.norm.ts)), in_range: ip3.filter((e) => e.norm.ts >= since).length });
        expect(ips.map((u) => u.last)).toEqual([...ips.map((u) => u.last)].sort((a, b) => b - a));
        const files = await r.userFiles('W1', T0, T0 + 50_000, 100);
        const dl = w1.filter((e) => e.norm.action === 'file_downloaded');
        expect(files.reduce((s, f) => s + f.n, 0)).toBe(dl.length);
        expect(files.map((f) => f.v).sort()).toEqual([...new Set(dl.map((e) => e.norm.entityId))].sort());
        const slots = await r.userActivity('W0', T0, T0 + 50_000);
        const w0 = of('W0');
        expect(slots.reduce((s, x) => s + x.file_downloaded, 0)).toBe(w0.filter((e) => e.norm.action === 'file_downloaded').length);
        expect(slots.reduce((s, x) => s + x.excessive_downloads, 0)).toBe(w0.filter((e) => e.norm.action === 'anomaly' && e.norm.reasons.includes('excessive_downloads')).length);
        expect(slots.every((x) => x.slot % 900 === 0)).toBe(true);
        const tl = await r.userTimeline('W1', T0, T0 + 50_000, 3600);
        expect(tl.reduce((s, x) => s + x.n, 0)).toBe(w1.length);
        expect(tl.every((x) => x.b % 3600 === 0)).toBe(true);
      });

      it('aggregates an address, its lists bounded by the newest events scanned', async () => {
        const r = store.entityReads();
        const at = INPUT.filter((e) => e.norm.ip === '198.51.100.2').map((e) => e.norm);
        expect(await r.addressTotals('198.51.100.2', T0, T0 + 50_000)).toEqual({ n: at.length, first: Math.min(...at.map((e) => e.ts)), last: Math.max(...at.map((e) => e.ts)) });
        expect(await r.addressTotals('203.0.113.9', T0, T0 + 50_000)).toEqual({ n: 0, first: null, last: null });
        const full = await r.addressLists('198.51.100.2', T0, T0 + 50_000, 50, 10_000);
        expect(full.partial).toBe(false);
        expect(full.scanned).toBe(at.length);
        expect(full.users.reduce((s, u) => s + u.n, 0)).toBe(at.length);
        const part = await r.addressLists('198.51.100.2', T0, T0 + 50_000, 50, 5);
        expect(part).toMatchObject({ scanned: 5, partial: true });
        expect(part.user_agents.reduce((s, u) => s + u.n, 0)).toBe(5);
        expect((await r.addressLists('198.51.100.2', T0, T0 + 50_000, 1, 10_000)).users).toHaveLength(1);
      });
    });

    describe('responder reads', () => {
      it('knows last seen, team, role, AER resets and sessions', async () => {
        const r = store.responderReads();
        const extra = [
          { id: 'rr-1', date_create: T0 + 100, action: 'role_change_to_admin', actor: { type: 'user', user: { id: 'W9' } }, entity: { type: 'user', user: { id: 'W7', name: 'Seven', email: 'seven@example.com' } } },
          { id: 'rr-2', date_create: T0 + 200, action: 'user_sessions_reset_by_anomaly_event_response', actor: { type: 'user', user: { id: 'USLACKBOT' } }, entity: { type: 'user', user: { id: 'W7', name: 'Seven', email: 'seven@example.com' } } },
          { id: 'rr-3', date_create: T0 + 300, action: 'pref.sso_setting_changed', actor: { type: 'user', user: { id: 'W8' } } },
        ].map((ev) => ({ raw: JSON.stringify(ev), norm: normalise(ev as never) }));
        await store.appendEvents(extra);
        expect(await r.userLastSeen('W1')).toBe(Math.max(...of('W1').map((e) => e.norm.ts)));
        expect(await r.userLastSeen('W404')).toBeNull();
        expect(await r.userTeam('W1')).toBe('T0TEAM');
        expect(await r.privilegedRole('W7')).toBe('admin');
        expect(await r.privilegedRole('W8')).toBe('admin');
        expect(await r.privilegedRole('W1')).toBeNull();
        expect(await r.aerResets('W7', T0)).toEqual([T0 + 200]);
        expect(await r.aerResets('W7', T0 + 201)).toEqual([]);
        const facts = await r.sessionFacts('W1', ['1001', '1001', '9999']);
        const s = of('W1').filter((e) => e.norm.sessionId === '1001').map((e) => e.norm);
        expect([...facts.keys()]).toEqual(['1001']);
        expect(facts.get('1001')).toMatchObject({ events: s.length, firstSeen: Math.min(...s.map((e) => e.ts)), lastSeen: Math.max(...s.map((e) => e.ts)) });
        expect(facts.get('1001')!.ips.sort()).toEqual([...new Set(s.map((e) => e.ip))].sort());
      });

      it('finds the people of user entities, with their e-mail, by prefix', async () => {
        await store.eventSearch().catchUp();
        expect((await store.eventSearch().people('sev', 10)).map((p) => [p.id, p.email])).toEqual([['W7', 'seven@example.com']]);
      });
    });

    describe('search', () => {
      it('finds exactly the events whose searched fields hold the term, newest first, under filters and a cursor', async () => {
        const s = store.eventSearch();
        const brute = (needle: string, keep: (e: IncomingEvent) => boolean = () => true) =>
          INPUT.filter((e) => keep(e) && matchesFields(e.norm, needle)).sort((a, b) => b.norm.ts - a.norm.ts).map((e) => e.norm.id);
        for (const needle of ['f-3.pdf', 'new.w0@', 'slack/4.2', '198.51.100.5', 'excessive_down', 'user 4']) {
          const r = await s.searchEvents(needle, {}, 1000);
          expect(r!.events.map((e) => e.norm.id), needle).toEqual(brute(needle));
          expect(r!.events.length, needle).toBeGreaterThan(0);
        }
        const q: EventQuery = { actions: ['file_downloaded'], actor: 'W2' };
        const keep = (e: IncomingEvent) => e.norm.action === 'file_downloaded' && e.norm.actorId === 'W2';
        const first = await s.searchEvents('f-1', q, 3);
        expect(first!.events.map((e) => e.norm.id)).toEqual(brute('f-1', keep).slice(0, 3));
        const second = await s.searchEvents('f-1', { ...q, before: first!.next! }, 3);
        expect(second!.events.map((e) => e.norm.id)).toEqual(brute('f-1', keep).slice(3, 6));
        expect(await s.searchEvents('pd', {}, 10)).toBeNull(); // under three characters: the caller scans
        expect((await s.searchEvents('%_%', {}, 10))!.events).toEqual([]); // LIKE characters are text
        // Everything stored is folded in; an event stored a moment ago is not yet, and is found all the same.
        expect(await s.position()).toBe(await store.maxSeq());
        const late = { id: 'late-1', date_create: T0 + 5, action: 'file_downloaded', actor: { type: 'user', user: { id: 'W1' } }, entity: { type: 'file', file: { id: 'FZ', name: 'Zanzibar.pdf' } } };
        await store.appendEvents([{ raw: JSON.stringify(late), norm: normalise(late as never) }]);
        expect(await s.position()).toBeLessThan(await store.maxSeq());
        expect((await s.searchEvents('zanzibar', {}, 10))!.events.map((e) => e.norm.id)).toEqual(['late-1']);
        // A time range, and a name with a line break in it (PostgreSQL checks candidates on the indexed text, whose
        // fields are joined by line breaks: such an event is read instead).
        const mid = INPUT[Math.floor(INPUT.length / 2)]!.norm.ts;
        const inRange = (e: IncomingEvent) => e.norm.ts >= mid && e.norm.ts <= mid + 3600;
        expect((await s.searchEvents('f-1', { since: mid, until: mid + 3600 }, 1000))!.events.map((e) => e.norm.id)).toEqual(brute('f-1', inRange));
        const odd = { id: 'nl-1', date_create: T0 + 6, action: 'user_login', actor: { type: 'user', user: { id: 'W9', name: 'Line\nBreak Quokka', email: 'q@example.com' } } };
        await store.appendEvents([{ raw: JSON.stringify(odd), norm: normalise(odd as never) }]);
        await s.catchUp();
        expect(await s.position()).toBe(await store.maxSeq());
        for (const needle of ['quokka', 'line\nbreak', 'q@example']) expect((await s.searchEvents(needle, {}, 10))!.events.map((e) => e.norm.id), needle).toEqual(['nl-1']);
      });

      it('leaves a term in most events of a large store to the caller, and finds a rare one there', async () => {
        const big = await backend.open(await backend.url('gw_readmodels_big'));
        try {
          const download = (i: number, name: string): IncomingEvent => {
            const ev = { id: `big-${i}`, date_create: T0 + i, action: 'file_downloaded', entity: { type: 'file', file: { id: `F${i}`, name } } };
            return { raw: JSON.stringify(ev), norm: normalise(ev as never) };
          };
          // Over four times the index's 5,000 candidates, so the sample tells the term is common (the index would say so
          // too, later); rare terms beside it must still be asked of the index.
          const events = Array.from({ length: 21_000 }, (_, i) => download(i, i === 12_345 ? 'Glengarry-Leads.xlsx' : `Common-${i}.pdf`));
          for (let i = 0; i < events.length; i += 5_000) await big.appendEvents(events.slice(i, i + 5_000));
          const s = big.eventSearch();
          await s.catchUp();
          expect(await s.searchEvents('common-', {}, 10)).toBeNull();
          expect((await s.searchEvents('glengarry', {}, 10))!.events.map((e) => e.norm.id)).toEqual(['big-12345']);
          // A rare term of common trigrams is still asked of the index.
          expect((await s.searchEvents('common-20999', {}, 10))!.events.map((e) => e.norm.id)).toEqual(['big-20999']);
        } finally {
          await big.close();
        }
      });

      it('finds people by a prefix of id, e-mail, name or a word of it, and by exact name', async () => {
        const s = store.eventSearch();
        expect((await s.people('USER 3', 10)).map((p) => p.id)).toEqual(['W3']);
        expect((await s.people('3', 10)).map((p) => p.id)).toEqual(['W3']); // the word "3" of "User 3"
        expect((await s.people('new.w0', 10)).map((p) => p.id)).toEqual(['W0']);
        expect(await s.people('ser', 10)).toEqual([]); // inside a word, not a prefix
        expect(await s.people('   ', 10)).toEqual([]);
        const all = await s.people('w', 3);
        expect(all).toHaveLength(3);
        expect(all.map((p) => p.last_ts)).toEqual([...all.map((p) => p.last_ts)].sort((a, b) => b - a));
        expect((await s.peopleNamed(' user 2 ')).map((p) => [p.id, p.name, p.email])).toEqual([['W2', 'User 2', 'u2@example.com']]);
      });
    });

    describe('reset', () => {
      it('another connection sees the same high-water mark, and reset rebuilds without counting twice', async () => {
        const other = await backend.open(url);
        try {
          expect(await other.uiRollups().catchUp()).toBe(0);
          const before = await store.uiReads().actionCounts();
          await other.uiRollups().reset();
          expect(await store.uiReads().volumeExtent()).toBeNull();
          expect(await store.uiRollups().catchUp()).toBe(await store.maxSeq());
          expect(await store.uiRollups().catchUp()).toBe(0);
          expect(await store.uiReads().actionCounts()).toEqual(before);
        } finally {
          await other.close();
        }
      });
    });
  });
}
