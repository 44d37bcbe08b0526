/**
 * `gridwatch migrate` from a real SQLite store (collected from the simulator, with quarantined input, alerts with a
 * status change, incidents with a comment and a status change, an account with a session, action records) to a
 * throwaway PostgreSQL: killed mid-copy and run again, it ends with the same rows per table, the same events in the
 * same order with their exact text, the same checkpoints and quarantine, the same action log (`actions verify`
 * passes on the target) and ids that new rows on the target do not collide with. Skipped, saying why, without
 * PostgreSQL binaries.
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

  it('copies a SQLite store resumably; counts, order, exact text, checkpoints, quarantine, alerts, incidents, accounts and the action log match', async () => {
    const dir = tmp.make('gw-migrate-');
    const db = join(dir, 'src.db');
    const env = { SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner };
    expect((await runCli(['--db', db, 'collect', '--since', '3d', '--settle', '0', '--budget', '1000'], { env })).code).toBe(0);
    const file = join(dir, 'extra.jsonl');
    writeFileSync(file, '{"id":"x1","date_create":1700000000,"action":"user_login","note":"tab\\there \\u00e9"}\nnot json\n');
    expect((await runCli(['--db', db, 'ingest', file])).code).toBe(0);
    await analystWork(db, dir);
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
      // The action log with its ids, times and hashes; alerts with their status; the account and its session.
      expect(await dst.actionLog!().list()).toEqual(await src.actionLog!().list());
      expect(await dst.alertStore!().list({})).toEqual(await src.alertStore!().list({}));
      expect(await dst.accountStore!().listAccounts()).toEqual(await src.accountStore!().listAccounts());
      expect(await dst.accountStore!().session('tokenhash1')).toEqual(await src.accountStore!().session('tokenhash1'));
    } finally {
      await src.close();
      await dst.close();
    }
    for (const table of ['alerts', 'alert_status_log', 'incidents', 'incident_alerts', 'incident_comments', 'incident_log', 'web_users', 'web_sessions', 'action_log']) {
      expect(report.counts.find((c: { table: string }) => c.table === table)?.source, table).toBeGreaterThan(0);
    }
    const verify = await runCli(['--db', url, 'actions', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/intact: 3 record/);

    // A third run finds nothing left to copy.
    const third = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
    expect(third).toMatchObject({ copied_events: 0, ok: true });

    // New rows on the target come after the copied ids (an incident comment, an action record).
    const incident = JSON.parse((await runCli(['--db', url, 'incidents', '--format', 'json'])).stdout.split('\n')[0]!).id;
    const comment = await runCli(['--db', url, 'incidents', 'comment', incident, 'after the move']);
    expect(comment.code, comment.stderr).toBe(0);
    expect(comment.stdout).toMatch(/ comment 2 by /);
    expect((await runCli(['--db', url, 'respond', 'sign-out', 'W0MIGRATE4', '--dry-run'])).stdout).toMatch(/recorded as action 4/);
    expect((await runCli(['--db', url, 'actions', 'verify'])).code).toBe(0);
  }, 120_000);
});

/** What analysts leave in a store: alert and incident status changes, a comment, an account and its session, actions. */
async function analystWork(db: string, dir: string): Promise<void> {
  const ok = async (args: string[]) => {
    const r = await runCli(['--db', db, ...args]);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  await ok(['detect', '--no-notify']);
  const alert = JSON.parse((await ok(['alerts', '--format', 'json'])).split('\n')[0]!).id;
  await ok(['alerts', 'set-status', alert, 'acknowledged', '--note', 'looking', '--by', 'ana']);
  const incident = JSON.parse((await ok(['incidents', '--format', 'json'])).split('\n')[0]!).id;
  await ok(['incidents', 'comment', incident, 'first look']);
  await ok(['incidents', 'set-status', incident, 'resolved', '--note', 'benign']);
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'a long enough password 1\n');
  await ok(['users', 'add', 'Ana', '--role', 'admin', '--password-file', pw]);
  for (const user of ['W0MIGRATE1', 'W0MIGRATE2', 'W0MIGRATE3']) await ok(['respond', 'sign-out', user, '--dry-run', '--reason', `check ${user}`]);
  const store = await openStore(db);
  try {
    const account = (await store.accountStore!().listAccounts())[0]!;
    const now = Date.now();
    await store.accountStore!().createSession({ tokenHash: 'tokenhash1', userId: account.id, csrf: 'c1', createdAt: now, lastSeenAt: now, expiresAt: now + 3_600_000, ip: '192.0.2.1', ua: 'test' });
  } finally {
    await store.close();
  }
}
