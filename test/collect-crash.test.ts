/**
 * A real `gridwatch collect` process killed with SIGKILL at random moments (a random number of API calls into each
 * run), several times, then run to the end:
 * the store must hold exactly the simulator's events (nothing lost, nothing twice), and the checkpoint must never
 * cover a second whose events are not all stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRng, startSimulator, type Simulator } from '../src/sim/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { runCli } from './cli-helpers.ts';
import { checkpointIsHonest, killAfterRequests } from './collect-kill.ts';

let dir: string;
let sim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
  // Slow answers stretch the run so the kills land mid-collection, between and inside transactions.
  sim = await startSimulator({ seed: 11, users: 40, days: 2, rateLimit: false, faults: { slowRate: 0.3, slowMs: 20, duplicateRate: 0.1, faultSeed: 8 } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function checkpointHonest(db: string): Promise<number> {
  const store = await openSqliteStore(db);
  try {
    const c = await checkpointIsHonest(store, sim);
    expect(c.missingUnderCheckpoint).toEqual([]);
    return c.stored;
  } finally {
    await store.close();
  }
}

it('survives SIGKILL at random points and ends with exactly the visible set', async () => {
  const db = join(dir, 'crash.db');
  const env = { SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner };
  const args = ['--db', db, 'collect', '--since', '3d', '--settle', '0', '--page-limit', '25', '--budget', '1000', '--format', 'json'];
  const rng = createRng(20261126).next;
  let killed = 0;
  let partial = 0;
  for (let i = 0; i < 5; i++) {
    // Kill after a random number of API calls into the run, so the kill always lands mid-collection.
    const after = 2 + Math.floor(rng() * 25);
    const r = await runCli(args, { env, onSpawn: killAfterRequests(sim, after) });
    if (r.signal === "SIGKILL") killed++;
    const n = await checkpointHonest(db);
    if (r.signal === 'SIGKILL' && n > 0 && n < sim.visibleIds().size) partial++;
  }
  expect(killed).toBe(5);
  expect(partial).toBeGreaterThanOrEqual(1); // at least one kill landed mid-collection
  const final = await runCli(args, { env });
  expect(final.code).toBe(0);
  const store = await openSqliteStore(db);
  const stored = await store.allIds();
  await store.close();
  expect(stored).toEqual(sim.visibleIds());
}, 120_000);
