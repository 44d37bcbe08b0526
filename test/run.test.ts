/**
 * `gridwatch run`: one process collects continuously, detects as events arrive and serves the UI, and stops
 * cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { startSimulator, STORY, type Simulator } from '../src/sim/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { BIN, ROOT, watchOutput } from './cli-helpers.ts';

const tmp = tempDirs();
let dir: string;
let sim: Simulator;
beforeAll(async () => {
  dir = tmp.make('gw-run-');
  sim = await startSimulator({ seed: 3, users: 30, days: 2, rateLimit: false });
});
afterAll(async () => {
  await sim.close();
});

it('collects, detects and serves in one process, then shuts down on SIGTERM', async () => {
  const db = join(dir, 'run.db');
  const child = spawn(process.execPath, [BIN, '--db', db, 'run', '--port', '0', '--since', '3d', '--settle', '0', '--interval', '1', '--budget', '1000'], {
    cwd: ROOT,
    env: { ...process.env, SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A failing assertion must not leave the process running (and holding the store open).
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out = watchOutput(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // The UI's address and the first-run admin password are printed once, in separate writes: wait for each.
  const [, url] = await out.waitFor(/gridwatch UI: (http:\/\/127\.0\.0\.1:\d+)\//);
  await out.waitFor(/log in as "admin" with the one-time password [\w-]{20}/);
  expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
  expect((await fetch(`${url}/api/v1/events`)).status).toBe(401); // login required

  // Wait until detection has run over the collected events: the story's scraping alert exists.
  let alerts: Array<{ rule: string; user_id: string }> = [];
  const deadline = Date.now() + 50_000;
  while (Date.now() < deadline) {
    const store = await openSqliteStore(db);
    try {
      if ((await store.countEvents()) === sim.visibleIds().size) {
        alerts = store.db.prepare('SELECT rule, user_id FROM alerts').all() as typeof alerts;
        if (alerts.some((a) => a.rule === 'scraping-suspected')) break;
      }
    } finally {
      await store.close();
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  expect(alerts).toContainEqual({ rule: 'scraping-suspected', user_id: STORY.userId });
  expect(out.stderr).not.toContain(sim.tokens.owner);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await out.waitFor(/shutting down/, { stream: 'stderr' });
}, 90_000);
