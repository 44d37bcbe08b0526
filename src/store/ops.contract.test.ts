/**
 * Store operations of issue #13 run unchanged on both backends (SQLite file; PostgreSQL in a throwaway cluster,
 * skipped with the reason printed without binaries): collector leases and prune.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../test/pg-cluster.ts';
import { whileLeased } from '../collector/lease.ts';
import { normalise } from '../events/normalise.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { openStore, type OpenedStore } from './index.ts';
import { collectorLeases } from './leases/index.ts';
import { pruneStore } from './prune/index.ts';
import { PostgresStore } from './postgres/index.ts';
import { SqliteStore } from './sqlite/index.ts';
import type { IncomingEvent } from './types.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: leases and prune on PostgreSQL (${pgs.reason})`);
const tmp = tempDirs();
let cluster: PgCluster | undefined;
const DAY = 86400;
const NOW = Math.floor(Date.now() / 1000);

function incoming(id: string, ts: number, extra: Record<string, unknown> = {}): IncomingEvent {
  const ev = { id, date_create: ts, action: 'file_downloaded', actor: { type: 'user', user: { id: `U${id}`, name: `Name${id}` } }, ...extra };
  return { raw: JSON.stringify(ev), norm: normalise(ev) };
}

const backends = [
  { name: 'sqlite', skip: false, setup() {}, url: async () => join(tmp.make('gw-ops-'), 'ops.db') },
  {
    name: 'postgres',
    skip: !pgs.ok,
    setup() {
      beforeAll(async () => {
        cluster = await startPgCluster(pgs);
      });
      afterAll(async () => cluster?.stop());
    },
    url: async () => cluster!.createDatabase('gw_ops'),
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`store operations: ${backend.name}`, () => {
    backend.setup();
    let store: OpenedStore;
    beforeEach(async () => {
      store = await openStore(await backend.url());
    });
    afterEach(async () => store.close());

    it('a lease is held until it expires, renewed by its holder, taken over after expiry or from a named dead holder', async () => {
      const leases = collectorLeases(store);
      const other = { id: 'other', host: 'elsewhere', pid: 1 };
      const me = { id: 'me', host: 'here', pid: 2 };
      const first = await leases.acquire('all', other, 400);
      expect(first).toMatchObject({ key: 'all', id: 'other', host: 'elsewhere', pid: 1 });
      expect((await leases.acquire('all', me, 400)).id).toBe('other');
      // Renewing keeps the acquisition time and moves the expiry.
      const renewed = await leases.acquire('all', other, 400);
      expect(renewed.acquiredAt).toBe(first.acquiredAt);
      expect(renewed.expiresAt).toBeGreaterThanOrEqual(first.expiresAt);
      expect(await leases.list()).toEqual([expect.objectContaining({ key: 'all', id: 'other', expired: false })]);
      await new Promise((r) => setTimeout(r, 500));
      expect((await leases.list())[0]!.expired).toBe(true);
      expect((await leases.acquire('all', me, 60_000)).id).toBe('me');
      // Other filter sets have their own lease.
      expect((await leases.acquire('action=anomaly', other, 60_000)).id).toBe('other');
      // Naming the holder as dead takes it over at once; release frees it.
      expect((await leases.acquire('all', other, 60_000, 'me')).id).toBe('other');
      await leases.release('all', 'me'); // not ours any more: no effect
      expect((await leases.acquire('all', me, 60_000)).id).toBe('other');
      await leases.release('all', 'other');
      expect((await leases.acquire('all', me, 60_000)).id).toBe('me');
    });

    it('whileLeased stops the work when another process takes the lease over, and waits to get it back', async () => {
      const leases = collectorLeases(store);
      const abort = new AbortController();
      const events: string[] = [];
      let runs = 0;
      const done = whileLeased(
        { leases, key: 'all', timings: { ttlMs: 600, renewMs: 100 }, signal: abort.signal, wait: true, me: { id: 'me', host: 'here', pid: 2 }, onLost: (r) => events.push(`lost: ${r}`) },
        async (signal) => {
          runs++;
          events.push(`run ${runs}`);
          if (runs === 1) await leases.acquire('all', { id: 'thief', host: 'elsewhere', pid: 9 }, 300, 'me');
          else abort.abort();
          if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
          return runs;
        },
      );
      expect(await done).toBe(2);
      expect(events[0]).toBe('run 1');
      expect(events[1]).toMatch(/^lost: lease taken over by elsewhere pid 9/);
      expect(events[2]).toBe('run 2'); // after the thief's lease expired
      expect(await leases.list()).toEqual([]); // released on the way out
    });

    it('prune removes the events before the cut with their reasons, index entries and rollup counts; checkpoints stay', async () => {
      const times = { a: NOW - 500 * DAY, b: NOW - 450 * DAY, c: NOW - 401 * DAY, d: NOW - 399 * DAY, e: NOW - 10 * DAY };
      const anomaly = { action: 'anomaly', details: { reason: ['tor_exit', 'user_agent'] } };
      const batch = [
        incoming('a', times.a, anomaly),
        incoming('b', times.b),
        incoming('c', times.c, { entity: { type: 'file', file: { id: 'F1', name: 'Qzxold.pdf' } } }),
        incoming('d', times.d, anomaly),
        incoming('e', times.e),
        incoming('e2', times.e),
      ];
      const cp = { key: 'all', filters: {}, low: NOW - 600 * DAY, high: NOW - 60, updatedAt: 5 };
      await store.appendEvents(batch, cp);
      await store.uiRollups().catchUp();
      await store.eventSearch().catchUp();
      const cut = NOW - 400 * DAY;

      const dry = await pruneStore(store, { cut, includeAlerts: false, dryRun: true });
      expect(dry.events).toBe(3);
      expect(await store.countEvents()).toBe(6);

      const s = await pruneStore(store, { cut, includeAlerts: false, dryRun: false, batchSize: 2 });
      expect(s.events).toBe(3);
      expect(s.partitionsDropped).toEqual(dry.partitionsDropped);
      if (backend.name === 'postgres') {
        // Whole months before the cut's month go by DROP; the cut's month keeps its newer events.
        expect(s.partitionsDropped.length).toBeGreaterThanOrEqual(2);
        expect(s.partitionsDropped.every((p) => /^events_\d{4}_\d\d$/.test(p))).toBe(true);
      }
      expect(await store.allIds()).toEqual(new Set(['d', 'e', 'e2']));
      expect(await store.countEvents()).toBe(3);
      expect(await store.topCounts('reason', 10)).toEqual([
        { key: 'tor_exit', label: null, count: 1 },
        { key: 'user_agent', label: null, count: 1 },
      ]);
      expect(await store.getCheckpoint('all')).toMatchObject({ low: cp.low, high: cp.high });
      // A pruned id stored again is new (nothing of it is left), the others are duplicates.
      expect((await store.appendEvents([incoming('b', times.b), incoming('e', times.e)])).insertedIds).toEqual(['b']);

      // The rollups equal a rebuild from the events that remain.
      const reads = store.uiReads();
      const kept = { counts: await reads.actionCounts(), extent: await reads.volumeExtent() };
      await store.uiRollups().reset();
      await store.uiRollups().catchUp();
      expect(kept).toEqual({ counts: await reads.actionCounts(), extent: await reads.volumeExtent() });
      expect(await reads.actorIdByEmail('nobody@example.com')).toBeNull();
      if (store instanceof SqliteStore) {
        // The contentless index forgot the pruned rows (else their row ids would still be candidates).
        const fts = store.db.prepare(`SELECT count(*) FROM events_fts WHERE events_fts MATCH '"zxo"'`).pluck().get();
        expect(fts).toBe(0);
      }
      if (store instanceof PostgresStore) {
        // The free-text table forgot the pruned rows (kept, they would be candidates for events that are gone).
        const left = await store.pool.query('SELECT seq FROM event_search WHERE seq NOT IN (SELECT seq FROM events)');
        expect(left.rows).toEqual([]);
      }
      expect((await store.eventSearch().searchEvents('Qzxold', {}, 10))?.events ?? []).toEqual([]);
    });
  });
}
