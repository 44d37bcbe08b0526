/**
 * Two hosts sharing the work (issue #13), with real processes: `gridwatch run` processes on one store (a throwaway
 * PostgreSQL cluster when its binaries exist, and a SQLite file) against one simulator. Both serve the UI and the API;
 * one collects. The hosts are played on one machine with GRIDWATCH_HOST_ID:
 * - kill -9 the collector of "host-a": the "host-b" process cannot check a pid on another host, so it takes over when
 *   the lease expires (PostgreSQL with the default 30 s lease: within 40 s);
 * - kill -9 that one: a third process on "host-b" sees the pid gone and takes over at its next retry (within 10 s).
 * Events added while nobody collects and late events released mid-way are all stored, each once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_LEASE, type LeaseTimings } from '../src/collector/lease.ts';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { openStore } from '../src/store/index.ts';
import type { Store } from '../src/store/types.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { BIN, ROOT, runCli, watchOutput, type ChildOutput } from './cli-helpers.ts';
import { pgTestSupport, startPgCluster, type PgCluster } from './pg-cluster.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: two gridwatch run processes on PostgreSQL (${pgs.reason})`);
const tmp = tempDirs();
const PASSWORD = 'run-lease-password-1';
let sim: Simulator;
let cluster: PgCluster | undefined;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, users: 30, days: 2, rateLimit: false, faults: { lateFraction: 0.05, lateDelaySec: 3600, faultSeed: 2 } });
  if (pgs.ok) cluster = await startPgCluster(pgs);
});
afterAll(async () => {
  await sim.close();
  await cluster?.stop();
});

interface RunProc {
  child: ChildProcess;
  out: ChildOutput;
  url: string;
  exited: Promise<number | null>;
}

function env(host: string, timings: LeaseTimings | null): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner, GRIDWATCH_HOST_ID: host };
  delete e.GRIDWATCH_LEASE_MS;
  if (timings) e.GRIDWATCH_LEASE_MS = `${timings.ttlMs},${timings.renewMs}`;
  return e;
}

async function startRun(db: string, host: string, timings: LeaseTimings | null): Promise<RunProc> {
  const args = ['--db', db, 'run', '--port', '0', '--since', '3d', '--settle', '0', '--interval', '1', '--budget', '1000', '--page-limit', '200'];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(host, timings), stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const out = watchOutput(child);
  const [, url] = await out.waitFor(/gridwatch UI: (http:\/\/127\.0\.0\.1:\d+)\//, { timeoutMs: 30_000 });
  return { child, out, url: url!, exited };
}

/** Log in to this process's UI with the CLI-made account and read one API page: the process serves. */
async function servesApi(p: RunProc): Promise<void> {
  const login = await fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ana', password: PASSWORD }) });
  expect(login.status, await login.clone().text()).toBe(200);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const events = await fetch(`${p.url}/api/v1/events?limit=5`, { headers: { cookie } });
  expect(events.status).toBe(200);
  // What the collector stored, whichever process collected it: the store is shared.
  expect((await events.json()).events.length).toBeGreaterThan(0);
}

const holding = /collecting 'all' \(lease held by this process\)/;
const waitingOn = (host: string, pid: number) => new RegExp(`another collector holds the lease of 'all' \\(${host} pid ${pid}\\): waiting to take over`);
const collected = /collected new events/;

/** kill -9 `victim`, then how long until `heir` says it holds the lease. */
async function killAndTime(victim: RunProc, heir: RunProc, timeoutMs: number): Promise<number> {
  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  await heir.out.waitFor(holding, { stream: 'stderr', timeoutMs });
  return Date.now() - killedAt;
}

/** New events stamped now: only a collector that runs after this moment can store them. */
function addFresh(tag: string, n: number): void {
  const model = JSON.parse(sim.events()[0]!.raw) as object;
  sim.addEvents(Array.from({ length: n }, (_, i) => ({ ...model, id: `run-lease-${tag}-${i}`, date_create: sim.now() })));
}

async function waitForAll(store: Store, want: Set<string>, timeoutMs: number): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  let ids = await store.allIds();
  while (ids.size < want.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    ids = await store.allIds();
  }
  return ids;
}

const backends = [
  // Two hosts on one PostgreSQL is the deployment: the shipped timings, so the figure is the real one.
  { name: 'postgres', skip: !pgs.ok, timings: null, db: async () => cluster!.createDatabase('gw_run_lease') },
  // SQLite's "hosts" share one machine's file; short leases keep it quick.
  { name: 'sqlite', skip: false, timings: { ttlMs: 6_000, renewMs: 500 }, db: async () => join(tmp.make('gw-run-lease-'), 'run.db') },
];

for (const b of backends) {
  describe.skipIf(b.skip)(`two gridwatch run processes: ${b.name}`, () => {
    it('both serve, one collects; after kill -9 another host takes over on expiry, the same host at its next retry; nothing lost or doubled', async () => {
      const t = b.timings ?? DEFAULT_LEASE;
      const db = await b.db();
      const pw = await runCli(['--db', db, 'users', 'add', 'ana', '--role', 'viewer', '--password-file', '-'], { input: `${PASSWORD}\n` });
      expect(pw.code, pw.stderr).toBe(0);
      const store = await openStore(db);
      onTestFinished(() => store.close());

      // host-a collects; host-b serves and waits.
      const a = await startRun(db, 'host-a', b.timings);
      await a.out.waitFor(holding, { stream: 'stderr' });
      const bProc = await startRun(db, 'host-b', b.timings);
      await bProc.out.waitFor(waitingOn('host-a', a.child.pid!), { stream: 'stderr' });
      const status = await runCli(['--db', db, 'collect', '--status', '--format', 'json']);
      expect(JSON.parse(status.stdout).leases).toEqual([expect.objectContaining({ key: 'all', host: 'host-a', pid: a.child.pid, expired: false })]);
      await a.out.waitFor(collected, { stream: 'stderr' });
      expect(bProc.out.stderr).not.toMatch(collected);
      await servesApi(a);
      await servesApi(bProc);

      // kill -9 host-a with late events just released and fresh ones arriving: host-b waits out the lease.
      sim.releaseLate();
      addFresh('a-dead', 5);
      const otherHostMs = await killAndTime(a, bProc, 60_000);
      console.log(`${b.name}: another host took over ${(otherHostMs / 1000).toFixed(1)} s after kill -9 (lease ${t.ttlMs / 1000} s, renewed every ${t.renewMs / 1000} s)`);
      // Not at once (the pid of another host proves nothing), and within one renewal period after expiry.
      expect(otherHostMs).toBeGreaterThanOrEqual(t.ttlMs - t.renewMs - 1_000);
      expect(otherHostMs).toBeLessThanOrEqual(t.ttlMs + t.renewMs + 5_000);
      expect(otherHostMs).toBeLessThan(60_000);
      await servesApi(bProc);

      // A second process on host-b waits; kill -9 the collector, whose pid is then gone from this host: no wait for expiry.
      const c = await startRun(db, 'host-b', b.timings);
      await c.out.waitFor(waitingOn('host-b', bProc.child.pid!), { stream: 'stderr' });
      addFresh('b-dead', 5);
      const sameHostMs = await killAndTime(bProc, c, 60_000);
      console.log(`${b.name}: the same host took over ${(sameHostMs / 1000).toFixed(1)} s after kill -9`);
      // At the waiter's next retry (at most renewMs), well before an expiry could free the lease (ttlMs - renewMs).
      expect(sameHostMs).toBeLessThan(t.ttlMs / 2);
      await servesApi(c);

      const want = sim.visibleIds();
      expect(want.size).toBeGreaterThan(1000);
      const ids = await waitForAll(store, want, 60_000);
      expect(ids).toEqual(want);
      expect(await store.countEvents()).toBe(want.size);

      c.child.kill('SIGTERM');
      expect(await c.exited, c.out.stderr.slice(-600)).toBe(0);
      const after = await runCli(['--db', db, 'collect', '--status', '--format', 'json']);
      expect(JSON.parse(after.stdout).leases).toEqual([]);
    }, 180_000);
  });
}
