/** Recent events loaded over several windows per user: each window's events, none from between, the same either way. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalise } from '../events/normalise.ts';
import { genericDetectionReads } from '../store/detection-reads.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { mergeWindows, RecentEvents } from './history.ts';

const tmp = tempDirs();
let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('mergeWindows', () => {
  it('merges overlapping and touching windows, keeps gaps, oldest first', () => {
    expect(mergeWindows([{ since: 20, until: 30 }, { since: 5, until: 9 }, { since: 1, until: 6 }, { since: 10, until: 12 }, { since: 14, until: 15 }]))
      .toEqual([{ since: 1, until: 12 }, { since: 14, until: 15 }, { since: 20, until: 30 }]);
  });
});

describe('RecentEvents.loadMany over several windows', () => {
  it('holds each window\'s events and none from between, by the batch read and by the one-user read alike', async () => {
    store = await openSqliteStore(join(tmp.make('history-'), 'g.db'));
    const raws = Array.from({ length: 40 }, (_, i) => JSON.stringify({
      id: `h${i}`, date_create: 1000 + i * 10, action: i % 2 ? 'file_downloaded' : 'user_login',
      actor: { type: 'user', user: { id: i % 4 === 3 ? 'W2' : 'W1' } },
    }));
    await store.appendEvents(raws.map((raw) => ({ raw, norm: normalise(JSON.parse(raw)) })));
    const windows = new Map([['W1', mergeWindows([{ since: 1000, until: 1050 }, { since: 1300, until: 1350 }])], ['W2', [{ since: 1100, until: 1200 }]]]);
    const inWindows = (user: string) => (i: number) => (i % 4 === 3 ? 'W2' : 'W1') === user && windows.get(user)!.some((w) => 1000 + i * 10 >= w.since && 1000 + i * 10 <= w.until);
    const want = (user: string, actions?: string[]) => raws.map((_, i) => i).filter(inWindows(user))
      .filter((i) => !actions || actions.includes(i % 2 ? 'file_downloaded' : 'user_login')).map((i) => `h${i}`);
    const ids = (r: RecentEvents | undefined) => [...(r?.between(0, 1e9) ?? [])].map((e) => e.norm.id);
    const batched = await RecentEvents.loadMany(store.detectionReads(), windows);
    const oneByOne = await RecentEvents.loadMany({ all: genericDetectionReads(store).all }, windows);
    for (const r of [batched, oneByOne]) {
      expect(ids(r.get('W1'))).toEqual(want('W1'));
      expect(ids(r.get('W2'))).toEqual(want('W2'));
    }
    expect(want('W1').length).toBeGreaterThan(4);
    const downloads = await RecentEvents.loadMany(store.detectionReads(), windows, ['file_downloaded']);
    expect(ids(downloads.get('W1'))).toEqual(want('W1', ['file_downloaded']));
  });
});
