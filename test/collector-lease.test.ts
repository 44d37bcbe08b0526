/**
 * One collector per filter set (issue #13), with real processes: two `gridwatch collect --follow` on one store (a
 * SQLite file, and a throwaway PostgreSQL cluster when its binaries exist) against one simulator with late events.
 * One collects, the other waits; kill -9 the collector and the other takes over within 60 s; in the end the store
 * holds exactly the simulator's ids, each once. Short lease timings through GRIDWATCH_LEASE_MS (documented in the README).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { openStore } from '../src/store/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { BIN, ROOT, runCli, watchOutput, type ChildOutput } from './cli-helpers.ts';
import { pgTestSupport, startPgCluster, type PgCluster } from './pg-cluster.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: collector lease on PostgreSQL (${pgs.reason})`);
const tmp = tempDirs();
let sim: Simulator;
let cluster: PgCluster | undefined;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 30, days: 2, rateLimit: false, faults: { lateFraction: 0.05, lateDelaySec: 3600, slowRate: 0.2, slowMs: 10, faultSeed: 4 } });
  if (pgs.ok) cluster = await startPgCluster(pgs);
});
afterAll(async () => {
  await sim.close();
  await cluster?.stop();
});

const env = () => ({ ...process.env, SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner, GRIDWATCH_LEASE_MS: '3000,500' });

function follower(db: string): { child: ChildProcess; out: ChildOutput } {
  const args = ['--db', db, 'collect', '--follow', '--since', '3d', '--settle', '0', '--interval', '1', '--budget', '1000', '--page-limit', '200'];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, out: watchOutput(child) };
}

async function storedIds(db: string): Promise<{ ids: Set<string>; count: number }> {
  const store = await openStore(db);
  try {
    return { ids: await store.allIds(), count: await store.countEvents() };
  } finally {
    await store.close();
  }
}

const backends = [
  { name: 'sqlite', skip: false, db: async () => join(tmp.make('gw-lease-'), 'lease.db') },
  { name: 'postgres', skip: !pgs.ok, db: async () => cluster!.createDatabase('gw_lease') },
];

for (const b of backends) {
  describe.skipIf(b.skip)(`collector lease: ${b.name}`, () => {
    it('collects in one process at a time; after kill -9 the other takes over and nothing is lost or doubled', async () => {
      const db = await b.db();
      const a = follower(db);
      await a.out.waitFor(/collecting 'all' \(lease held by this process\)/, { stream: 'stderr', timeoutMs: 20_000 });
      const bProc = follower(db);
      await bProc.out.waitFor(new RegExp(`another collector holds the lease of 'all' \\(\\S+ pid ${a.child.pid}\\): waiting`), { stream: 'stderr', timeoutMs: 20_000 });

      // The holder is named by collect --status, and a one-off collect refuses to run beside it.
      const status = await runCli(['--db', db, 'collect', '--status'], { env: env() });
      expect(status.stdout).toMatch(new RegExp(`collector of all: \\S+ pid ${a.child.pid} since .*, lease until`));
      const oneOff = await runCli(['--db', db, 'collect', '--since', '3d', '--settle', '0'], { env: env() });
      expect(oneOff.code).toBe(1);
      expect(oneOff.stderr).toContain(`another collector holds the lease of 'all'`);

      // Let A store some of the events, then let the late ones appear (only an overlap re-read finds them) and kill A.
      await a.out.waitFor(/collected \d+ new events/, { stream: 'stderr', timeoutMs: 30_000 });
      expect(bProc.out.stderr).not.toMatch(/collected \d+ new events/);
      sim.releaseLate();
      const killedAt = Date.now();
      a.child.kill('SIGKILL');
      await bProc.out.waitFor(/collecting 'all' \(lease held by this process\)/, { stream: 'stderr', timeoutMs: 60_000 });
      expect(Date.now() - killedAt).toBeLessThan(60_000);

      const want = sim.visibleIds();
      const deadline = Date.now() + 60_000;
      let got = await storedIds(db);
      while (got.ids.size < want.size && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        got = await storedIds(db);
      }
      bProc.child.kill('SIGTERM');
      const code = await new Promise((r) => bProc.child.on('exit', (c) => r(c)));
      expect(code, bProc.out.stderr.slice(-600)).toBe(0);
      got = await storedIds(db);
      expect(got.ids).toEqual(want);
      expect(got.count).toBe(want.size);
      // B released the lease on its way out: the next collector need not wait.
      const after = await runCli(['--db', db, 'collect', '--status', '--format', 'json'], { env: env() });
      expect(JSON.parse(after.stdout).leases).toEqual([]);
    }, 150_000);
  });
}
