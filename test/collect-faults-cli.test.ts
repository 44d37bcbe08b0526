/**
 * `gridwatch collect` tells what went wrong on the way (JSON summary, text summary, `--status`), and stops at once,
 * naming SLACK_AUDIT_URL, when the URL can never work. Real `bin/gridwatch` against the simulator on loopback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { runCli } from './cli-helpers.ts';

let dir: string;
let sim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-collect-faults-'));
  sim = await startSimulator({ seed: 9, users: 20, days: 2, rateLimit: false, faults: { errorRate: 0.2, truncateRate: 0.15, faultSeed: 5 } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (url = sim.auditBaseUrl) => ({ SLACK_AUDIT_URL: url, SLACK_AUDIT_TOKEN: sim.tokens.owner });
const collectArgs = (db: string) => ['--db', db, 'collect', '--since', '3d', '--settle', '0', '--page-limit', '200', '--budget', '1000'];
const injected = () => {
  const f = sim.stats.faults;
  return { server_errors: (f.error_500 ?? 0) + (f.error_502 ?? 0) + (f.error_503 ?? 0), truncated: (f.truncate_destroy ?? 0) + (f.truncate_short ?? 0) };
};

describe('collect reports its faults', () => {
  it('in the --format json summary, the text summary and --status', async () => {
    const db = join(dir, 'faults.db');
    const before = injected();
    const r = await runCli([...collectArgs(db), '--format', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const seen = { server_errors: injected().server_errors - before.server_errors, truncated: injected().truncated - before.truncated };
    expect(seen.server_errors).toBeGreaterThan(0);
    expect(seen.truncated).toBeGreaterThan(0);
    expect(s).toMatchObject({ ...seen, rate_limited: 0, rereads: 0, retries: seen.server_errors + seen.truncated });
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['fetched', 'new', 'duplicates', 'quarantined', 'pages', 'windows', 'late']));

    // Everything read again (a 3-day overlap), with faults of its own: the summary names those the simulator served
    // in this run. Which ones depends on the run's requests (their number follows the clock: the organisation's
    // days end now), so the expected line is made from the simulator's counts.
    const mid = injected();
    const text = await runCli([...collectArgs(db), '--overlap', '3d'], { env: env() });
    expect(text.code).toBe(0);
    const again = { server_errors: injected().server_errors - mid.server_errors, truncated: injected().truncated - mid.truncated };
    const retries = again.server_errors + again.truncated;
    const words = [
      `${retries} ${retries === 1 ? 'retry' : 'retries'}`,
      ...(again.server_errors ? [`${again.server_errors} server error${again.server_errors === 1 ? '' : 's'} (5xx)`] : []),
      ...(again.truncated ? [`${again.truncated} truncated bod${again.truncated === 1 ? 'y' : 'ies'}`] : []),
    ];
    if (retries > 0) expect(text.stdout).toContain(`; faults: ${words.join(', ')}\n`);
    else expect(text.stdout).not.toMatch(/fault/);

    const status = await runCli(['--db', db, 'collect', '--status']);
    expect(status.stdout).toMatch(/^faults of all: last run \d+ retr(y|ies).*; since \d{4}-\d\d-\d\dT.*Z: \d+ retries/m);
    const json = JSON.parse((await runCli(['--db', db, 'collect', '--status', '--format', 'json'])).stdout);
    const all = json.checkpoints.find((c: { key: string }) => c.key === 'all');
    expect(all.faultTotals.server_errors).toBe(injected().server_errors - before.server_errors);
    expect(all.faultTotals.retries).toBe(s.retries + all.lastRunFaults.retries);
  });

  it('says nothing about faults when there were none', async () => {
    const clean = await startSimulator({ seed: 9, users: 5, days: 1, rateLimit: false });
    try {
      const r = await runCli(collectArgs(join(dir, 'clean.db')), { env: env(clean.auditBaseUrl) });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^fetched \d+/);
      expect(r.stdout).not.toMatch(/fault/);
    } finally {
      await clean.close();
    }
  });
});

describe('collect stops at once on a URL that cannot work', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n').filter((l) => l.startsWith('gridwatch:'));

  it('a malformed SLACK_AUDIT_URL', async () => {
    const t0 = Date.now();
    const r = await runCli(collectArgs(join(dir, 'bad-url.db')), { env: env('http://127.0.0.1:999999/audit/v1') });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/malformed.*SLACK_AUDIT_URL/)]);
    expect(Date.now() - t0).toBeLessThan(15_000); // process start only (a minute of retries before)
  });

  it('a refused port: a short retry, then a message naming SLACK_AUDIT_URL', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise<void>((r) => s.close(() => r()));
    const t0 = Date.now();
    const r = await runCli(collectArgs(join(dir, 'refused.db')), { env: env(`http://127.0.0.1:${port}/audit/v1`) });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr).at(-1)).toMatch(/connection refused.*SLACK_AUDIT_URL/);
    expect(Date.now() - t0).toBeLessThan(20_000); // 3 s of retries plus process start
  });
});
