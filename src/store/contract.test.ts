/**
 * The events-store contract, run unchanged against every backend: SQLite (a real file) and PostgreSQL (a throwaway
 * cluster from `test/pg-cluster.ts`, or `GRIDWATCH_TEST_PG`; skipped with the reason printed when neither exists).
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../test/pg-cluster.ts';
import { normalise } from '../events/normalise.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { openPostgresStore } from './postgres/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { IncomingEvent, Store } from './types.ts';

function incoming(id: string, ts: number, extra: Record<string, unknown> = {}): IncomingEvent {
  const ev = { id, date_create: ts, action: 'file_downloaded', ...extra };
  return { raw: JSON.stringify(ev), norm: normalise(ev) };
}

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: the events-store contract on PostgreSQL (${pgs.reason})`);

interface Backend {
  name: string;
  skip: boolean;
  setup(): void;
  open(): Promise<Store>;
}

const tmp = tempDirs();
let cluster: PgCluster | undefined;
const backends: Backend[] = [
  { name: 'sqlite', skip: false, setup() {}, open: () => openSqliteStore(join(tmp.make('gw-store-'), 's.db')) },
  {
    name: 'postgres',
    skip: !pgs.ok,
    setup() {
      beforeAll(async () => {
        cluster = await startPgCluster(pgs);
      });
      afterAll(async () => cluster?.stop());
    },
    open: async () => openPostgresStore(await cluster!.createDatabase('gw_contract')),
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`events store contract: ${backend.name}`, () => {
    backend.setup();
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => store.close());

    it('dedupes on id and writes the checkpoint in the same transaction', async () => {
      const cp = { key: 'all', filters: {}, low: 100, high: 200, updatedAt: 1 };
      const r1 = await store.appendEvents([incoming('a', 150), incoming('b', 160), incoming('a', 150)], cp);
      expect(r1).toEqual({ inserted: 2, duplicates: 1, insertedIds: ['a', 'b'] });
      expect(await store.getCheckpoint('all')).toMatchObject({ low: 100, high: 200 });
      // Same id, different content: still the same event for the store.
      const r2 = await store.appendEvents([incoming('a', 999)]);
      expect(r2.inserted).toBe(0);
      expect(await store.countEvents()).toBe(2);
    });

    it('rolls the checkpoint back with the events when the batch fails', async () => {
      const bad = { raw: { not: 'text' } as unknown as string, norm: incoming('z', 1).norm }; // cannot be bound: throws mid-batch
      const cp = { key: 'all', filters: {}, low: 1, high: 2, updatedAt: 1 };
      await expect(store.appendEvents([incoming('ok', 1), bad], cp)).rejects.toThrow();
      expect(await store.getCheckpoint('all')).toBeNull();
      expect(await store.countEvents()).toBe(0);
    });

    it('queries newest first with filters and keyset pagination that never skips ties', async () => {
      const batch: IncomingEvent[] = [];
      for (let i = 0; i < 50; i++) {
        batch.push(incoming(`e${i}`, 1000 + Math.floor(i / 5), {
          actor: { type: 'user', user: { id: i % 2 ? 'W1' : 'W2' } },
          context: { ip_address: `10.0.0.${i % 3}`, session_id: i % 4 },
          details: i % 10 === 0 ? { reason: ['tor'] } : undefined,
        }));
      }
      await store.appendEvents(batch);
      const seen: string[] = [];
      let before: { ts: number; seq: number } | undefined;
      for (;;) {
        const page = await store.queryEvents({ limit: 7, before });
        if (!page.length) break;
        seen.push(...page.map((e) => e.norm.id));
        const last = page[page.length - 1]!;
        before = { ts: last.norm.ts, seq: last.seq };
      }
      expect(seen).toHaveLength(50);
      expect(new Set(seen).size).toBe(50);
      expect((await store.queryEvents({ actor: 'W1' })).every((e) => e.norm.actorId === 'W1')).toBe(true);
      expect(await store.countEvents({ actor: 'W1' })).toBe(25);
      expect(await store.countEvents({ ip: '10.0.0.1' })).toBe(17);
      expect(await store.countEvents({ session: '3' })).toBe(12);
      expect(await store.countEvents({ reason: 'tor' })).toBe(5);
      expect(await store.countEvents({ since: 1005, until: 1006 })).toBe(10);
      expect(await store.topCounts('reason', 5)).toEqual([{ key: 'tor', label: null, count: 5 }]);
    });

    it('pages one anomaly reason newest first, ties by newest insertion, with time bounds and other filters', async () => {
      const reasons = [['tor'], ['tor', 'user_agent'], ['user_agent'], undefined];
      const batch = Array.from({ length: 60 }, (_, i) => incoming(`r${i}`, 3000 + Math.floor(i / 6), {
        action: reasons[i % 4] ? 'anomaly' : 'user_login',
        actor: { type: 'user', user: { id: i % 3 ? 'W1' : 'W2' } },
        details: reasons[i % 4] ? { reason: reasons[i % 4] } : undefined,
      }));
      await store.appendEvents(batch);
      // Worked out from the input: tor events of W1 within [3001, 3008], by time, then by insertion, newest first.
      const want = batch.map((e, i) => ({ e, i }))
        .filter(({ e, i }) => i % 4 < 2 && i % 3 !== 0 && e.norm.ts >= 3001 && e.norm.ts <= 3008)
        .sort((x, y) => y.e.norm.ts - x.e.norm.ts || y.i - x.i).map(({ e }) => e.norm.id);
      expect(want.length).toBeGreaterThan(8);
      const seen: string[] = [];
      let before: { ts: number; seq: number } | undefined;
      for (;;) {
        const page = await store.queryEvents({ reason: 'tor', actor: 'W1', since: 3001, until: 3008, limit: 4, before });
        if (!page.length) break;
        seen.push(...page.map((e) => e.norm.id));
        const last = page[page.length - 1]!;
        before = { ts: last.norm.ts, seq: last.seq };
      }
      expect(seen).toEqual(want);
      expect((await store.queryEvents({ reason: 'user_agent', limit: 2 })).map((e) => e.norm.id)).toEqual(['r58', 'r57']);
    });

    it('pages several actions at once newest first, ties by newest insertion, through the cursor', async () => {
      const actions = ['file_downloaded', 'user_login', 'user_logout'];
      const batch = Array.from({ length: 40 }, (_, i) => incoming(`m${i}`, 2000 + Math.floor(i / 4), { action: actions[i % 3] }));
      await store.appendEvents(batch);
      // Worked out from the input: the two actions asked, by time, then by insertion, newest first.
      const want = batch.map((e, i) => ({ e, i })).filter(({ i }) => i % 3 !== 2).sort((a, b) => b.e.norm.ts - a.e.norm.ts || b.i - a.i).map(({ e }) => e.norm.id);
      const seen: string[] = [];
      let before: { ts: number; seq: number } | undefined;
      for (;;) {
        const page = await store.queryEvents({ actions: ['user_login', 'file_downloaded'], limit: 6, before });
        if (!page.length) break;
        seen.push(...page.map((e) => e.norm.id));
        const last = page[page.length - 1]!;
        before = { ts: last.norm.ts, seq: last.seq };
      }
      expect(seen).toEqual(want);
      expect((await store.queryEvents({ actions: ['user_logout', 'no_such_action'], limit: 3 })).map((e) => e.norm.id)).toEqual(['m38', 'm35', 'm32']);
    });

    it('scans in time order and reads increments by sequence', async () => {
      await store.appendEvents([incoming('late', 5), incoming('early', 1), incoming('mid', 3)]);
      const scanned: string[] = [];
      for await (const b of store.scanEvents({ batchSize: 2 })) scanned.push(...b.map((e) => e.norm.id));
      expect(scanned).toEqual(['early', 'mid', 'late']);
      expect((await store.eventsAfterSeq(1, 10)).map((e) => e.norm.id)).toEqual(['early', 'mid']);
      expect(await store.maxSeq()).toBe(3);
    });

    it('returns the stored events of the ids in the order asked, skipping unknown ids', async () => {
      await store.appendEvents(['e1', 'e2', 'e3'].map((id, i) => incoming(id, 1_700_000_000 + i, { actor: { type: 'user', user: { id: 'W1' } } })));
      const got = await store.getEvents(['e3', 'nope', 'e1']);
      expect(got.map((e) => e.norm.id)).toEqual(['e3', 'e1']);
      expect(got[0]).toEqual(await store.getEvent('e3'));
    });

    it('filters by address range (CIDR, IPv4 and IPv6, whatever the spelling) and by a message entity\'s channel', async () => {
      const ips = ['198.51.100.7', '198.51.101.7', '2001:db8::1', '2001:DB8:0:0:0:0:0:ff', '2001:db9::1', null];
      await store.appendEvents(ips.map((ip, i) => incoming(`n${i}`, 2000 + i, ip ? { context: { ip_address: ip } } : {})));
      await store.appendEvents([
        incoming('m1', 3000, { entity: { type: 'message', message: { channel: 'C1', team: 'T1' } } }),
        incoming('m2', 3001, { entity: { type: 'message', message: { channel: 'C2', team: 'T1' } } }),
      ]);
      const ids = async (q: Parameters<Store['queryEvents']>[0]) => (await store.queryEvents(q)).map((e) => e.norm.id).sort();
      expect(await ids({ ipRanges: [{ family: 4, start: 0xc6336400, end: 0xc63364ff }] })).toEqual(['n0']);
      const v6 = 0x20010db8n << 96n;
      expect(await ids({ ipRanges: [{ family: 6, start: v6, end: v6 + (1n << 64n) - 1n }] })).toEqual(['n2', 'n3']);
      expect(await ids({ ipRanges: [] })).toEqual([]);
      expect(await ids({ channel: 'C2' })).toEqual(['m2']);
    });

    it('keeps quarantined bytes verbatim', async () => {
      await store.quarantine([{ source: 'f', position: 'line 1', reason: 'not valid UTF-8', raw: Buffer.from([0xff, 0x00]) }]);
      const [q] = await store.listQuarantine();
      expect(q!.raw).toEqual(Buffer.from([0xff, 0x00]));
      expect(await store.quarantineCount()).toBe(1);
    });
  });
}
