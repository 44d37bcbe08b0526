/**
 * The command-line contract, exercised through the real `bin/gridwatch` against the simulator over loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { runCli } from './cli-helpers.ts';

let dir: string;
let sim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
  // Real clock: the CLI process has its own. Drift variants are on by default in the generator.
  sim = await startSimulator({ seed: 5, users: 25, days: 2, rateLimit: false, faults: { duplicateRate: 0.2, errorRate: 0.1, faultSeed: 3 } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const simEnv = () => ({ SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner });

describe('collect and events', () => {
  it('collects exactly the visible set, and events --format json gives back every received object unchanged', async () => {
    const db = join(dir, 'collect.db');
    // A high budget: the simulator serves only this test, and the budget's even spacing would make it slow.
    const r = await runCli(['--db', db, 'collect', '--since', '3d', '--settle', '0', '--page-limit', '300', '--budget', '1000', '--format', 'json'], { env: simEnv() });
    expect(r.stderr).not.toMatch(/gridwatch:/); // no warning or error (detection may report its alerts)
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['fetched', 'new', 'duplicates', 'quarantined', 'pages', 'windows']));
    const visible = sim.visibleIds();
    expect(summary.new).toBe(visible.size);
    expect(summary.fetched).toBe(summary.new + summary.duplicates + summary.quarantined);

    const out = await runCli(['--db', db, 'events', '--limit', '0', '--format', 'json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(visible.size);
    // Byte-for-byte: the exact text the API sent for each entry, unknown fields and number formats included.
    const sent = new Map(sim.events().map((e) => [e.event.id as string, e.raw]));
    for (const line of lines) expect(line).toBe(sent.get(JSON.parse(line).id));
    // Newest first.
    const times = lines.map((l) => JSON.parse(l).date_create as number);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by action, actor, reason and limit; csv and table formats', async () => {
    const db = join(dir, 'collect.db');
    const anomalies = sim.events().filter((e) => e.event.action === 'anomaly');
    const r = await runCli(['--db', db, 'events', '--action', 'anomaly', '--limit', '0', '--format', 'json']);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(anomalies.length);

    const byReason = anomalies.filter((e) => JSON.stringify((e.event.details as { reason?: unknown })?.reason ?? '').includes('excessive_downloads'));
    const rr = await runCli(['--db', db, 'events', '--reason', 'excessive_downloads', '--limit', '0', '--format', 'json']);
    expect(rr.stdout.trimEnd().split('\n').filter(Boolean)).toHaveLength(byReason.length);

    const one = await runCli(['--db', db, 'events', '--limit', '3', '--format', 'csv']);
    const rows = one.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^id,time,action,actor_id/);
    expect(rows).toHaveLength(4);

    const table = await runCli(['--db', db, 'events', '--limit', '2', '--format', 'table']);
    expect(table.stdout.split('\n')[0]).toMatch(/^time\s+action\s+actor/);
  });

  it('keeps separate checkpoints for full and anomalies-only collection and shows them', async () => {
    const db = join(dir, 'collect.db');
    const r = await runCli(['--db', db, 'collect', '--anomalies-only', '--since', '3d', '--settle', '0', '--format', 'json'], { env: simEnv() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).new).toBe(0); // every anomaly is already stored
    const s = await runCli(['--db', db, 'collect', '--status', '--format', 'json']);
    const status = JSON.parse(s.stdout);
    expect(status.checkpoints.map((c: { key: string }) => c.key).sort()).toEqual(['action=anomaly', 'all']);
    expect(status.newest_event).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('stops with a clear message and no checkpoint on an authentication error, never printing the token', async () => {
    const db = join(dir, 'auth.db');
    const r = await runCli(['--db', db, 'collect', '--since', '1d'], { env: { ...simEnv(), SLACK_AUDIT_TOKEN: sim.tokens.workspace } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/team_not_authorized/);
    expect(r.stderr).not.toContain(sim.tokens.workspace);
    const store = await openSqliteStore(db);
    expect(await store.listCheckpoints()).toEqual([]);
    await store.close();
  });
});

describe('ingest', () => {
  it('imports gzip from stdin, reports quarantine on stderr, prints the JSON summary, and --strict fails', async () => {
    const db = join(dir, 'ingest.db');
    const good = sim.events().slice(0, 50).map((e) => e.raw);
    const input = gzipSync(Buffer.from([...good, '{"id":1}', 'not json', good[0]].join('\n')));
    const r = await runCli(['--db', db, 'ingest', '-', '--format', 'json'], { input });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ingested: 50, duplicates: 1, quarantined: 2 });
    expect(r.stderr).toMatch(/quarantined stdin line 51: .*id/);
    expect(r.stderr).toMatch(/quarantined stdin line 52: not JSON/);

    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${good[1]}\n{"broken"\n`);
    const strict = await runCli(['--db', db, 'ingest', file, '--strict', '--format', 'json']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toEqual({ ingested: 0, duplicates: 1, quarantined: 1 });
  });

  it('explains usage errors with a non-zero status', async () => {
    const missing = await runCli(['--db', join(dir, 'x.db'), 'ingest', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.jsonl/);
    const badTime = await runCli(['--db', join(dir, 'x.db'), 'events', '--since', 'yesterdayish']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/ISO 8601/);
    const help = await runCli(['events', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--reason/);
  });
});
