import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import { createServer } from '../../server/index.ts';
import { tempDirs } from '../../util/testing-tmp.ts';
import type { IncomingEvent } from '../types.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';

const T0 = 1_700_000_000;

/**
 * Events over about 11 hours, 4 actions, 5 actors (some events without one); actor W0 changes name and e-mail half-way
 * and a few events arrive late (older than those before them).
 */
function event(i: number): IncomingEvent {
  const late = i % 17 === 0;
  const ts = T0 + (late ? (i * 31) % 5000 : (i * 97) % 40_000);
  const who = i % 5;
  const renamed = who === 0 && ts > T0 + 20_000;
  const ev = {
    id: `ev-${i}`,
    date_create: ts,
    action: ['anomaly', 'file_downloaded', 'user_login', 'user_logout'][i % 4]!,
    actor: i % 13 === 0 ? { type: 'app' } : { type: 'user', user: { id: `W${who}`, name: renamed ? 'New Name' : `User ${who}`, email: renamed ? 'new@x.example' : `u${who}@x.example` } },
  };
  return { raw: JSON.stringify(ev), norm: normalise(ev as never) };
}
const events = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => event(from + k));

/** The rollup tables next to the same figures grouped over `events` (name and e-mail: the newest non-null one). */
function rollupsAndTruth(store: SqliteStore) {
  const db = store.db;
  const newest = (col: string) =>
    `(SELECT ${col} FROM events x WHERE x.actor_id = e.actor_id AND ${col} IS NOT NULL ORDER BY ts DESC, seq DESC LIMIT 1)`;
  return {
    volume: db.prepare('SELECT hour, action, n FROM ui_volume_hourly ORDER BY hour, action').all(),
    volumeTruth: db.prepare('SELECT ts / 3600 AS hour, action, count(*) AS n FROM events GROUP BY hour, action ORDER BY hour, action').all(),
    actors: db.prepare('SELECT actor_id, name, email, first_ts, last_ts, n FROM ui_actors ORDER BY actor_id').all(),
    actorsTruth: db
      .prepare(
        `SELECT actor_id, ${newest('actor_name')} AS name, ${newest('actor_email')} AS email, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS n
         FROM events e WHERE actor_id IS NOT NULL GROUP BY actor_id ORDER BY actor_id`,
      )
      .all(),
  };
}

async function expectUpToDate(store: SqliteStore) {
  const r = rollupsAndTruth(store);
  expect(r.volume.length).toBeGreaterThan(10);
  expect(r.volume).toEqual(r.volumeTruth);
  expect(r.actors).toEqual(r.actorsTruth);
  expect(await store.uiRollups().position()).toBe(await store.maxSeq());
  expect(await store.uiRollups().catchUp()).toBe(0);
}

/** What a version before rollups-on-write did: store events and leave the rollups to a later catch-up. */
function insertAsOlderVersion(store: SqliteStore, batch: IncomingEvent[]) {
  const ins = store.db.prepare(
    'INSERT INTO events (id, ts, action, actor_id, actor_name, actor_email, ingested_at, raw) VALUES (?, ?, ?, ?, ?, ?, 0, ?)',
  );
  store.db.transaction(() => {
    for (const { raw, norm: e } of batch) ins.run(e.id, e.ts, e.action, e.actorId, e.actorName, e.actorEmail, raw);
  })();
}

const tmp = tempDirs();
let store: SqliteStore;
beforeEach(async () => {
  store = await openSqliteStore(join(tmp.make('gw-rollup-write-'), 's.db'));
});
afterEach(async () => store.close());

describe('SQLite rollups kept up to date by every write', () => {
  it('appendEvents: counts only the new events of each batch', async () => {
    await store.appendEvents(events(0, 150));
    // Overlaps the first batch: the 50 duplicates must not be counted again.
    const r = await store.appendEvents(events(100, 300));
    expect(r.duplicates).toBe(50);
    await store.appendEvents(events(300, 301));
    await expectUpToDate(store);
  });

  it('the background writer (ingest) keeps them up to date too', async () => {
    const writer = (await store.openBackgroundWriter())!;
    await writer.append(events(0, 200));
    await writer.append(events(150, 400));
    await writer.close();
    await expectUpToDate(store);
  });

  it('a bulk load (indexes suspended) keeps them up to date', async () => {
    await store.bulkLoad(200_000, async () => {
      await store.appendEvents(events(0, 250));
      await store.appendEvents(events(200, 400));
    });
    await expectUpToDate(store);
  });

  it('a store whose rollups lag (an older version wrote it): writes leave the backlog to catchUp, which folds it once', async () => {
    await store.appendEvents(events(0, 100));
    insertAsOlderVersion(store, events(100, 250));
    const lagging = await store.uiRollups().position();
    // While the rollups lag, a write must not move the marker past events it did not count.
    await store.appendEvents(events(250, 300));
    expect(await store.uiRollups().position()).toBe(lagging);
    expect(await store.uiRollups().catchUp()).toBe(200);
    await expectUpToDate(store);
    await store.appendEvents(events(300, 350));
    await expectUpToDate(store);
  });
});

describe('server start on a store whose rollups lag', () => {
  it('a small backlog is folded before the server answers', async () => {
    await store.appendEvents(events(0, 100));
    insertAsOlderVersion(store, events(100, 300));
    const srv = await createServer({ store, port: 0, log: () => {} });
    try {
      expect(await store.uiRollups().position()).toBe(await store.maxSeq());
      const r = rollupsAndTruth(store);
      expect(r.volume).toEqual(r.volumeTruth);
    } finally {
      await srv.close();
    }
  });

  it('a large one is folded once listening, and the volume totals then count every event', async () => {
    await store.appendEvents(events(0, 100));
    // 150,000 events as an older version stored them: past what is folded before listening.
    store.db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 149999)
      INSERT INTO events (id, ts, action, ingested_at, raw) SELECT 'old-' || i, ${T0} + i, 'user_login', 0, '{}' FROM n`);
    const logged: string[] = [];
    const srv = await createServer({ store, port: 0, log: (msg) => void logged.push(msg) });
    try {
      expect(logged).toContain('indexing stored events for the histogram');
      for (let i = 0; i < 200 && (await store.uiRollups().position()) < (await store.maxSeq()); i++) await new Promise((r) => setTimeout(r, 50));
      await expectUpToDate(store);
    } finally {
      await srv.close();
    }
  });
});
