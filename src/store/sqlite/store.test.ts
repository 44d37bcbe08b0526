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

// The events-store contract both backends share is in ../contract.test.ts; these cases are SQLite's own.
describe('SqliteStore', () => {
  it('uses WAL and records each applied migration', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions[0]).toBe(1);
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
});
