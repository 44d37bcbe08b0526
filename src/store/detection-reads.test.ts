/**
 * The detection reads contract (`DetectionReads`), run unchanged against both backends: SQLite (a real file) and
 * PostgreSQL (a throwaway cluster from `test/pg-cluster.ts`, or `GRIDWATCH_TEST_PG`; skipped with the reason printed
 * when neither exists).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../test/pg-cluster.ts';
import { normalise } from '../events/normalise.ts';
import { compareEvents } from '../events/order.ts';
import type { NormalisedEvent, StoredEvent } from '../events/schema.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import type { DetectionReads } from './detection-reads.ts';
import { openPostgresStore } from './postgres/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { EventQuery, IncomingEvent, Store } from './types.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: the detection reads contract on PostgreSQL (${pgs.reason})`);
const tmp = tempDirs();
const T0 = 1_700_000_000;

// Users act on files and on each other; anomalies carry reasons; some events have no IP.
const INPUT: IncomingEvent[] = Array.from({ length: 600 }, (_, i) => {
  const ev: Record<string, unknown> = {
    id: `ev-${(i * 389) % 600}`,
    date_create: T0 + ((i * 53) % 7200),
    action: i % 7 === 0 ? 'anomaly' : i % 3 ? 'file_downloaded' : 'user_login',
    actor: { type: 'user', user: { id: `W${i % 11}`, name: `Zoë ${i % 11}`, email: `u${i % 11}@example.com` } },
    entity:
      i % 5 === 0 ? { type: 'user', user: { id: `W${(i + 3) % 11}`, name: 'target' } }
      : i % 17 === 0 ? { type: 'file', file: { id: `F${i % 40}` } }
      : { type: 'file', file: { id: `F${i % 40}`, name: `f-${i % 40}${i % 4 ? '' : '-é'}.pdf` } },
    context: { ua: `Slack/4.${i % 4}`, session_id: 1000 + (i % 9), ...(i % 6 ? { ip_address: `198.51.100.${i % 13}` } : {}) },
  };
  if (i % 7 === 0) ev.details = { reason: i % 14 ? ['user_agent', 'excessive_downloads'] : ['tor'], action_timestamp: (T0 + i) * 1_000_000 };
  return { raw: JSON.stringify(ev), norm: normalise(ev as never) };
});

/** What an event says, in a form that compares (the stored actor type is not kept). */
const fields = (raw: string, n: NormalisedEvent) =>
  JSON.stringify([n.id, n.ts, n.action, n.actorId, n.actorName, n.actorEmail, n.entityType, n.entityId, n.entityName, n.ip, n.sessionId, n.ua,
    n.reasons, n.actionTimestampMs, n.locationId, raw]);
const ofStored = (e: StoredEvent) => fields(e.raw, e.norm);

/** The events a query should return, worked out from the input alone. */
function expected(q: EventQuery): string[] {
  return INPUT.map((e) => e.norm)
    .filter((n) =>
      (q.actor === undefined || n.actorId === q.actor) && (q.entity === undefined || n.entityId === q.entity) &&
      (q.ip === undefined || n.ip === q.ip) && (q.session === undefined || n.sessionId === q.session) &&
      (q.reason === undefined || n.reasons.includes(q.reason)) && (!q.actions?.length || q.actions.includes(n.action)) &&
      (q.since === undefined || n.ts >= q.since) && (q.until === undefined || n.ts <= q.until))
    .sort(compareEvents)
    .map((n) => fields(INPUT.find((e) => e.norm.id === n.id)!.raw, n));
}

let cluster: PgCluster | undefined;
const backends = [
  { name: 'sqlite', skip: false, open: async (): Promise<Store> => openSqliteStore(join(tmp.make('gw-dreads-'), 'reads.db')) },
  {
    name: 'postgres',
    skip: !pgs.ok,
    open: async (): Promise<Store> => {
      cluster = await startPgCluster(pgs);
      return openPostgresStore(await cluster.createDatabase('gw_dreads'));
    },
  },
];

for (const backend of backends) describe.skipIf(backend.skip)(`detection reads: ${backend.name}`, () => {
  let store: Store;
  let reads: DetectionReads;
  beforeAll(async () => {
    store = await backend.open();
    await store.appendEvents(INPUT);
    reads = store.detectionReads();
  });
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  const queries: EventQuery[] = [
    { actor: 'W3' },
    { actor: 'W3', actions: ['anomaly', 'user_login'], since: T0 + 600, until: T0 + 5000 },
    { entity: 'W4', actions: ['anomaly'] },
    { ip: '198.51.100.7', since: T0 + 100 },
    { session: '1004' },
    { reason: 'tor' },
    { actions: ['anomaly'], until: T0 + 3600 },
    // A page position and size do not apply to "every matching event".
    { actor: 'W1', before: { ts: T0 + 10, seq: 1 }, limit: 2 },
  ];

  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('all(%s) returns every matching event, oldest first, each field as stored', async (_, q) => {
    const want = expected(q);
    expect(want.length).toBeGreaterThan(0);
    expect((await reads.all(q)).map(ofStored)).toEqual(want);
  });

  it('allOf reads each user over their own window and keeps only the actions asked for', async () => {
    const windows = new Map([
      ['W2', { since: T0, until: T0 + 1800 }],
      ['W5', { since: T0 + 3000, until: T0 + 7200 }],
      ['W99', { since: T0, until: T0 + 7200 }],
    ]);
    const actions = ['anomaly', 'file_downloaded'];
    const got = await reads.allOf('actor', windows, actions);
    for (const [user, w] of windows) expect(got.get(user)!.map(ofStored)).toEqual(expected({ actor: user, ...w, actions }));
    expect(got.get('W2')!.length).toBeGreaterThan(0);
    const byEntity = await reads.allOf('entity', new Map([['W4', { since: T0, until: T0 + 7200 }]]));
    expect(byEntity.get('W4')!.map(ofStored)).toEqual(expected({ entity: 'W4', since: T0, until: T0 + 7200 }));
  });

  // The scan in (ts, seq) order: the input in time order, ties in append order. Pages of 50 take the worker path
  // (past the first pages) on both backends; fields outside the scan (raw text, names, entity) are read on demand.
  const inScanOrder = () => INPUT.map((e, i) => [e, i] as const).sort(([a, i], [b, j]) => a.norm.ts - b.norm.ts || i - j).map(([e]) => fields(e.raw, e.norm));

  it('scan gives every event in (ts, seq) order over the whole range, each field as stored', async () => {
    const got: string[] = [];
    for await (const batch of reads.scan(0, Number.MAX_SAFE_INTEGER, 50)) got.push(...batch.map(ofStored));
    expect(got).toEqual(inScanOrder());
  });

  it('scanPages keeps to [since, until] and its columns agree with the events', async () => {
    const since = T0 + 1000;
    const until = T0 + 5000;
    const want = INPUT.filter((e) => e.norm.ts >= since && e.norm.ts <= until);
    const got: string[] = [];
    let pages = 0;
    for await (const p of reads.scanPages(since, until, 50)) {
      pages++;
      for (let i = 0; i < p.n; i++) {
        const e = p.event(i);
        expect([p.ts(i), p.action(i), p.actorId(i), p.ip(i), p.ua(i)]).toEqual([e.norm.ts, e.norm.action, e.norm.actorId, e.norm.ip, e.norm.ua]);
        got.push(ofStored(e));
      }
    }
    expect(pages).toBeGreaterThan(3);
    expect(got).toEqual(inScanOrder().filter((f) => want.some((e) => fields(e.raw, e.norm) === f)));
  });

  it('scanPages carrying the entity of some actions gives the same events', async () => {
    const got: string[] = [];
    for await (const p of reads.scanPages(0, Number.MAX_SAFE_INTEGER, 50, { carryEntityOf: ['file_downloaded', 'user_login'] })) {
      for (let i = 0; i < p.n; i++) got.push(ofStored(p.event(i)));
    }
    expect(got).toEqual(inScanOrder());
  });
});
