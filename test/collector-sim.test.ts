/**
 * The collector against the Slack simulator over loopback HTTP, storing into a real SQLite file: the stored set of ids
 * must equal the simulator's visible set exactly under every fault, alone and together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ANOMALIES_ONLY, collect, describeCheckpoints, type CollectOptions, type CollectSummary } from '../src/collector/index.ts';
import { createAuditClient, type AuditClient, type AuditClientOptions, type ClientEvent } from '../src/slack/audit-client.ts';
import { AuthError } from '../src/slack/errors.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.ts';
import { TEST_END } from '../src/sim/testing.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import type { Store } from '../src/store/types.ts';

const END = TEST_END; // the generated log ends here (Unix seconds)
const DAY = 86_400;
/** Collection starts before the generated range so that everything is inside it. */
const SINCE = END - 3 * DAY;
/** Collector "now": far enough past END that now - settle (120 s) covers every generated second. */
const START_MS = (END + 300) * 1000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Harness {
  sim: Simulator;
  store: Store;
  client: AuditClient;
  clock: { now(): number };
  events: ClientEvent[];
  /** Clock time of every HTTP attempt. */
  requestTimes: number[];
  /** Entries per page as the client returned them. */
  pageSizes: number[];
  run(extra?: Partial<CollectOptions>): Promise<CollectSummary>;
}

/**
 * Simulator + store + client. `time: 'fake'` (default): one clock for collector, client and simulator that moves only
 * when the client sleeps (backoff, budget, Retry-After), so waits cost nothing. `time: 'real'`: the clock runs with
 * real time from START_MS and sleeps are real (needed when the simulator's rate limiter, on real time, is on).
 */
async function harness(simOpts: SimulatorOptions = {}, clientOpts: Partial<AuditClientOptions> = {}, time: 'fake' | 'real' = 'fake'): Promise<Harness> {
  let clock: { now(): number };
  let sleep: AuditClientOptions['sleep'];
  if (time === 'fake') {
    const c = { t: START_MS, now: () => c.t };
    clock = c;
    sleep = async (ms) => void (c.t += ms);
  } else {
    const t0 = Date.now();
    clock = { now: () => START_MS + (Date.now() - t0) };
  }
  const sim = await startSimulator({ seed: 7, users: 30, days: 2, end: END, now: () => Math.floor(clock.now() / 1000), rateLimit: false, ...simOpts });
  cleanups.push(() => sim.close());
  const dir = mkdtempSync(join(tmpdir(), 'gridwatch-sim-'));
  const store = await openSqliteStore(join(dir, 'events.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const events: ClientEvent[] = [];
  const requestTimes: number[] = [];
  const inner = createAuditClient({
    baseUrl: sim.auditBaseUrl,
    token: sim.tokens.owner,
    clock,
    ...(sleep ? { sleep } : {}),
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'request') requestTimes.push(clock.now());
    },
    ...clientOpts,
  });
  const pageSizes: number[] = [];
  const client: AuditClient = {
    baseUrl: inner.baseUrl,
    getActions: (o) => inner.getActions(o),
    getSchemas: (o) => inner.getSchemas(o),
    getLogs: async (p, o) => {
      const r = await inner.getLogs(p, o);
      pageSizes.push(r.entries.length);
      return r;
    },
  };
  const h: Harness = {
    sim,
    store,
    client,
    clock,
    events,
    requestTimes,
    pageSizes,
    run: (extra = {}) => collect({ store, client, clock, since: SINCE, pageLimit: 200, ...extra }),
  };
  return h;
}

/** The stored ids are exactly the simulator's visible ids: nothing lost, nothing extra, nothing twice. */
async function expectExact(h: Harness, filter: (action: string) => boolean = () => true): Promise<void> {
  const actionOf = new Map(h.sim.events().map((e) => [String(e.event.id), String(e.event.action)]));
  const visible = [...h.sim.visibleIds()].filter((id) => filter(actionOf.get(id)!));
  const stored = await h.store.allIds();
  expect(visible.length).toBeGreaterThan(0);
  expect([...stored].filter((id) => !visible.includes(id))).toEqual([]);
  const vis = new Set(visible);
  expect(visible.filter((id) => !stored.has(id))).toEqual([]);
  expect(stored.size).toBe(vis.size);
  expect(await h.store.countEvents()).toBe(vis.size);
}

const countFaults = (sim: Simulator, prefix: string) =>
  Object.entries(sim.stats.faults).filter(([k]) => k.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);

describe('collector vs simulator', () => {
  it('collects exactly the visible set, each event stored with the exact text served', async () => {
    const h = await harness();
    const s = await h.run();
    await expectExact(h);
    expect(s).toMatchObject({ new: h.sim.visibleIds().size, duplicates: 0, quarantined: 0, late: 0 });
    expect(s.fetched).toBe(s.new);
    expect(s.checkpoint).toEqual({ key: 'all', low: SINCE, high: END + 180 });
    for (const e of h.sim.events()) expect((await h.store.getEvent(String(e.event.id)))!.raw).toBe(e.raw);
    // A second run re-reads only the overlap and finds nothing new.
    const s2 = await h.run();
    expect(s2).toMatchObject({ new: 0, late: 0 });
    expect(s2.duplicates).toBe(s2.fetched);
  });

  it('server errors (500, 502 HTML, 503)', async () => {
    const h = await harness({ faults: { errorRate: 0.3, faultSeed: 11 } });
    await h.run();
    await expectExact(h);
    expect(countFaults(h.sim, 'error_')).toBeGreaterThan(3);
    expect(h.events.some((e) => e.type === 'retry')).toBe(true);
  });

  it('slow responses with a short client timeout', async () => {
    const h = await harness({ faults: { slowRate: 0.25, slowMs: 1000, faultSeed: 5 } }, { timeoutMs: 250 });
    await h.run({ pageLimit: 400 });
    await expectExact(h);
    expect(countFaults(h.sim, 'slow')).toBeGreaterThan(0);
    expect(h.events.some((e) => e.type === 'retry' && /timed out after 250 ms/.test(e.reason))).toBe(true);
  });

  it('truncated bodies (socket destroyed, and lying Content-Length)', async () => {
    const h = await harness({ faults: { truncateRate: 0.3, faultSeed: 2 } });
    const s = await h.run();
    await expectExact(h);
    expect(s.quarantined).toBe(0); // a broken body is retried, never half-imported
    expect(h.sim.stats.faults.truncate_destroy ?? 0).toBeGreaterThan(0);
    expect(h.sim.stats.faults.truncate_short ?? 0).toBeGreaterThan(0);
  });

  it('duplicate deliveries across pages and windows', async () => {
    const h = await harness({ faults: { duplicateRate: 0.5, faultSeed: 4 } });
    const s = await h.run({ pageLimit: 100 });
    await expectExact(h);
    expect(s.duplicates).toBeGreaterThan(0);
    expect(s.new).toBe(h.sim.visibleIds().size);
  });

  it('invalid and expired cursors (expiry shorter than the budget waits)', async () => {
    // 8 calls a minute in bursts of 8: the client waits up to 60 s (fake time) every 8 calls, longer than a cursor lives.
    const h = await harness({ faults: { cursorInvalidRate: 0.1, cursorExpirySec: 40, faultSeed: 8 } }, { budgetPerMinute: 8, budgetBurst: 8 });
    const s = await h.run({ pageLimit: 100 });
    await expectExact(h);
    expect(s.restarts).toBeGreaterThan(0);
    expect(h.sim.stats.faults.cursor_invalid ?? 0).toBeGreaterThan(0);
    expect(h.sim.stats.faults.cursor_expired ?? 0).toBeGreaterThan(0);
  });

  it('keeps to the client call budget (fake time)', async () => {
    const h = await harness({}, { budgetPerMinute: 6 });
    await h.run({ pageLimit: 150 });
    const starts = h.requestTimes;
    await expectExact(h);
    expect(starts.length).toBeGreaterThan(12);
    for (let i = 6; i < starts.length; i++) expect(starts[i]! - starts[i - 6]!).toBeGreaterThanOrEqual(60_000);
  });

  it('rate limiting: 429 with Retry-After 1 (real time)', async () => {
    const h = await harness({ rateLimit: { perMinute: 4, windowSec: 1, retryAfterSec: 1 } }, { budgetPerMinute: 10_000 }, 'real');
    const t0 = Date.now();
    await h.run({ pageLimit: 600 });
    await expectExact(h);
    expect(h.sim.stats.rateLimited).toBeGreaterThan(0);
    const rl = h.events.filter((e) => e.type === 'rate_limited');
    expect(rl.length).toBe(h.sim.stats.rateLimited);
    expect(rl.every((e) => e.type === 'rate_limited' && e.retryAfterMs === 1000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900 * rl.length);
  });

  it('late arrivals: collect, release, collect again; late counts the released events inside the overlap', async () => {
    const h = await harness({ faults: { lateFraction: 0.05, lateDelaySec: 3600, faultSeed: 3 } });
    const before = h.sim.visibleIds();
    const hidden = h.sim.events().filter((e) => !before.has(String(e.event.id)));
    expect(hidden.length).toBeGreaterThan(0);
    const s1 = await h.run();
    await expectExact(h);
    h.sim.releaseLate();
    const s2 = await h.run();
    await expectExact(h);
    const high = s1.checkpoint.high!;
    const insideOverlap = hidden.filter((e) => Number(e.event.date_create) <= high && Number(e.event.date_create) > high - 6 * 3600).length;
    expect(insideOverlap).toBe(hidden.length);
    expect(s2.late).toBe(insideOverlap);
    expect(s2.new).toBe(hidden.length);
  });

  it('ties with a tiny page limit: pages overflow the limit and nothing is lost', async () => {
    const h = await harness({ users: 12, days: 1 });
    const s = await h.run({ pageLimit: 2 });
    await expectExact(h);
    expect(Math.max(...h.pageSizes)).toBeGreaterThan(2);
    expect(s.pages).toBeGreaterThan(100);
  });

  it('more than 30 actions are split into chunks of at most 30', async () => {
    const h = await harness();
    const present = [...new Set(h.sim.events().map((e) => String(e.event.action)))];
    const catalogue = Object.values(await h.client.getActions()).flat();
    const chosen = [...new Set([...present.filter((_, i) => i % 4 !== 0), ...catalogue.filter((a) => !present.includes(a)).slice(0, 30)])];
    expect(chosen.length).toBeGreaterThan(30);
    const sent: string[] = [];
    const inner = h.client.getLogs;
    h.client.getLogs = (p, o) => {
      sent.push(p.action!);
      return inner(p, o);
    };
    await h.run({ filters: { actions: chosen } });
    const set = new Set(chosen);
    await expectExact(h, (a) => set.has(a));
    expect(sent.every((a) => a.split(',').length <= 30)).toBe(true);
    expect(new Set(sent).size).toBe(Math.ceil(chosen.length / 30));
  });

  it('anomalies-only has its own checkpoint, separate from the full collection', async () => {
    const h = await harness();
    const a = await h.run({ filters: ANOMALIES_ONLY });
    await expectExact(h, (act) => act === 'anomaly');
    expect(a.checkpoint.key).toBe('action=anomaly');
    expect(await h.store.getCheckpoint('all')).toBeNull();
    const f = await h.run();
    await expectExact(h);
    expect(f.duplicates).toBe(a.new);
    expect((await describeCheckpoints(h.store, h.clock)).map((c) => c.key)).toEqual(['action=anomaly', 'all']);
  });

  it('resumes without loss after an auth failure midway (token swapped)', async () => {
    const h = await harness();
    const bad = createAuditClient({ baseUrl: h.sim.auditBaseUrl, token: h.sim.tokens.noScope, clock: h.clock, sleep: async () => undefined });
    let calls = 0;
    const flaky: AuditClient = { ...h.client, getLogs: (p, o) => (++calls > 6 ? bad.getLogs(p, o) : h.client.getLogs(p, o)) };
    const err = await collect({ store: h.store, client: flaky, clock: h.clock, since: SINCE, pageLimit: 150 }).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).not.toContain(h.sim.tokens.noScope);
    const cp = (await h.store.getCheckpoint('all'))!;
    expect(cp.lastRun).toMatchObject({ errorName: 'AuthError' });
    expect(cp.high).toBeLessThan(END);
    // Everything inside the committed range is stored.
    const stored = await h.store.allIds();
    for (const e of h.sim.events()) {
      const ts = Number(e.event.date_create);
      if (ts >= cp.low && ts <= cp.high) expect(stored.has(String(e.event.id))).toBe(true);
    }
    await h.run({ pageLimit: 150 });
    await expectExact(h);
  });

  it('resumes without loss after an abort midway', async () => {
    const h = await harness();
    const ac = new AbortController();
    const s1 = await h.run({ pageLimit: 100, signal: ac.signal, onProgress: (p) => p.pages === 7 && ac.abort() });
    expect(s1.aborted).toBe(true);
    expect(s1.checkpoint.high).toBeLessThan(END);
    await h.run({ pageLimit: 100 });
    await expectExact(h);
  });

  it('backfill with an earlier since extends low, walking backwards', async () => {
    // No budget waits: fake time then stands still, so the second run's end is known (now - settle).
    const h = await harness({}, { budgetPerMinute: 1e6 });
    const s1 = await h.run({ since: END - DAY / 2 });
    expect(s1.checkpoint.low).toBe(END - DAY / 2);
    const s2 = await h.run({ since: SINCE });
    expect(s2.checkpoint).toMatchObject({ low: SINCE, high: END + 180 });
    await expectExact(h);
  });

  it('every fault at once, rate limit included (real time)', async () => {
    const h = await harness(
      {
        rateLimit: { perMinute: 25, windowSec: 1, retryAfterSec: 1 },
        faults: {
          errorRate: 0.1,
          slowRate: 0.05,
          slowMs: 1000,
          truncateRate: 0.1,
          duplicateRate: 0.2,
          cursorInvalidRate: 0.05,
          cursorExpirySec: 1,
          lateFraction: 0.1,
          lateDelaySec: 4 * 3600,
          faultSeed: 21,
        },
      },
      { budgetPerMinute: 10_000, timeoutMs: 400, backoff: { baseMs: 10, capMs: 100 } },
      'real',
    );
    const hiddenAtStart = h.sim.events().length - h.sim.visibleIds().size;
    expect(hiddenAtStart).toBeGreaterThan(0);
    // Real time moves the simulator clock, so late events may surface during the run: check exactness after the
    // release, when every late event is visible and within the 6 h overlap of the second run.
    await h.run({ pageLimit: 150 });
    h.sim.releaseLate();
    const s2 = await h.run({ pageLimit: 150 });
    await expectExact(h);
    expect(s2.late).toBeGreaterThan(0);
    const f = h.sim.stats.faults;
    expect(Object.keys(f).length).toBeGreaterThanOrEqual(4);
  });
});
