/**
 * Reliability: `gridwatch collect` killed with SIGKILL at random moments, 20 times, against the simulator with every
 * fault on (429 storms from a small token bucket, 5xx, truncated and slow bodies, expired and lost cursors,
 * duplicates, late events), then one clean run: the store must hold exactly the simulator's ids, and after every kill
 * the checkpoint must cover no event that is not stored. The kill helpers are the crash test's (test/collect-kill.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRng, startSimulator, type Simulator } from '../../src/sim/index.ts';
import { runCli } from '../cli-helpers.ts';
import { checkpointIsHonest, killAfterRequests } from '../collect-kill.ts';
import { BACKENDS, skipOn } from './backends.ts';
import { figure } from './figures.ts';

const RUNS = 20;
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261313);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-rel-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every fault the simulator has, at rates that make each happen several times in a run. */
function faultySimulator(): Promise<Simulator> {
  return startSimulator({
    seed: 13,
    users: 20,
    days: 2,
    // A token bucket slower than the collector's pace (one call per 80 ms against one per 60 ms): 429s come in runs.
    // Retry-After is a fraction of a second (Slack's are whole seconds) so that the storms do not stretch the suite.
    rateLimit: { perMinute: 12, windowSec: 1, burst: 4, retryAfterSec: 0.05 },
    faults: {
      errorRate: 0.05,
      slowRate: 0.1,
      slowMs: 100,
      truncateRate: 0.04,
      duplicateRate: 0.1,
      cursorExpirySec: 2,
      cursorInvalidRate: 0.03,
      // Late events of the last half hour appear while the runs go on; the rest are released before the final run.
      lateFraction: 0.05,
      lateDelaySec: 1800,
      faultSeed: SEED,
    },
  });
}

// The backends' loops run at the same time (each with its own simulator and store): they mostly wait on slow and
// rate-limited answers, and one after the other they took over three minutes of the suite's time.
describe.concurrent('collector crash', () => {
  for (const backend of BACKENDS) {
    const reason = backend.skipReason();
    if (reason !== null) {
      skipOn('collector crash', backend, reason);
      continue;
    }
    it(`${backend.name}: ${RUNS} SIGKILLs at random moments with every fault on, then exactly the simulator's ids`, async ({ expect }) => {
      const sim = await faultySimulator();
      const made = await backend.create(dir, 'crash');
      try {
        const env = { SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner };
        const args = ['--db', made.dbArg, 'collect', '--since', '3d', '--settle', '0', '--page-limit', '40', '--budget', '1000', '--format', 'json'];
        console.log(`[reliability] collector crash (${backend.name}): seed ${SEED} (RELIABILITY_SEED=${SEED} reproduces it)`);
        const rng = createRng(SEED).next;
        let killed = 0;
        let partial = 0;
        const t0 = Date.now();
        for (let i = 0; i < RUNS; i++) {
          const after = 2 + Math.floor(rng() * 20);
          const visibleBefore = sim.now();
          const r = await runCli(args, { env, onSpawn: killAfterRequests(sim, after) });
          if (r.signal === 'SIGKILL') killed++;
          else expect(r.code, r.stderr).toBe(0); // a run that finished before its kill must have succeeded
          const store = await made.open();
          try {
            const c = await checkpointIsHonest(store, sim, visibleBefore);
            expect(c.missingUnderCheckpoint, `run ${i + 1}: the checkpoint covers events that are not stored`).toEqual([]);
            if (r.signal === 'SIGKILL' && c.stored > 0 && c.stored < sim.visibleIds().size) partial++;
          } finally {
            await store.close();
          }
        }
        sim.releaseLate();
        const final = await runCli(args, { env });
        expect(final.code, final.stderr).toBe(0);
        const store = await made.open();
        const stored = await store.allIds();
        await store.close();
        const expected = sim.visibleIds();
        const missing = [...expected].filter((id) => !stored.has(id)).length;
        const extra = [...stored].filter((id) => !expected.has(id)).length;
        const f = sim.stats.faults;
        figure({ area: 'collector crash', backend: backend.name, name: 'runs killed with SIGKILL', value: `${killed}/${RUNS}` });
        figure({ area: 'collector crash', backend: backend.name, name: 'kills that left a partial store', value: partial });
        figure({ area: 'collector crash', backend: backend.name, name: 'ids missing / extra after final run', value: `${missing} / ${extra} of ${expected.size}` });
        figure({
          area: 'collector crash',
          backend: backend.name,
          name: 'faults served',
          value: `429 ${sim.stats.rateLimited}, 5xx ${(f.error_500 ?? 0) + (f.error_502 ?? 0) + (f.error_503 ?? 0)}, truncated ${(f.truncate_destroy ?? 0) + (f.truncate_short ?? 0)}, slow ${f.slow ?? 0}, cursor lost/expired ${(f.cursor_invalid ?? 0) + (f.cursor_expired ?? 0)}, duplicates ${f.duplicate ?? 0}`,
        });
        figure({ area: 'collector crash', backend: backend.name, name: 'time (beside the other backend\'s loop)', value: Math.round((Date.now() - t0) / 1000), unit: 's' });
        expect(killed).toBeGreaterThanOrEqual(RUNS - 2); // a run may finish before its kill; nearly all must be killed
        expect(partial).toBeGreaterThanOrEqual(1);
        expect(stored).toEqual(expected);
        // Every kind of fault was really served.
        expect(sim.stats.rateLimited).toBeGreaterThan(0);
        for (const kind of ['slow', 'duplicate']) expect(f[kind] ?? 0, kind).toBeGreaterThan(0);
        expect((f.error_500 ?? 0) + (f.error_502 ?? 0) + (f.error_503 ?? 0)).toBeGreaterThan(0);
        expect((f.truncate_destroy ?? 0) + (f.truncate_short ?? 0)).toBeGreaterThan(0);
        expect((f.cursor_invalid ?? 0) + (f.cursor_expired ?? 0)).toBeGreaterThan(0);
      } finally {
        await made.cleanup();
        await sim.close();
      }
    }, 360_000);
  }
});
