/**
 * Reliability: the store fails under a running `gridwatch collect` — its SQLite file made read-only mid-collect
 * (`chattr +i`: root ignores file modes, and a remount is refused while the file is open for writing), the disk full
 * (a small tmpfs, or else a size-limited file through RLIMIT_FSIZE), the PostgreSQL server stopped mid-collect
 * (`pg_ctl stop -m fast`, then `-m immediate`) and started again. Each time: the collector stops with one clear
 * line (no stack trace), the checkpoint covers no event that is not stored, and once the fault is gone a clean run
 * ends with exactly the simulator's ids. A fault this machine cannot make is skipped with the reason printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { BIN, ROOT, runCli, type RunResult } from '../cli-helpers.ts';
import { checkpointIsHonest } from '../collect-kill.ts';
import { BACKENDS, skipOn, type BackendStore } from './backends.ts';
import { figure, skipped } from './figures.ts';

let dir: string;
let sim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-rel-store-'));
  // Slow answers keep the collector busy long enough for a fault to land mid-collect.
  sim = await startSimulator({ seed: 17, users: 20, days: 2, rateLimit: false, faults: { slowRate: 0.3, slowMs: 30, faultSeed: 3 } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner });
const collectArgs = (db: string) => ['--db', db, 'collect', '--since', '3d', '--settle', '0', '--page-limit', '25', '--budget', '1000'];

/** Null when `cmd args` succeeds, else its error message (first line). */
function tryRun(cmd: string, args: string[]): string | null {
  try {
    execFileSync(cmd, args, { stdio: 'pipe' });
    return null;
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return (err.stderr?.toString().trim() || err.message).split('\n')[0]!;
  }
}

/** The collector's failure: one `gridwatch:` line on stderr, nothing that looks like a stack trace. */
function expectOneLineError(r: RunResult, pattern: RegExp): string {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(r.stderr).not.toMatch(/^\s+at .+[:(]/m);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^gridwatch: /);
  expect(lines[0]).toMatch(pattern);
  return lines[0]!;
}

/** After the fault: the checkpoint is honest, then a clean collect stores exactly the simulator's ids. */
async function recovers(made: BackendStore): Promise<{ before: number; after: number }> {
  let store = await made.open();
  const c = await checkpointIsHonest(store, sim);
  await store.close();
  expect(c.missingUnderCheckpoint).toEqual([]);
  const final = await runCli(collectArgs(made.dbArg), { env: env() });
  expect(final.code, final.stderr).toBe(0);
  store = await made.open();
  const ids = await store.allIds();
  await store.close();
  expect(ids).toEqual(sim.visibleIds());
  return { before: c.stored, after: ids.size };
}

/** Run `gridwatch collect` and call `fault` once the simulator has answered `after` requests of it. */
function collectWithFault(db: string, after: number, fault: () => void, spawnVia?: (args: string[]) => Promise<RunResult>): Promise<RunResult> {
  const start = sim.stats.requests;
  const timer = setInterval(() => {
    if (sim.stats.requests - start >= after) {
      clearInterval(timer);
      fault();
    }
  }, 2);
  const run = spawnVia ? spawnVia(collectArgs(db)) : runCli(collectArgs(db), { env: env() });
  return run.finally(() => clearInterval(timer));
}

for (const backend of BACKENDS.filter((b) => b.name === 'sqlite')) {
  describe.skipIf(backend.skipReason() !== null)(`store faults (${backend.name})`, () => {
    it('the SQLite file made read-only mid-collect', async () => {
      const probe = join(dir, 'probe');
      writeFileSync(probe, '');
      const cannot = tryRun('chattr', ['+i', probe]);
      if (cannot === null) tryRun('chattr', ['-i', probe]);
      if (cannot !== null) return skipped('store faults', backend.name, 'read-only file', `chattr +i refused (${cannot})`);
      const made = await backend.create(dir, 'readonly');
      const db = made.dbArg;
      // The -shm file stays writable: SQLite maps it, and an immutable mapping would crash the process (SIGBUS), which
      // is not the fault under test.
      const files = () => [db, `${db}-wal`].filter((f) => existsSync(f));
      let frozen: string[] = [];
      try {
        const r = await collectWithFault(db, 15, () => {
          frozen = files();
          execFileSync('chattr', ['+i', ...frozen]);
        });
        const line = expectOneLineError(r, /read-only|readonly|I\/O|permission|not permitted/i);
        if (frozen.length) execFileSync('chattr', ['-i', ...frozen]);
        frozen = [];
        const n = await recovers(made);
        figure({ area: 'store faults', backend: backend.name, name: 'read-only file: error', value: line });
        figure({ area: 'store faults', backend: backend.name, name: 'read-only file: stored before / after recovery', value: `${n.before} / ${n.after} (simulator ${sim.visibleIds().size})` });
      } finally {
        if (frozen.length) tryRun('chattr', ['-i', ...frozen]);
        await made.cleanup();
      }
    });

    it('the disk full mid-collect', async () => {
      const mnt = join(dir, 'small');
      mkdirSync(mnt);
      const noMount = tryRun('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
      if (noMount === null) {
        try {
          const made = await backend.create(mnt, 'full');
          (await made.open()).close(); // the schema first, so the room left is room for events
          // Leave about 600 KB free: the events need several MB, so the store fills up part-way through.
          const fs = statfsSync(mnt);
          const filler = join(mnt, 'filler');
          writeFileSync(filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 600 * 1024)));
          const r = await collectWithFault(made.dbArg, 0, () => {});
          const line = expectOneLineError(r, /full|space/i);
          // The fault gone: the filler removed and the file system grown (the whole store needs more than 8 MB).
          rmSync(filler);
          execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
          const n = await recovers(made);
          figure({ area: 'store faults', backend: backend.name, name: 'disk full (8 MB tmpfs): error', value: line });
          figure({ area: 'store faults', backend: backend.name, name: 'disk full: stored before / after recovery', value: `${n.before} / ${n.after} (simulator ${sim.visibleIds().size})` });
          await made.cleanup();
        } finally {
          tryRun('umount', [mnt]);
        }
        return;
      }
      // No tmpfs here (not root): a size limit on the collector's files instead. SIGXFSZ is ignored in the shell so
      // the write fails with EFBIG rather than killing the process (ignored signals survive exec).
      console.log(`[reliability] store faults (${backend.name}): no tmpfs (${noMount}); RLIMIT_FSIZE instead`);
      const made = await backend.create(dir, 'fsize');
      (await made.open()).close();
      const limited = (args: string[]) =>
        new Promise<RunResult>((resolve, reject) => {
          const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
          const child = spawn('bash', ['-c', `trap '' XFSZ; ulimit -f 1024; exec ${quoted}`], { cwd: ROOT, env: { ...process.env, ...env() } });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          child.on('error', reject);
          child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
        });
      const r = await collectWithFault(made.dbArg, 0, () => {}, limited);
      if (r.code === 0) return skipped('store faults', backend.name, 'disk full', `neither tmpfs (${noMount}) nor RLIMIT_FSIZE made the store fail`);
      const line = expectOneLineError(r, /full|space|large|I\/O/i);
      const n = await recovers(made);
      figure({ area: 'store faults', backend: backend.name, name: 'file size limit (1 MB): error', value: line });
      figure({ area: 'store faults', backend: backend.name, name: 'file size limit: stored before / after recovery', value: `${n.before} / ${n.after}` });
    });
  });
}

for (const backend of BACKENDS.filter((b) => b.name === 'postgres')) {
  const reason = backend.skipReason();
  describe.skipIf(reason !== null)(`store faults (${backend.name})`, () => {
    for (const mode of ['fast', 'immediate'] as const) {
      it(`PostgreSQL stopped mid-collect (pg_ctl stop -m ${mode}) and started again`, async () => {
        const made = await backend.create(dir, `outage_${mode}`);
        const outage = made.outage;
        if (!outage) return skipped('store faults', backend.name, `server stopped (${mode})`, 'GRIDWATCH_TEST_PG is not a server the tests may stop');
        await (await made.open()).close(); // the schema first, so the outage lands among event writes
        // A password in the URL (the throwaway cluster trusts everyone): the error must not show it.
        const url = new URL(made.dbArg);
        url.password = 'hunter2-secret';
        let stopping: Promise<void> | undefined;
        try {
          const r = await collectWithFault(url.toString(), 15, () => (stopping = outage.stop(mode)));
          await stopping;
          const line = expectOneLineError(r, /PostgreSQL .*(unreachable|not reachable)/i);
          expect(r.stderr).not.toContain('hunter2-secret');
          await outage.start();
          stopping = undefined;
          const n = await recovers(made);
          figure({ area: 'store faults', backend: backend.name, name: `server stopped (-m ${mode}): error`, value: line });
          figure({ area: 'store faults', backend: backend.name, name: `server stopped (-m ${mode}): stored before / after restart`, value: `${n.before} / ${n.after} (simulator ${sim.visibleIds().size})` });
        } finally {
          // Started again whatever happened, so the next test and the cluster's own stop find it running.
          if (stopping) await stopping.then(() => outage.start()).catch(() => undefined);
          await made.cleanup();
        }
      });
    }
  });
  if (reason !== null) skipOn('store faults', backend, reason);
}
