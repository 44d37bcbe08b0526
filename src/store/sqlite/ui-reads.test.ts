import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import { tempDirs } from '../../util/testing-tmp.ts';
import type { EventQuery, IncomingEvent } from '../types.ts';
import type { VolumeCount } from '../ui-reads.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';

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
    actor: actorless ? { type: 'app' } : { type: 'user', user: { id: `W${i % 5}`, name: `User ${i % 5}`, email } },
    entity: { type: 'file', file: { id: `F${i % 7}`, name: `f-${i % 7}.pdf` } },
    context: { ua: 'Slack/4.0', session_id: 1000 + (i % 3), ip_address: `198.51.100.${i % 6}` },
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

let store: SqliteStore;
let path: string;
const folds: number[] = [];

beforeAll(async () => {
  path = join(tmp.make('gw-uireads-'), 'ui.db');
  store = await openSqliteStore(path);
  // Two batches, so the directory of actors is updated, not only created. Each write folds its own events, so the
  // catch-ups find nothing to do.
  await store.appendEvents(FIRST);
  folds.push(await store.uiRollups().catchUp(), await store.uiRollups().catchUp());
  await store.appendEvents(SECOND);
  folds.push(await store.uiRollups().catchUp());
});
afterAll(async () => {
  await store.close();
});

describe('SQLite UI read models', () => {
  it('folds in each stored event once, as it is written', async () => {
    expect(folds).toEqual([0, 0, 0]);
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

  it('another connection sees the same high-water mark, and reset rebuilds without counting twice', async () => {
    const other = await openSqliteStore(path);
    try {
      expect(await other.uiRollups().catchUp()).toBe(0);
      const before = await store.uiReads().actionCounts();
      await other.uiRollups().reset();
      expect(await store.uiReads().volumeExtent()).toBeNull();
      expect(await store.uiRollups().catchUp()).toBe(400);
      expect(await store.uiReads().actionCounts()).toEqual(before);
    } finally {
      await other.close();
    }
  });
});
