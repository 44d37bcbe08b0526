/**
 * `gridwatch migrate` from a real SQLite store (collected from the simulator, with quarantined input) to a throwaway
 * PostgreSQL: killed mid-copy and run again, it ends with the same rows per table, the same events in the same order
 * with their exact text, the same checkpoints and quarantine. Skipped, saying why, without PostgreSQL binaries.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { openStore } from '../src/store/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { runCli } from './cli-helpers.ts';
import { pgTestSupport, startPgCluster, type PgCluster } from './pg-cluster.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: gridwatch migrate (${pgs.reason})`);
const tmp = tempDirs();
let sim: Simulator;
let cluster: PgCluster | undefined;

describe.skipIf(!pgs.ok)('gridwatch migrate', () => {
  beforeAll(async () => {
    sim = await startSimulator({ seed: 9, users: 25, days: 2, rateLimit: false });
    cluster = await startPgCluster(pgs);
  });
  afterAll(async () => {
    await sim?.close();
    await cluster?.stop();
  });

  it('copies a SQLite store resumably; counts, order, exact text, checkpoints and quarantine match', async () => {
    const dir = tmp.make('gw-migrate-');
    const db = join(dir, 'src.db');
    const env = { SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner };
    expect((await runCli(['--db', db, 'collect', '--since', '3d', '--settle', '0', '--budget', '1000'], { env })).code).toBe(0);
    const file = join(dir, 'extra.jsonl');
    writeFileSync(file, '{"id":"x1","date_create":1700000000,"action":"user_login","note":"tab\\there \\u00e9"}\nnot json\n');
    expect((await runCli(['--db', db, 'ingest', file])).code).toBe(0);
    const url = await cluster!.createDatabase('gw_migrate');

    // Killed once some batches are in: the re-run continues from the recorded progress.
    const args = ['migrate', '--from', db, '--to', url, '--batch-size', '100'];
    const first = await runCli(args, {
      onSpawn: (c) => {
        let seen = '';
        c.stderr!.on('data', (d) => {
          seen += d;
          if (/events copied\n[\s\S]*events copied\n/.test(seen)) c.kill('SIGKILL');
        });
      },
    });
    expect(first.signal).toBe('SIGKILL');
    const again = await runCli([...args, '--format', 'json']);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.ok).toBe(true);
    for (const c of report.counts) expect(c.target, c.table).toBe(c.source);
    expect(report.counts.find((c: { table: string }) => c.table === 'events').source).toBe(sim.visibleIds().size + 1);
    expect(report.copied_events).toBeLessThan(sim.visibleIds().size + 1); // the first run's batches were not copied twice

    const src = await openStore(db);
    const dst = await openStore(url);
    try {
      // Same events in the same insertion order, byte-for-byte the same text.
      const order = async (s: typeof src) => (await s.eventsAfterSeq(0, 1_000_000)).map((e) => [e.norm.id, e.raw]);
      expect(await order(dst)).toEqual(await order(src));
      expect(await dst.listCheckpoints()).toEqual(await src.listCheckpoints());
      expect(await dst.getState('migrate.events_seq')).toBe(String(await src.maxSeq())); // where a re-run resumes
      const q = async (s: typeof src) => (await s.listQuarantine()).map((x) => [x.source, x.position, x.reason, x.raw.toString('hex'), x.createdAt]);
      expect(await q(dst)).toEqual(await q(src));
    } finally {
      await src.close();
      await dst.close();
    }
    // A third run finds nothing left to copy.
    const third = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
    expect(third).toMatchObject({ copied_events: 0, ok: true });
  }, 120_000);
});
