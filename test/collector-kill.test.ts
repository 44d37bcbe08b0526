/**
 * `kill -9` during collection: a child process collects from the simulator into a SQLite file and is killed with
 * SIGKILL mid-run; the covered range must be fully stored, and a rerun must end with exactly the visible set.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collect } from '../src/collector/index.ts';
import { createAuditClient } from '../src/slack/audit-client.ts';
import { startSimulator } from '../src/sim/index.ts';
import { TEST_END } from '../src/sim/testing.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { fakeTime } from '../src/util/testing-clock.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const END = TEST_END;
const SINCE = END - 3 * 86_400;
const NOW_MS = (END + 300) * 1000;
const src = (p: string) => pathToFileURL(join(ROOT, p)).href;

const CHILD = `
import { collect } from ${JSON.stringify(src('src/collector/index.ts'))};
import { createAuditClient } from ${JSON.stringify(src('src/slack/audit-client.ts'))};
import { openSqliteStore } from ${JSON.stringify(src('src/store/sqlite/index.ts'))};
import { fakeTime } from ${JSON.stringify(src('src/util/testing-clock.ts'))};
const [baseUrl, token, db] = process.argv.slice(2);
// Waits cost nothing but still move time, so the client's call budget refills (a frozen clock would never refill it).
const clock = fakeTime(${NOW_MS});
const store = await openSqliteStore(db);
const client = createAuditClient({ baseUrl, token, clock, sleep: clock.sleep, budgetPerMinute: 1e6 });
await collect({ store, client, clock, since: ${SINCE}, pageLimit: 40, initialWindowSec: 21600,
  onProgress: (p) => process.stdout.write(JSON.stringify({ pages: p.pages, windows: p.windows }) + '\\n') });
process.stdout.write('DONE\\n');
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('collector killed with SIGKILL', () => {
  it('never advances the checkpoint past unstored events, and a rerun completes exactly', async () => {
    const sim = await startSimulator({ seed: 9, users: 30, days: 2, end: END, now: () => END + 300, rateLimit: false, faults: { slowRate: 0.3, slowMs: 30, faultSeed: 4 } });
    cleanups.push(() => sim.close());
    const dir = mkdtempSync(join(tmpdir(), 'gridwatch-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'child.mts');
    writeFileSync(script, CHILD);
    const db = join(dir, 'events.db');

    const highs: number[] = [];
    for (const killAfterPages of [3, 17, 40]) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, sim.auditBaseUrl, sim.tokens.owner, db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      // A run that fails or times out must not leave the child collecting (or spinning) after the test.
      cleanups.push(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const outcome = await new Promise<string>((resolve) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) {
            if (l === 'DONE') return;
            if ((JSON.parse(l) as { pages: number }).pages >= killAfterPages) child.kill('SIGKILL');
          }
        });
        child.on('exit', (code, sig) => resolve(sig ?? String(code)));
      });
      expect(outcome, err).toBe('SIGKILL');

      const store = await openSqliteStore(db);
      try {
        const cp = await store.getCheckpoint('all');
        const stored = await store.allIds();
        if (cp) {
          highs.push(cp.high);
          for (const e of sim.events()) {
            const ts = Number(e.event.date_create);
            if (ts >= cp.low && ts <= cp.high) expect(stored.has(String(e.event.id))).toBe(true);
          }
        }
      } finally {
        await store.close();
      }
    }

    // The kills did land mid-run, after some windows were committed and before the end.
    expect(highs.length).toBeGreaterThan(0);
    expect(Math.max(...highs)).toBeLessThan(END);
    const store = await openSqliteStore(db);
    try {
      const clock = fakeTime(NOW_MS);
      const client = createAuditClient({ baseUrl: sim.auditBaseUrl, token: sim.tokens.owner, clock, sleep: clock.sleep, budgetPerMinute: 1e6 });
      await collect({ store, client, clock, since: SINCE, pageLimit: 200 });
      const visible = sim.visibleIds();
      const stored = await store.allIds();
      expect([...visible].filter((id) => !stored.has(id))).toEqual([]);
      expect(stored.size).toBe(visible.size);
      expect(await store.countEvents()).toBe(visible.size);
    } finally {
      await store.close();
    }
  });
});
