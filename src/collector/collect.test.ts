import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Checkpoint, IncomingEvent, Store } from '../store/types.ts';
import type { AuditClient, LogsPage, LogsParams } from '../slack/audit-client.ts';
import { AuthError, InvalidCursorError } from '../slack/errors.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { ANOMALIES_ONLY, checkpointKey, collect, describeCheckpoints, followLoop, type CollectOptions, type Progress } from './index.ts';
import { actionChunks, canonicalFilters } from './filters.ts';
import { WindowSizer } from './windows.ts';

const NOW = Date.UTC(2024, 0, 10); // ms
const NOW_S = NOW / 1000;
const HOUR = 3600;
const DAY = 86400;

interface FakeEvent {
  id: string;
  ts: number;
  action: string;
  actor: string;
  entity: string;
  raw: string;
}

function ev(id: string, ts: number, action = 'user_login', actor = 'W1', entity = 'W1'): FakeEvent {
  const raw = JSON.stringify({
    id,
    date_create: ts,
    action,
    actor: { type: 'user', user: { id: actor, name: 'n' } },
    entity: { type: 'user', user: { id: entity } },
    context: { ip_address: '203.0.113.1', session_id: 1 },
  });
  return { id, ts, action, actor, entity, raw };
}

/**
 * An in-process Audit Logs API with Slack's semantics: newest first, inclusive bounds, comma action lists, pages
 * that overflow `limit` to finish a tied second, opaque cursors that do not carry the filters.
 */
class FakeApi implements AuditClient {
  readonly baseUrl = 'http://fake/audit/v1';
  events: FakeEvent[] = [];
  calls: LogsParams[] = [];
  /** Called before each request; may throw. */
  before?: (p: LogsParams, n: number) => void;

  async getLogs(p: LogsParams, ro?: { signal?: AbortSignal }): Promise<LogsPage> {
    ro?.signal?.throwIfAborted();
    this.calls.push({ ...p });
    this.before?.(p, this.calls.length);
    const actions = p.action ? new Set(p.action.split(',')) : null;
    if (actions && actions.size > 30) throw new Error('more than 30 actions');
    const sel = this.events
      .filter((e) => (p.oldest === undefined || e.ts >= p.oldest) && (p.latest === undefined || e.ts <= p.latest))
      .filter((e) => (!actions || actions.has(e.action)) && (!p.actor || e.actor === p.actor) && (!p.entity || e.entity === p.entity))
      .sort((a, b) => b.ts - a.ts || (a.id < b.id ? 1 : -1));
    const offset = p.cursor ? Number(Buffer.from(p.cursor, 'base64').toString().split(':')[1]) : 0;
    const limit = p.limit ?? 100;
    let end = Math.min(sel.length, offset + limit);
    while (end < sel.length && end > offset && sel[end]!.ts === sel[end - 1]!.ts) end++; // finish the tie
    const next = end < sel.length ? Buffer.from(`offset:${end}`).toString('base64') : '';
    return { entries: sel.slice(offset, end).map((e, index) => ({ raw: e.raw, index })), nextCursor: next };
  }
  async getActions() {
    return {};
  }
  async getSchemas() {
    return [];
  }
}

const tmp = tempDirs();
let store: Store;
beforeEach(async () => {
  store = await openSqliteStore(join(tmp.make('gridwatch-collect-'), 'db.sqlite'));
});
afterEach(async () => store.close());

const clockAt = (ms: number) => {
  const c = { t: ms, now: () => c.t };
  return c;
};

/** `n` events spread over [from, to], a few sharing seconds. */
function spread(n: number, from: number, to: number, prefix = 'e', action = 'user_login'): FakeEvent[] {
  const out: FakeEvent[] = [];
  for (let i = 0; i < n; i++) out.push(ev(`${prefix}${i}`, from + Math.floor(((to - from) * i) / Math.max(1, n - 1)), action));
  return out;
}

async function ids(s: Store = store) {
  return [...(await s.allIds())].sort();
}

const visible = (api: FakeApi, from: number, to: number) => api.events.filter((e) => e.ts >= from && e.ts <= to).map((e) => e.id).sort();

describe('filters and windows', () => {
  it('canonical keys: sorted, deduplicated, all for none, anomalies separate', () => {
    expect(checkpointKey({})).toBe('all');
    expect(checkpointKey({ actions: [] })).toBe('all');
    expect(checkpointKey(ANOMALIES_ONLY)).toBe('action=anomaly');
    expect(checkpointKey({ actions: ['b', 'a', 'b'], actor: 'W1' })).toBe('action=a,b&actor=W1');
    expect(checkpointKey({ actions: ['a,b'] })).toBe(checkpointKey({ actions: ['b', 'a'] }));
    expect(checkpointKey({ entity: 'C1', actor: ' W1 ' })).toBe('actor=W1&entity=C1');
    expect(canonicalFilters({ actions: [' x ', ''] })).toEqual({ actions: ['x'] });
  });

  it('splits actions in chunks of at most 30', () => {
    const a = Array.from({ length: 65 }, (_, i) => `a${i}`);
    expect(actionChunks(a).map((c) => c!.split(',').length)).toEqual([30, 30, 5]);
    expect(actionChunks([])).toEqual([undefined]);
  });

  it('sizes windows adaptively', () => {
    const s = new WindowSizer();
    s.update(1, DAY);
    expect(s.size).toBe(2 * DAY);
    s.update(11, 2 * DAY);
    expect(s.size).toBe(DAY);
    for (let i = 0; i < 10; i++) s.update(1, s.size);
    expect(s.size).toBe(30 * DAY);
    for (let i = 0; i < 40; i++) s.update(50, s.size);
    expect(s.size).toBe(1);
  });
});

describe('collect', () => {
  it('first run: collects [now - lookback, now - settle] exactly and sends every filter on every page', async () => {
    const api = new FakeApi();
    api.events = [...spread(400, NOW_S - 3 * DAY, NOW_S), ev('too-old', NOW_S - 3 * DAY - 1)];
    const clock = clockAt(NOW);
    const s = await collect({ store, client: api, clock, initialLookbackSec: 3 * DAY, pageLimit: 20, filters: { actor: 'W1' } });
    expect(await ids()).toEqual(visible(api, NOW_S - 3 * DAY, NOW_S - 120));
    expect(s.new).toBe(s.fetched);
    expect(s.checkpoint).toEqual({ key: 'actor=W1', low: NOW_S - 3 * DAY, high: NOW_S - 120 });
    for (const c of api.calls) {
      expect(c.oldest).toBeTypeOf('number');
      expect(c.latest).toBeTypeOf('number');
      expect(c.limit).toBe(20);
      expect(c.actor).toBe('W1');
    }
    expect(api.calls.filter((c) => c.cursor).length).toBeGreaterThan(0);
    const cp = (await store.getCheckpoint('actor=W1'))!;
    expect(cp.filters).toEqual({ actor: 'W1' });
    expect(cp.lastRun).toMatchObject({ startedAt: NOW, finishedAt: NOW, summary: { new: s.new, pages: s.pages } });
    expect(cp.lastRun!.running).toBeUndefined();

    // Later: the events held back by the settle time arrive, nothing else is read twice but the overlap.
    clock.t = NOW + HOUR * 1000;
    const s2 = await collect({ store, client: api, clock, initialLookbackSec: 3 * DAY, pageLimit: 20, filters: { actor: 'W1' } });
    expect(await ids()).toEqual(visible(api, NOW_S - 3 * DAY, NOW_S + HOUR - 120));
    expect(s2.new).toBe(visible(api, NOW_S - 119, NOW_S + HOUR).length);
    expect(s2.late).toBe(0);
    expect(s2.checkpoint.high).toBe(NOW_S + HOUR - 120);
    expect(Math.min(...api.calls.slice(-s2.pages).map((c) => c.oldest!))).toBe(NOW_S - 120 + 1 - 6 * HOUR);
  });

  it('never ends a window on a short page: only an empty cursor ends it (ties overflow the limit)', async () => {
    const api = new FakeApi();
    // 25 events in one second, 25 in another: with limit 10, pages overflow to 25.
    api.events = [...Array.from({ length: 25 }, (_, i) => ev(`t1-${i}`, NOW_S - DAY)), ...Array.from({ length: 25 }, (_, i) => ev(`t2-${i}`, NOW_S - DAY + 5))];
    const s = await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 2 * DAY, pageLimit: 10 });
    expect(await ids()).toEqual(api.events.map((e) => e.id).sort());
    expect(s.duplicates).toBe(0);
  });

  it('windows adapt to density and stay contiguous', async () => {
    const api = new FakeApi();
    api.events = [...spread(3000, NOW_S - 20 * DAY, NOW_S - 17 * DAY, 'dense'), ...spread(10, NOW_S - 25 * DAY, NOW_S - 1000, 'sparse')];
    const s = await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 25 * DAY, pageLimit: 50 });
    expect(await ids()).toEqual(api.events.map((e) => e.id).sort());
    const windows = [...new Map(api.calls.map((c) => [`${c.oldest}-${c.latest}`, c])).values()];
    // Contiguous cover of the whole range, no gaps and no overlaps.
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.oldest).toBe(windows[i - 1]!.latest! + 1);
    expect(windows[0]!.oldest).toBe(NOW_S - 25 * DAY);
    expect(windows.at(-1)!.latest).toBe(NOW_S - 120);
    const lens = windows.map((w) => w.latest! - w.oldest! + 1);
    expect(Math.max(...lens)).toBeLessThanOrEqual(30 * DAY);
    // Grows through the sparse start, shrinks after the dense part, grows again after it.
    const grew = lens.findIndex((l, i) => i > 0 && l === 2 * lens[i - 1]!);
    const shrank = lens.findIndex((l, i) => i > 0 && l <= lens[i - 1]! / 2);
    expect(grew).toBeGreaterThan(0);
    expect(shrank).toBeGreaterThan(grew);
    expect(lens.findIndex((l, i) => i > shrank && l === 2 * lens[i - 1]!)).toBeGreaterThan(shrank);
    expect(s.windows).toBe(windows.length);
  });

  it('splits more than 30 actions and commits a window only after every chunk', async () => {
    const api = new FakeApi();
    const actions = Array.from({ length: 70 }, (_, i) => `act_${String(i).padStart(2, '0')}`);
    api.events = actions.flatMap((a, i) => spread(3, NOW_S - DAY - i * 100, NOW_S - 1000, `${a}-`, a));
    api.events.push(...spread(20, NOW_S - DAY, NOW_S - 1000, 'other-', 'other_action'));
    const cps: Array<Checkpoint | undefined> = [];
    const spy: Store = Object.create(store);
    spy.appendEvents = (b: IncomingEvent[], cp?: Checkpoint) => {
      cps.push(cp);
      return store.appendEvents(b, cp);
    };
    const s = await collect({ store: spy, client: api, clock: clockAt(NOW), filters: { actions }, initialLookbackSec: 2 * DAY, pageLimit: 4 });
    expect(await ids()).toEqual(api.events.filter((e) => e.action !== 'other_action').map((e) => e.id).sort());
    expect(api.calls.every((c) => c.action!.split(',').length <= 30)).toBe(true);
    expect(new Set(api.calls.map((c) => c.action)).size).toBe(3);
    // One checkpoint per window, on the last page of the last chunk.
    expect(cps.filter(Boolean).length).toBe(s.windows);
    const cp = (await store.getCheckpoint(checkpointKey({ actions })))!;
    expect(cp.filters.action!.split(',')).toHaveLength(70);
  });

  it('re-reads a window from its start when the cursor expires', async () => {
    const api = new FakeApi();
    api.events = spread(300, NOW_S - DAY, NOW_S - 1000);
    let failed = 0;
    api.before = (p) => {
      if (p.cursor && failed < 3 && api.calls.length % 4 === 0) {
        failed++;
        throw new InvalidCursorError();
      }
    };
    const s = await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 2 * DAY, pageLimit: 25 });
    expect(failed).toBe(3);
    expect(s.restarts).toBe(3);
    expect(await ids()).toEqual(api.events.map((e) => e.id).sort());
    expect(s.duplicates).toBeGreaterThan(0);
    expect(await store.countEvents()).toBe(300);
  });

  it('gives up after maxCursorRestarts consecutive cursor rejections, committing nothing past stored events', async () => {
    const api = new FakeApi();
    api.events = Array.from({ length: 500 }, (_, i) => ev(`e${i}`, NOW_S - DAY + (i % 50))); // 10 per second
    api.before = (p) => {
      if (p.cursor) throw new InvalidCursorError();
    };
    const err = await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 2 * DAY, pageLimit: 10, maxCursorRestarts: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidCursorError);
    const cp = await store.getCheckpoint('all');
    expect(cp === null || cp.high < NOW_S - DAY).toBe(true);
  });

  it('quarantines invalid entries once, with source and position', async () => {
    const api = new FakeApi();
    api.events = spread(30, NOW_S - DAY, NOW_S - 1000);
    api.events.push({ id: 'bad', ts: NOW_S - 5000, action: 'user_login', actor: 'W1', entity: 'W1', raw: '{"id":"bad","action":"user_login"}' });
    const s1 = await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 2 * DAY });
    expect(s1.quarantined).toBe(1);
    expect(s1.fetched).toBe(31);
    const q = await store.listQuarantine();
    expect(q).toHaveLength(1);
    expect(q[0]!.source).toBe('api:http://fake/audit/v1');
    expect(q[0]!.position).toMatch(/^window \d+-\d+ page 1 entry \d+$/);
    expect(q[0]!.reason).toMatch(/date_create/);
    expect(q[0]!.raw.toString()).toBe('{"id":"bad","action":"user_login"}');
    // The overlap re-read sees it again: it is not quarantined twice.
    await collect({ store, client: api, clock: clockAt(NOW + 60_000) });
    expect(await store.quarantineCount()).toBe(1);
  });

  it('counts late arrivals found by the overlap re-read', async () => {
    const api = new FakeApi();
    api.events = spread(100, NOW_S - DAY, NOW_S - 1000);
    await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 2 * DAY });
    const late = [ev('late1', NOW_S - 2 * HOUR), ev('late2', NOW_S - 200), ev('too-late', NOW_S - 7 * HOUR)];
    api.events.push(...late, ev('fresh', NOW_S + 100));
    const s = await collect({ store, client: api, clock: clockAt(NOW + 600_000) });
    expect(s.late).toBe(2); // too-late is older than the 6 h overlap
    expect(s.new).toBe(3);
    const stored = await store.allIds();
    expect(stored.has('too-late')).toBe(false);
    expect(stored.has('fresh')).toBe(true);
  });

  it('stops on AuthError without advancing past unstored events, records the error, and resumes', async () => {
    const api = new FakeApi();
    api.events = spread(500, NOW_S - 5 * DAY, NOW_S - 1000);
    api.before = (_p, n) => {
      if (n === 9) throw new AuthError('Slack Audit Logs API rejected the token (invalid_auth)', { code: 'invalid_auth' });
    };
    const opts: CollectOptions = { store, client: api, clock: clockAt(NOW), initialLookbackSec: 6 * DAY, pageLimit: 30, initialWindowSec: DAY };
    await expect(collect(opts)).rejects.toBeInstanceOf(AuthError);
    const cp = (await store.getCheckpoint('all'))!;
    expect(cp.lastRun).toMatchObject({ errorName: 'AuthError', error: expect.stringMatching(/invalid_auth/) });
    // Invariant: everything inside the covered range is stored.
    const stored = await store.allIds();
    for (const id of visible(api, cp.low, cp.high)) expect(stored.has(id)).toBe(true);
    expect(cp.high).toBeLessThan(NOW_S - 1000);
    api.before = undefined;
    const s = await collect(opts);
    expect(await ids()).toEqual(api.events.map((e) => e.id).sort());
    expect(s.checkpoint.high).toBe(NOW_S - 120);
    expect((await store.getCheckpoint('all'))!.lastRun!.error).toBeUndefined();
  });

  it('survives a crash at any append: the covered range is always stored, a rerun completes', async () => {
    const api = new FakeApi();
    api.events = spread(200, NOW_S - 4 * DAY, NOW_S - 1000);
    for (let crashAt = 1; crashAt < 16; crashAt += 2) {
      const st = await openSqliteStore(join(tmp.make('gridwatch-crash-'), 'db.sqlite'));
      let n = 0;
      const crashing: Store = Object.create(st);
      crashing.appendEvents = async (b, cp) => {
        if (++n === crashAt) throw new Error('killed');
        return st.appendEvents(b, cp);
      };
      const o = { client: api, clock: clockAt(NOW), initialLookbackSec: 5 * DAY, pageLimit: 15 };
      await expect(collect({ ...o, store: crashing })).rejects.toThrow('killed');
      const cp = await st.getCheckpoint('all');
      if (cp) {
        const stored = await st.allIds();
        for (const id of visible(api, cp.low, cp.high)) expect(stored.has(id)).toBe(true);
      }
      await collect({ ...o, store: st });
      expect(await ids(st)).toEqual(api.events.map((e) => e.id).sort());
      await st.close();
    }
  });

  it('backfills backwards with an earlier since, extending low contiguously, and resumes a stopped backfill', async () => {
    const api = new FakeApi();
    api.events = spread(600, NOW_S - 20 * DAY, NOW_S - 1000);
    const clock = clockAt(NOW);
    await collect({ store, client: api, clock, initialLookbackSec: 2 * DAY });
    expect((await store.getCheckpoint('all'))!.low).toBe(NOW_S - 2 * DAY);
    expect(await ids()).toEqual(visible(api, NOW_S - 2 * DAY, NOW_S));

    // Backfill to 20 days, stopped by the abort signal after a few windows.
    const ac = new AbortController();
    const lows: number[] = [];
    const progress: Progress[] = [];
    let calls = 0;
    api.before = () => {
      if (++calls === 6) ac.abort();
    };
    const s1 = await collect({ store, client: api, clock, since: NOW_S - 20 * DAY, signal: ac.signal, pageLimit: 20, onProgress: (p) => progress.push(p), onStored: async () => void lows.push((await store.getCheckpoint('all'))!.low) });
    expect(s1.aborted).toBe(true);
    const cp1 = (await store.getCheckpoint('all'))!;
    expect(cp1.lastRun).toMatchObject({ aborted: true });
    expect(cp1.low).toBeLessThan(NOW_S - 2 * DAY);
    expect(cp1.low).toBeGreaterThan(NOW_S - 20 * DAY);
    const stored = await store.allIds();
    for (const id of visible(api, cp1.low, cp1.high)) expect(stored.has(id)).toBe(true);
    expect(progress.some((p) => p.phase === 'backfill')).toBe(true);
    expect([...lows].sort((a, b) => b - a)).toEqual(lows); // low only moves back

    api.before = undefined;
    api.calls = [];
    const s2 = await collect({ store, client: api, clock, since: NOW_S - 20 * DAY, pageLimit: 20 });
    expect(await ids()).toEqual(visible(api, NOW_S - 20 * DAY, NOW_S));
    expect(s2.checkpoint.low).toBe(NOW_S - 20 * DAY);
    // The resumed backfill starts just below the low it had reached.
    expect(Math.max(...api.calls.filter((c) => c.latest! < cp1.low).map((c) => c.latest!))).toBe(cp1.low - 1);
  });

  it('keeps anomalies-only and full collections on separate checkpoints', async () => {
    const api = new FakeApi();
    api.events = [...spread(50, NOW_S - DAY, NOW_S - 1000), ...spread(7, NOW_S - DAY, NOW_S - 1000, 'an', 'anomaly')];
    const a = await collect({ store, client: api, clock: clockAt(NOW), filters: ANOMALIES_ONLY, initialLookbackSec: 2 * DAY });
    expect(a.new).toBe(7);
    expect(api.calls.every((c) => c.action === 'anomaly')).toBe(true);
    expect(await store.getCheckpoint('all')).toBeNull();
    const f = await collect({ store, client: api, clock: clockAt(NOW), initialLookbackSec: 2 * DAY });
    expect(f.new).toBe(50);
    expect(f.duplicates).toBe(7);
    const st = await describeCheckpoints(store, clockAt(NOW));
    expect(st.map((c) => c.key)).toEqual(['action=anomaly', 'all']);
    expect(st[1]).toMatchObject({ lagSec: 120, highIso: '2024-01-09T23:58:00Z' });
  });

  it('reports progress with rate and ETA, and hands inserted ids to onStored', async () => {
    const api = new FakeApi();
    api.events = spread(120, NOW_S - 3 * DAY, NOW_S - 1000);
    const clock = clockAt(NOW);
    const seen: string[] = [];
    const progress: Progress[] = [];
    api.before = () => void (clock.t += 100);
    await collect({ store, client: api, clock, initialLookbackSec: 3 * DAY, pageLimit: 10, onProgress: (p) => progress.push({ ...p }), onStored: (i) => void seen.push(...i) });
    expect(seen.sort()).toEqual(await ids());
    const mid = progress[Math.floor(progress.length / 2)]!;
    expect(mid.rate).toBeGreaterThan(0);
    expect(mid.etaSec).toBeGreaterThan(0);
    expect(mid.window).not.toBeNull();
    expect(progress.at(-1)!.phase).toBe('done');
    expect(progress.at(-1)!.rangeDoneSec).toBe(progress.at(-1)!.rangeTotalSec);
  });

  it('follow mode repeats runs, re-reads the overlap only every overlapEverySec, and stops on abort', async () => {
    const api = new FakeApi();
    api.events = spread(50, NOW_S - DAY, NOW_S - 1000);
    const clock = clockAt(NOW);
    const ac = new AbortController();
    const runs: number[] = [];
    const oldestPerRun: number[] = [];
    let before = 0;
    const f = await followLoop({
      store,
      client: api,
      clock,
      initialLookbackSec: 2 * DAY,
      intervalSec: 600,
      overlapEverySec: 1800,
      signal: ac.signal,
      sleep: async (ms) => {
        clock.t += ms;
        api.events.push(ev(`f${clock.t}`, clock.t / 1000 - 300));
      },
      onRun: (_s, n) => {
        runs.push(n);
        oldestPerRun.push(Math.min(...api.calls.slice(before).map((c) => c.oldest!)));
        before = api.calls.length;
        if (n === 5) ac.abort();
      },
    });
    expect(f.runs).toBe(5);
    expect(await ids()).toEqual(api.events.filter((e) => e.ts <= NOW_S + 4 * 600 - 120).map((e) => e.id).sort());
    // Runs 1 and 4 (after 30 min) re-read 6 h; runs 2, 3, 5 start right after the previous high.
    const high = (n: number) => NOW_S + (n - 1) * 600 - 120;
    expect(oldestPerRun[1]).toBe(high(1) + 1);
    expect(oldestPerRun[3]).toBe(high(3) + 1 - 6 * HOUR);
    expect(oldestPerRun[4]).toBe(high(4) + 1);
  });

  it('follow mode goes on after transient errors and stops on auth errors', async () => {
    const api = new FakeApi();
    api.events = spread(10, NOW_S - DAY, NOW_S - 1000);
    let n = 0;
    api.before = () => {
      n++;
      if (n === 1) throw new Error('socket hang up');
      if (n === 4) throw new AuthError('token revoked', { code: 'token_revoked' });
    };
    const errors: unknown[] = [];
    const clock = clockAt(NOW);
    await expect(
      followLoop({ store, client: api, clock, initialLookbackSec: 2 * DAY, intervalSec: 60, sleep: async (ms) => void (clock.t += ms), onError: (e) => errors.push(e) }),
    ).rejects.toBeInstanceOf(AuthError);
    expect(errors).toHaveLength(1);
    expect(await store.countEvents()).toBe(10);
  });
});
