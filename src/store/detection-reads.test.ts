import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import { compareEvents } from '../../events/order.ts';
import type { NormalisedEvent, StoredEvent } from '../../events/schema.ts';
import type { DetectionReads } from '../detection-reads.ts';
import type { EventQuery, IncomingEvent } from '../types.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-dreads-'));
let store: SqliteStore;
let reads: DetectionReads;
const T0 = 1_700_000_000;

// Users act on files and on each other; anomalies carry reasons; some events have no IP.
const INPUT: IncomingEvent[] = Array.from({ length: 600 }, (_, i) => {
  const ev: Record<string, unknown> = {
    id: `ev-${(i * 389) % 600}`,
    date_create: T0 + ((i * 53) % 7200),
    action: i % 7 === 0 ? 'anomaly' : i % 3 ? 'file_downloaded' : 'user_login',
    actor: { type: 'user', user: { id: `W${i % 11}`, name: `Zoë ${i % 11}`, email: `u${i % 11}@example.com` } },
    entity: i % 5 === 0 ? { type: 'user', user: { id: `W${(i + 3) % 11}`, name: 'target' } } : { type: 'file', file: { id: `F${i % 40}`, name: `f-${i % 40}.pdf` } },
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

beforeAll(async () => {
  store = await openSqliteStore(join(dir, 'reads.db'));
  await store.appendEvents(INPUT);
  reads = store.detectionReads();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite detection reads', () => {
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
});
