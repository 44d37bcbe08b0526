/**
 * The collector's manners with Slack's shared budget, and its fault accounting, against the simulator over loopback
 * into a real SQLite file (real time: the simulator's rate limiter runs on the wall clock).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, describeCheckpoints } from '../src/collector/index.ts';
import { createAuditClient, type AuditClientOptions } from '../src/slack/audit-client.ts';
import { startSimulator, type SimulatorOptions } from '../src/sim/index.ts';
import { TEST_END } from '../src/sim/testing.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const SINCE = TEST_END - 3 * 86_400;
/** Collector "now": past the generated range plus the settle delay. */
const START_MS = (TEST_END + 300) * 1000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(simOpts: SimulatorOptions, clientOpts: Partial<AuditClientOptions>) {
  const t0 = Date.now();
  const clock = { now: () => START_MS + (Date.now() - t0) };
  const sim = await startSimulator({ seed: 7, users: 30, days: 2, end: TEST_END, now: () => Math.floor(clock.now() / 1000), ...simOpts });
  cleanups.push(() => sim.close());
  const dir = mkdtempSync(join(tmpdir(), 'gw-collector-faults-'));
  const store = await openSqliteStore(join(dir, 'events.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = createAuditClient({ baseUrl: sim.auditBaseUrl, token: sim.tokens.owner, clock, ...clientOpts });
  const run = (pageLimit: number) => collect({ store, client, clock, since: SINCE, pageLimit });
  const stored = async () => (await store.allIds()).size;
  return { sim, store, run, stored };
}

describe('collector and the org budget', () => {
  it('spreads its calls so that an org budget with a small burst never answers 429', async () => {
    // Slack-like: a token bucket with a burst of 5, here at 150 a minute (one call every 0.4 s) to stay fast; the
    // client uses the whole budget, as gridwatch alone on an org would with the 50/min limit.
    const h = await setup({ rateLimit: { perMinute: 150, burst: 5 } }, { budgetPerMinute: 150 });
    const s = await h.run(250);
    expect(s.pages).toBeGreaterThanOrEqual(12); // more calls than the burst, so spacing is what is tested
    expect(h.sim.stats.rateLimited).toBe(0);
    expect(s.faults.rate_limited).toBe(0);
    expect(await h.stored()).toBe(h.sim.visibleIds().size);
  });
});

describe('collector fault accounting', () => {
  it('counts exactly the faults the simulator injected, and keeps them per filter set across runs', async () => {
    const h = await setup(
      {
        rateLimit: { perMinute: 6, windowSec: 1, retryAfterSec: 1 },
        faults: { errorRate: 0.15, truncateRate: 0.15, cursorInvalidRate: 0.1, faultSeed: 13 },
      },
      { budgetPerMinute: 100_000, backoff: { baseMs: 10, capMs: 50 } },
    );
    const s = await h.run(200);
    const f = h.sim.stats.faults;
    const injected = {
      rate_limited: h.sim.stats.rateLimited,
      server_errors: (f.error_500 ?? 0) + (f.error_502 ?? 0) + (f.error_503 ?? 0),
      truncated: (f.truncate_destroy ?? 0) + (f.truncate_short ?? 0),
      rereads: (f.cursor_invalid ?? 0) + (f.cursor_expired ?? 0),
    };
    for (const n of Object.values(injected)) expect(n).toBeGreaterThan(0);
    // Every 429, 5xx and broken body was retried; a rejected cursor re-reads its window instead.
    expect(s.faults).toEqual({ ...injected, retries: injected.rate_limited + injected.server_errors + injected.truncated });
    expect(s.faults.rereads).toBe(s.restarts);
    expect(await h.stored()).toBe(h.sim.visibleIds().size);

    const [cp] = await describeCheckpoints(h.store);
    expect(cp!.lastRunFaults).toEqual(s.faults);
    expect(cp!.faultTotals).toMatchObject(s.faults);

    const s2 = await h.run(200); // the 6 h overlap is read again, with faults of its own
    const [cp2] = await describeCheckpoints(h.store);
    expect(cp2!.lastRunFaults).toEqual(s2.faults);
    const sum = Object.fromEntries(Object.entries(s.faults).map(([k, v]) => [k, v + s2.faults[k as keyof typeof s.faults]]));
    expect(cp2!.faultTotals).toEqual({ ...sum, since: cp!.faultTotals!.since });
  });
});
