/**
 * Writes that read first (alert replace, outbox enqueue, incident regrouping) wait for another process's write lock
 * instead of failing with "database is locked": a collector beside `gridwatch serve` (CI's load test caught it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../../util/testing-tmp.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';

const tmp = tempDirs();
const HOLD_MS = 400;

/** Another process takes the write lock, writes, and commits after HOLD_MS; resolves once it holds the lock. */
function holdWriteLock(path: string): Promise<ChildProcess> {
  const code = `
    import Database from 'better-sqlite3';
    const db = new Database(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO state (key, value) VALUES ('lock-holder', 'x') ON CONFLICT (key) DO UPDATE SET value = 'y'").run();
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${HOLD_MS});
    db.exec('COMMIT');
    db.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(child); });
    child.on('exit', (c) => reject(new Error(`lock holder exited with ${c} before locking`)));
  });
}

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function withLockHeld<T>(write: (s: SqliteStore) => Promise<T>): Promise<{ result: T; waitedMs: number }> {
  const path = join(tmp.make('write-tx'), 'g.db');
  store = await openSqliteStore(path);
  const holder = await holdWriteLock(path);
  const t0 = Date.now();
  const result = await write(store);
  const waitedMs = Date.now() - t0;
  await new Promise((r) => holder.once('close', r));
  return { result, waitedMs };
}

describe('sqlite writes while another process holds the write lock', () => {
  it('alert replace (reads the scope, then writes) waits and succeeds', async () => {
    const { result, waitedMs } = await withLockHeld((s) => s.alertStore().replace({ rules: ['r'], periodFrom: 0, periodTo: 9 }, [{
      id: 'a1', rule: 'r', severity: 'low', title: 't', user_id: 'W1', user_name: null, user_email: null, first_ts: 1, last_ts: 2,
      event_ids: ['e1'], event_count: 1, tags: [], key: 'W1', period: 1, anchor: 1,
      context: { summary: 's', reasons: [], facts: {}, target: null, ips: [], user_agents: [], downloads: null, related: [], aer_reset: null, slack: [] },
    }], 1000));
    expect(result.created.map((a) => a.id)).toEqual(['a1']);
    expect(waitedMs).toBeGreaterThan(HOLD_MS / 4);
  });

  it('outbox enqueue (reads the latest row, then writes) waits and succeeds', async () => {
    const { result } = await withLockHeld((s) => s.outboxStore().enqueue([{ alertId: 'a1', sink: 'file', payload: '{}', payloadHash: 'h', severity: 'low' }], 1000));
    expect(result).toBe(1);
  });

  it('incident regrouping (reads the user\'s incidents, then writes) waits and succeeds', async () => {
    const { result } = await withLockHeld(async (s) => {
      const at = new Date(1000).toISOString();
      await s.incidentStore().replaceUser('W1', [{
        id: 'in_00000000000000000001', user_id: 'W1', user_name: null, user_email: null, severity: 'low', status: 'open', assignee: null,
        first_seen: at, last_seen: at, first_ts: 1, last_ts: 1, alert_ids: ['a1'], rules: ['r'], title: 't', created_at: at, updated_at: at,
      }], []);
      return (await s.incidentStore().get('in_00000000000000000001'))?.user_id;
    });
    expect(result).toBe('W1');
  });
});
