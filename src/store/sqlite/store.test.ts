import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import { tempDirs } from '../../util/testing-tmp.ts';
import type { IncomingEvent } from '../types.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';
import { EVENT_INDEXES } from './migrations.ts';

function incoming(id: string, ts: number, extra: Record<string, unknown> = {}): IncomingEvent {
  const ev = { id, date_create: ts, action: 'file_downloaded', ...extra };
  return { raw: JSON.stringify(ev), norm: normalise(ev) };
}

const tmp = tempDirs();
let path: string;
let store: SqliteStore;
beforeEach(async () => {
  path = join(tmp.make('gw-store-'), 's.db');
  store = await openSqliteStore(path);
});
afterEach(async () => store.close());

const indexNames = (s: SqliteStore) =>
  new Set(s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").pluck().all() as string[]);

describe('SqliteStore', () => {
  it('uses WAL and records each applied migration', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions[0]).toBe(1);
  });

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

  it('scans in time order and reads increments by sequence', async () => {
    await store.appendEvents([incoming('late', 5), incoming('early', 1), incoming('mid', 3)]);
    const scanned: string[] = [];
    for await (const b of store.scanEvents({ batchSize: 2 })) scanned.push(...b.map((e) => e.norm.id));
    expect(scanned).toEqual(['early', 'mid', 'late']);
    expect((await store.eventsAfterSeq(1, 10)).map((e) => e.norm.id)).toEqual(['early', 'mid']);
    expect(await store.maxSeq()).toBe(3);
  });

  it('bulkLoad rebuilds every index, and a crash that left them dropped heals on open', async () => {
    const result = await store.bulkLoad(1_000_000, async () => {
      expect(indexNames(store).has('events_actor_ts')).toBe(false); // suspended during the load
      expect(indexNames(store).has('events_ts')).toBe(true); // kept: cheap to maintain
      await store.appendEvents([incoming('a', 1), incoming('a', 1)]);
      return 'done';
    });
    expect(result).toBe('done');
    for (const i of EVENT_INDEXES) expect(indexNames(store).has(i.name)).toBe(true);
    expect(await store.countEvents()).toBe(1); // the unique id key was never suspended

    store.db.exec('DROP INDEX events_ip_ts');
    await store.close();
    store = await openSqliteStore(path);
    expect(indexNames(store).has('events_ip_ts')).toBe(true);
  });

  it('keeps quarantined bytes verbatim', async () => {
    await store.quarantine([{ source: 'f', position: 'line 1', reason: 'not valid UTF-8', raw: Buffer.from([0xff, 0x00]) }]);
    const [q] = await store.listQuarantine();
    expect(q!.raw).toEqual(Buffer.from([0xff, 0x00]));
    expect(await store.quarantineCount()).toBe(1);
  });
});
