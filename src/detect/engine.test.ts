import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalise } from '../events/normalise.ts';
import { generateOrg, STORY } from '../sim/generator.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { IncomingEvent } from '../store/types.ts';
import { EventView } from './event-view.ts';
import type { GroupedAlert } from './grouping.ts';
import { incrementalWithEngine, MARK_KEY } from './incremental.ts';
import { MemoryStore } from './memory-store.ts';
import { replayWithEngine } from './replay.ts';
import { RuleRunner, StreamDispatcher } from './runner.ts';
import { comparable, sortAlerts, specEvents, storeWith, testEngine } from './testing.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'gw-engine-'));
  dirs.push(d);
  return join(d, 'test.db');
}

/** A deterministic shuffle (mulberry32). */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let s = seed;
  const r = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// A small organisation with the seed story, background anomalies and admin activity: 10 days, 40 people.
const END = 1717408800 + 3 * 3600;
const org = generateOrg({ seed: 11, users: 40, days: 10, end: END });
const EVENTS: IncomingEvent[] = org.events.map((e) => ({ raw: e.raw, norm: normalise(e.event as never) }));

async function replayed(events: readonly IncomingEvent[], config: Record<string, unknown> = {}) {
  const store = await storeWith(events);
  const engine = testEngine(config);
  await replayWithEngine(store, engine);
  return sortAlerts(await engine.alerts.list()).map(comparable);
}

describe('replay', () => {
  it('finds the seed story: scraping, excessive downloads over baseline, unexpected user agent, AER sign-out', async () => {
    const alerts = await replayed(EVENTS);
    const matt = alerts.filter((a) => a.user_id === STORY.userId).map((a) => a.rule);
    expect(matt).toEqual(expect.arrayContaining(['scraping-suspected', 'excessive-downloads-over-baseline', 'unexpected-user-agent', 'slack-anomaly', 'aer-sessions-reset']));
    expect(matt).not.toContain('session-hijack-suspected');
    const scraping = alerts.find((a) => a.rule === 'scraping-suspected' && a.user_id === STORY.userId)!;
    const ctx = scraping.context as { downloads: { files: Array<{ file_name: string }> }; aer_reset: unknown };
    expect(ctx.downloads.files.map((f) => f.file_name)).toContain(STORY.fileName);
    expect(ctx.aer_reset).not.toBeNull();
  });

  it('gives the same alerts whatever order the events were stored in', async () => {
    const a = await replayed(EVENTS);
    const b = await replayed(shuffled(EVENTS, 3));
    expect(b).toEqual(a);
  });
});

describe('exclusions', () => {
  it('drops a user excluded by id from one rule only', async () => {
    const alerts = await replayed(EVENTS, { allowlists: { exclude_users: { 'scraping-suspected': [STORY.userId] } } });
    const matt = alerts.filter((a) => a.user_id === STORY.userId).map((a) => a.rule);
    expect(matt).not.toContain('scraping-suspected');
    expect(matt).toEqual(expect.arrayContaining(['slack-anomaly', 'excessive-downloads-over-baseline']));
    expect(alerts.some((a) => a.rule === 'scraping-suspected')).toBe(false);
  });

  it('drops a user excluded by email through a group from every rule, whatever the case of the address', async () => {
    const all = await replayed(EVENTS);
    const config = { allowlists: { groups: { leavers: [STORY.email.toUpperCase()] }, exclude_users: { '*': ['group:leavers'] } } };
    const alerts = await replayed(EVENTS, config);
    expect(all.filter((a) => a.user_id === STORY.userId).length).toBeGreaterThan(3);
    expect(alerts.filter((a) => a.user_id === STORY.userId)).toEqual([]);
    expect(alerts).toEqual(all.filter((a) => a.user_id !== STORY.userId));
  });
});

describe('history lane', () => {
  it('feeding history-only events without views gives the same new-IP alerts as the full path', () => {
    const engine = testEngine({}, ['anomaly-from-new-ip']);
    const rule = engine.rules[0]!;
    expect(rule.historyLane).not.toBeNull();
    const events = EVENTS.map((e, i) => ({ seq: i + 1, raw: e.raw, norm: e.norm }))
      .sort((a, b) => a.norm.ts - b.norm.ts || (a.norm.id < b.norm.id ? -1 : 1));
    const summary = (a: GroupedAlert) => `${a.key} ${a.anchor} ${a.events.map((v) => v.norm.id).join(',')} ${JSON.stringify(a.facts)}`;
    const range = { from: 0, to: 1e6 };
    const viaLane: string[] = [];
    const d = new StreamDispatcher([new RuleRunner(rule, engine.env.tz, range, (a) => viaLane.push(summary(a)))]);
    d.pushBatch(events);
    d.finish();
    const viaViews: string[] = [];
    const plain = new RuleRunner(rule, engine.env.tz, range, (a) => viaViews.push(summary(a)));
    for (const e of events) plain.push(new EventView(e));
    plain.flush();
    expect(viaViews.length).toBeGreaterThan(0);
    expect(viaLane).toEqual(viaViews);
  });

  it('gives the same alerts when history rows and anomalies share a second (history first, as pages feed it)', () => {
    // No grace: the history window [t - lookback, t) ends right at the anomaly, so a same-second login must not count
    // whether it is dispatched before or after the anomaly. Short lookback: pruning happens during the stream.
    const config = { rules: { overrides: { 'anomaly-from-new-ip': { params: { grace: 0, lookback: 7200 } } } } };
    const rule = testEngine(config, ['anomaly-from-new-ip']).rules[0]!;
    expect(rule.historyLane).not.toBeNull();
    const raw: Record<string, unknown>[] = [];
    const t0 = 1_700_000_000;
    for (let k = 0; k < 400; k++) {
      const ts = t0 + Math.floor(k / 4) * 1800 + (k % 2);
      const user = `W${k % 3}`;
      const ip = `198.51.100.${k % 5}`;
      const ctx = { ip_address: ip, ua: 'Slack/4.41' };
      raw.push({ id: `l${k}`, date_create: ts, action: 'user_login', actor: { type: 'user', user: { id: user } }, context: ctx });
      if (k % 3 === 0) raw.push({ id: `a${k}`, date_create: ts, action: 'anomaly', actor: { type: 'user', user: { id: user } }, context: ctx, details: { reason: ['ip_address'] } });
    }
    const events = raw
      .map((ev, i) => ({ seq: i + 1, raw: JSON.stringify(ev), norm: normalise(ev as never) }))
      .sort((a, b) => a.norm.ts - b.norm.ts || a.seq - b.seq);
    const summary = (a: GroupedAlert) => `${a.key} ${a.anchor} ${a.events.map((v) => v.norm.id).join(',')}`;
    const range = { from: 0, to: 1e6 };
    const viaLane: string[] = [];
    const d = new StreamDispatcher([new RuleRunner(rule, testEngine().env.tz, range, (a) => viaLane.push(summary(a)))]);
    // Pages cut in the middle of a second.
    for (let i = 0; i < events.length; i += 7) d.pushBatch(events.slice(i, i + 7));
    d.finish();
    const viaViews: string[] = [];
    const plain = new RuleRunner(rule, testEngine().env.tz, range, (a) => viaViews.push(summary(a)));
    const byTimeThenId = [...events].sort((a, b) => a.norm.ts - b.norm.ts || (a.norm.id < b.norm.id ? -1 : 1));
    for (const e of byTimeThenId) plain.push(new EventView(e));
    plain.flush();
    expect(viaViews.length).toBeGreaterThan(5);
    // Some anomalies are from an IP the user used earlier in the window: not everything fires.
    expect(viaViews.length).toBeLessThan(raw.filter((r) => r.action === 'anomaly').length);
    expect(viaLane).toEqual(viaViews);
  });
});

describe('incremental runs equal a replay', () => {
  const cases: Array<[string, (evs: IncomingEvent[]) => IncomingEvent[], number]> = [
    ['in time order, in chunks', (e) => e, 700],
    ['newest first (as Slack delivers)', (e) => [...e].reverse(), 900],
    ['in random order', (e) => shuffled(e, 7), 600],
  ];
  it.each(cases)('%s', async (_name, order, chunk) => {
    const expected = await replayed(EVENTS);
    const store = new MemoryStore();
    const engine = testEngine();
    const arrival = order(EVENTS);
    for (let i = 0; i < arrival.length; i += chunk) {
      await store.appendEvents(arrival.slice(i, i + chunk));
      await incrementalWithEngine(store, engine);
    }
    expect(sortAlerts(await engine.alerts.list()).map(comparable)).toEqual(expected);
  });

  it('a large backlog is replayed over its span and gives the same alerts', async () => {
    const expected = await replayed(EVENTS);
    const store = new MemoryStore();
    const engine = testEngine();
    const arrival = shuffled(EVENTS, 5);
    const half = Math.floor(arrival.length / 2);
    await store.appendEvents(arrival.slice(0, half));
    await incrementalWithEngine(store, engine, 1000); // bulk
    await store.appendEvents(arrival.slice(half));
    await incrementalWithEngine(store, engine, 1000); // bulk again, over a different span
    expect(sortAlerts(await engine.alerts.list()).map(comparable)).toEqual(expected);
  });

  it('late events arriving after their day was processed update the alerts', async () => {
    const expected = await replayed(EVENTS);
    const store = new MemoryStore();
    const engine = testEngine();
    // Hold back every 10th event and the story's anomalies, deliver them after everything else.
    const late = EVENTS.filter((e, i) => i % 10 === 0 || (e.norm.actorId === STORY.userId && e.norm.action === 'anomaly'));
    const lateIds = new Set(late.map((e) => e.norm.id));
    const first = EVENTS.filter((e) => !lateIds.has(e.norm.id));
    for (let i = 0; i < first.length; i += 2000) {
      await store.appendEvents(first.slice(i, i + 2000));
      await incrementalWithEngine(store, engine);
    }
    await store.appendEvents([...late].reverse());
    await incrementalWithEngine(store, engine);
    expect(sortAlerts(await engine.alerts.list()).map(comparable)).toEqual(expected);
  });
});

describe('durable state', () => {
  it('a restart in the middle of a correlation window neither misses nor repeats an alert', async () => {
    // A user-agent anomaly, then (after the restart) the excessive downloads that complete the scraping pattern.
    const events = specEvents([
      { reasons: ['user_agent'], at: '+0m' },
      { action: 'file_downloaded', file: 'a.xlsx', at: '+5m' },
      { reasons: ['excessive_downloads'], at: '+30m' },
      { reasons: ['excessive_downloads'], at: '+50m' },
    ]);
    const path = tempDb();
    const delivered: string[] = [];
    const notifier = { deliver: async (as: readonly { id: string; rule: string; version: number }[]) => void delivered.push(...as.map((a) => `${a.rule}@${a.version}`)) };

    let store = await openSqliteStore(path);
    await store.appendEvents(events.slice(0, 2));
    await incrementalWithEngine(store, testEngine({}, ['scraping-suspected'], { alerts: store.alertStore(), notifier }));
    expect(delivered).toEqual([]);
    await store.close();

    store = await openSqliteStore(path); // the restart: new process, same database
    const engine = testEngine({}, ['scraping-suspected'], { alerts: store.alertStore(), notifier });
    await store.appendEvents(events.slice(2));
    await incrementalWithEngine(store, engine);
    await incrementalWithEngine(store, engine); // nothing new: nothing repeated
    const alerts = await engine.alerts.list();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.event_ids).toEqual(['e1', 'e3', 'e4']);
    expect(delivered).toEqual(['scraping-suspected@1']);
    await store.close();
  });

  it('a crash after storing alerts but before moving the mark repeats the run without duplicates', async () => {
    const path = tempDb();
    const store = await openSqliteStore(path);
    const delivered: string[] = [];
    const notifier = { deliver: async (as: readonly { id: string }[]) => void delivered.push(...as.map((a) => a.id)) };
    const engine = testEngine({}, undefined, { alerts: store.alertStore(), notifier });
    await store.appendEvents(EVENTS.slice(0, 8000));
    await incrementalWithEngine(store, engine, 100_000);
    const before = sortAlerts(await engine.alerts.list()).map(comparable);
    const sent = delivered.length;
    expect(sent).toBeGreaterThan(0);
    await store.putState(MARK_KEY, '0'); // as if the process died before writing the mark
    await incrementalWithEngine(store, engine, 100_000);
    expect(sortAlerts(await engine.alerts.list()).map(comparable)).toEqual(before);
    expect(delivered.length).toBe(sent);
    await store.close();
  });

  it('a SQLite store gives the same alerts as the in-memory one (lean reads, lazy raw text)', async () => {
    const expected = await replayed(EVENTS);
    const store = await openSqliteStore(tempDb());
    await store.appendEvents(EVENTS);
    const engine = testEngine({}, undefined, { alerts: store.alertStore() });
    await replayWithEngine(store, engine);
    expect(sortAlerts(await engine.alerts.list()).map(comparable)).toEqual(expected);
    await store.close();
  });
});

describe('suppression', () => {
  it('merges firings of one rule and user within the window, splits beyond it and at day boundaries', async () => {
    const store = await storeWith(
      specEvents([
        { reasons: ['tor'], at: '2024-06-03T10:00:00Z' },
        { reasons: ['tor'], at: '2024-06-03T10:59:00Z' },
        { reasons: ['tor'], at: '2024-06-03T11:58:00Z' }, // 59 min after the previous: same alert
        { reasons: ['tor'], at: '2024-06-03T13:00:00Z' }, // 62 min later: a new alert
        { reasons: ['tor'], at: '2024-06-03T23:50:00Z' },
        { reasons: ['tor'], at: '2024-06-04T00:10:00Z' }, // 20 min later but the next day
      ]),
    );
    const engine = testEngine({}, ['slack-anomaly']);
    await replayWithEngine(store, engine);
    const groups = (await engine.alerts.list()).map((a) => a.event_ids).sort();
    expect(groups).toEqual([['e1', 'e2', 'e3'], ['e4'], ['e5'], ['e6']]);
  });

  it('a configured suppression window applies', async () => {
    const store = await storeWith(specEvents([{ reasons: ['tor'], at: '+0m' }, { reasons: ['tor'], at: '+90m' }]));
    const engine = testEngine({ rules: { overrides: { 'slack-anomaly': { suppress: '2h' } } } }, ['slack-anomaly']);
    await replayWithEngine(store, engine);
    expect((await engine.alerts.list()).map((a) => a.event_ids)).toEqual([['e1', 'e2']]);
  });
});
