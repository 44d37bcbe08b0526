import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import type { StoredEvent } from '../../events/schema.ts';
import { tempDirs } from '../../util/testing-tmp.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';
import { parallelScan, workerScanSql } from './parallel-scan.ts';
import { scanColumns } from './scanned-events.ts';

const COLUMNS = [
  { name: 'seq', kind: 'num' },
  { name: 'id', kind: 'text' },
  { name: 'ts', kind: 'num' },
  { name: 'action', kind: 'dict' },
  { name: 'actor_id', kind: 'dict' },
  { name: 'ip', kind: 'dict' },
  { name: 'reasons', kind: 'dict' },
  { name: 'action_ts_ms', kind: 'num' },
] as const;

const tmp = tempDirs();
let store: SqliteStore;
const N = 2500;

beforeAll(async () => {
  store = await openSqliteStore(join(tmp.make('gw-pscan-'), 's.db'));
  // Arrival order unrelated to time order, many events per second (ties), NULLs, non-ASCII text and repeated values.
  const events = Array.from({ length: N }, (_, i) => {
    const ev: Record<string, unknown> = {
      id: `ev-${(i * 7919) % N}-é`,
      date_create: 1_700_000_000 + ((i * 31) % 400),
      action: i % 10 === 0 ? 'anomaly' : i % 3 ? 'file_downloaded' : 'user_login',
      actor: { type: 'user', user: { id: `W${i % 37}`, name: `Zoë ${i % 37} "q"`, email: `u${i % 37}@example.com` } },
      entity: { type: 'file', file: { id: `F${i}`, name: `report-${i}.xlsx` } },
      context: { ua: 'Slack/4.41', ...(i % 5 ? { ip_address: `203.0.113.${i % 250}` } : {}) },
    };
    if (i % 10 === 0) ev.details = { reason: i % 20 ? ['user_agent', 'excessive_downloads'] : ['tor'], action_timestamp: 1_700_000_000_123_456 + i };
    return { raw: JSON.stringify(ev), norm: normalise(ev as never) };
  });
  await store.appendEvents(events);
});
afterAll(async () => store.close());

describe('parallelScan', () => {
  it('returns exactly the rows of the time-ordered query, page after page, across dictionary restarts', async () => {
    const expected = store.db
      .prepare('SELECT seq, id, ts, action, actor_id, ip, reasons, action_ts_ms FROM events WHERE ts > 1700000100 ORDER BY ts, seq')
      .raw(true)
      .all();
    const got: unknown[][] = [];
    let pages = 0;
    // Tiny pages and a dictionary limit below the number of distinct IPs: restarts happen mid-scan.
    const scan = parallelScan({ path: store.path, columns: COLUMNS, until: 2e9, after: { ts: 1_700_000_100, seq: Number.MAX_SAFE_INTEGER }, batchSize: 97, maxDictSize: 20 });
    for await (const p of scan) {
      pages++;
      for (let i = 0; i < p.n; i++) {
        const num = p.num(7, i);
        got.push([p.num(0, i), p.text(1, i), p.num(2, i), p.dict(3, i), p.dict(4, i), p.dict(5, i), p.dict(6, i), Number.isNaN(num) ? null : num]);
      }
    }
    expect(expected.length).toBeGreaterThan(1000);
    expect(pages).toBe(Math.ceil(expected.length / 97));
    expect(got).toEqual(expected);
  });

  it('carries NULL text as null, and numbers beyond 32 bits or with fractions exactly', async () => {
    const columns = [
      { name: 'seq', kind: 'num' },
      { name: 'ts', kind: 'num' },
      { name: 'CASE WHEN reasons IS NOT NULL THEN id END AS anomaly_id', kind: 'text' },
      { name: 'seq * 4294967296 + 1 AS big', kind: 'num' },
      { name: 'ts + 0.25 AS fraction', kind: 'num' },
    ] as const;
    const expected = store.db.prepare(`SELECT ${columns.map((c) => c.name).join(', ')} FROM events ORDER BY ts, seq`).raw(true).all();
    const got: unknown[][] = [];
    for await (const p of parallelScan({ path: store.path, columns, until: 2e9, after: { ts: 0, seq: 0 }, batchSize: 300 })) {
      for (let i = 0; i < p.n; i++) got.push([p.num(0, i), p.num(1, i), p.text(2, i), p.num(3, i), p.num(4, i)]);
    }
    expect(got.filter((r) => r[2] === null).length).toBe(N - N / 10);
    expect(got).toEqual(expected);
  });

  it('maps each dictionary entry once and hands the same object to every row', async () => {
    const lists = new Set<unknown>();
    let calls = 0;
    const scan = parallelScan({ path: store.path, columns: COLUMNS, until: 2e9, after: { ts: 0, seq: 0 }, batchSize: 500 }, (c, v) =>
      c === 6 ? (calls++, v.split(',')) : v,
    );
    for await (const p of scan) for (let i = 0; i < p.n; i++) if (p.dict(6, i)) lists.add(p.dict(6, i));
    expect(calls).toBe(2);
    expect([...lists].map((l) => (l as string[]).join('+')).sort()).toEqual(['tor', 'user_agent+excessive_downloads']);
  });

  it('stops the worker when the consumer stops early', async () => {
    const scan = parallelScan({ path: store.path, columns: COLUMNS, until: 2e9, after: { ts: 0, seq: 0 }, batchSize: 10 });
    for await (const p of scan) {
      expect(p.n).toBe(10);
      break;
    }
    // A second full scan still works (nothing left locked or half-closed).
    let n = 0;
    for await (const p of parallelScan({ path: store.path, columns: COLUMNS, until: 2e9, after: { ts: 0, seq: 0 }, batchSize: 1000 })) n += p.n;
    expect(n).toBe(N);
  });

  it('reports a broken query as an error instead of hanging', async () => {
    const bad = parallelScan({ path: store.path, columns: [...COLUMNS, { name: 'no_such_column', kind: 'num' }], until: 2e9, after: { ts: 0, seq: 0 }, batchSize: 10 });
    await expect(async () => {
      for await (const _ of bad) void _;
    }).rejects.toThrow(/no_such_column/);
  });
});

describe('parallelScan lookups', () => {
  it('reads lookup columns by sequence number for the rows marked, NULL for the others', async () => {
    const columns = [
      { name: 'seq', kind: 'num' },
      { name: 'ts', kind: 'num' },
      { name: 'reasons', kind: 'dict' },
      { name: 'CASE WHEN reasons IS NOT NULL THEN raw END', kind: 'text', lookup: 'raw' },
      { name: 'CASE WHEN reasons IS NOT NULL THEN actor_name END', kind: 'text', lookup: 'actor_name' },
    ] as const;
    const expected = store.db.prepare(`SELECT ${columns.map((c) => c.name).join(', ')} FROM events ORDER BY ts, seq`).raw(true).all();
    const got: unknown[][] = [];
    for await (const p of parallelScan({ path: store.path, columns, until: 2e9, after: { ts: 0, seq: 0 }, batchSize: 113, lookupWhen: 2 })) {
      for (let i = 0; i < p.n; i++) got.push([p.num(0, i), p.num(1, i), p.dict(2, i), p.text(3, i), p.text(4, i)]);
    }
    expect(got).toEqual(expected);
    expect(got.filter((r) => r[3] !== null)).toHaveLength(N / 10);
  });

  it("the replay's scan reads the time index alone, not the table", () => {
    const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${workerScanSql(scanColumns(['file_downloaded']))}`).all(2e9, 0, 0, 1) as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail)).toEqual([expect.stringMatching(/^SEARCH events USING COVERING INDEX events_ts /)]);
  });
});

describe('detection reader scan', () => {
  it('gives the same events whether pages come from this thread or the scan worker', async () => {
    // Every field: anomalies' raw text and detail columns travel with the scan, the others' are read on demand.
    const fields = (e: StoredEvent) => {
      const n = e.norm;
      return JSON.stringify([e.seq, n.id, n.ts, n.action, n.actorId, n.ip, n.ua, n.reasons, e.raw, n.actorName, n.actorEmail, n.entityType,
        n.entityId, n.entityName, n.sessionId, n.locationId, n.actionTimestampMs]);
    };
    const fromStore: string[] = [];
    for await (const b of store.scanEvents({ batchSize: 50 })) for (const e of b) fromStore.push(fields(e));
    const fromReader: string[] = [];
    // Pages of 50: the first two come from this thread, the rest from the worker.
    for await (const b of store.detectionReads().scan(0, 2e9, 50)) for (const e of b) fromReader.push(fields(e));
    expect(fromReader).toHaveLength(N);
    expect(fromReader).toEqual(fromStore);
  });
});
