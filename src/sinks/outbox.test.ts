import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/store-backends.ts';
import type { OpenedStore } from '../store/index.ts';
import type { OutboxStore } from '../store/outbox.ts';
import { migrations, registerMigrationFunctions } from '../store/sqlite/migrations.ts';
import { createSinks, type SinkConfigInput } from './index.ts';
import { backoffDelay, deliveryIdOf } from './outbox.ts';
import { alert, startReceiver, type Receiver } from './test-support.ts';
import { verifyWebhookSignature } from './webhook.ts';

const SECRET = 'outbox-test-secret-0123';
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

// The outbox on each backend's store (SQLite file, PostgreSQL database): the same deliveries, rows and counts.
for (const backend of storeBackends('the sinks outbox')) describe.skipIf(backend.skip)(`alert outbox on ${backend.name}`, () => {
  backend.setup();
  let dir: string;
  let store: OpenedStore;
  let outbox: OutboxStore;
  let rx: Receiver;
  let now: number;
  let logs: string[];
  const clock = (): number => now;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-outbox-'));
    store = await backend.open();
    outbox = store.outboxStore();
    rx = await startReceiver();
    now = T0;
    logs = [];
  });
  afterEach(async () => {
    await store.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const webhook = (extra: Partial<SinkConfigInput> = {}): SinkConfigInput =>
    ({ type: 'webhook', name: 'siem', url: rx.url, secret_env: 'GW_SECRET', timeout_ms: 300, ...extra }) as SinkConfigInput;
  const open = (configs: SinkConfigInput[]) =>
    createSinks(configs, outbox, { clock, env: { GW_SECRET: SECRET }, log: (m) => logs.push(m), stdout: new PassThrough() });

  /** Alerts the receiver accepted (2xx), after checking each one's signature (the clock moves, so not the age). */
  const acceptedAlerts = (): Array<{ id: string; title: string }> =>
    rx.requests
      .filter((r) => r.status === 200)
      .map((r) => {
        expect(verifyWebhookSignature(SECRET, r.headers['x-gridwatch-timestamp'], r.headers['x-gridwatch-signature'], r.body, { nowSec: Number(r.headers['x-gridwatch-timestamp']) })).toBe(true);
        return (JSON.parse(r.body) as { alert: { id: string; title: string } }).alert;
      });

  it('delivers a signed alert once; re-delivering the same alert is a no-op', async () => {
    const sinks = open([webhook()]);
    await sinks.deliver([alert()]);
    await sinks.deliver([alert()]);
    expect(await sinks.flush()).toEqual({ delivered: 0, failed: 0, pending: 0 });
    expect(acceptedAlerts().map((a) => a.id)).toEqual(['al-1']);
    expect(await sinks.list()).toMatchObject([{ alert_id: 'al-1', sink: 'siem', status: 'delivered', attempts: 0, delivered_at: T0 }]);
    await sinks.close();
  });

  it('an alert update (same id, changed) is delivered again; a stale undelivered version is superseded', async () => {
    const sinks = open([webhook()]);
    await sinks.deliver([alert({ title: 'v1' })]);
    await sinks.deliver([alert({ title: 'v2', event_ids: ['e1', 'e2', 'e3', 'e4'] })]);
    expect(acceptedAlerts().map((a) => a.title)).toEqual(['v1', 'v2']);

    rx.mode = 500;
    await sinks.deliver([alert({ title: 'v3' })]);
    await sinks.deliver([alert({ title: 'v4' })]); // v3 never got through: only v4 matters now
    rx.mode = 200;
    now += 3_600_000;
    await sinks.flush();
    expect(acceptedAlerts().map((a) => a.title)).toEqual(['v1', 'v2', 'v4']);
    expect((await sinks.list()).map((r) => r.status)).toEqual(['delivered', 'superseded', 'delivered', 'delivered']);
    await sinks.close();
  });

  it('retries a failing receiver (500, then timeout) with backoff; the alert arrives exactly once after recovery', async () => {
    const sinks = open([webhook()]);
    rx.mode = 500;
    await sinks.deliver([alert()]);
    let [row] = await sinks.list();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: T0 + 30_000, last_error: 'HTTP 500: receiver failure' });
    expect(logs[0]).toMatch(/webhook siem → 127\.0\.0\.1:\d+: alert al-1 attempt 1 failed, retry at 2024-05-01T12:00:30\.000Z: HTTP 500/);

    // Not due yet: nothing is sent.
    now += 10_000;
    expect(await sinks.flush()).toEqual({ delivered: 0, failed: 0, pending: 1 });
    expect(rx.requests).toHaveLength(1);

    // Due: the receiver now hangs, the client times out.
    rx.mode = 'hang';
    now = T0 + 30_000;
    expect(await sinks.flush()).toEqual({ delivered: 0, failed: 1, pending: 1 });
    [row] = await sinks.list();
    expect(row).toMatchObject({ attempts: 2, next_attempt_at: now + 60_000, last_error: 'timed out after 300 ms' });

    // Recovered.
    rx.mode = 200;
    now += 60_000;
    expect(await sinks.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(await sinks.flush()).toEqual({ delivered: 0, failed: 0, pending: 0 });
    expect(acceptedAlerts().map((a) => a.id)).toEqual(['al-1']);
    expect(rx.requests).toHaveLength(3);
    // Every attempt carried the same delivery id, so a receiver could dedupe even a late-processed timeout.
    expect(new Set(rx.requests.map((r) => r.headers['x-gridwatch-delivery'])).size).toBe(1);
    await sinks.close();
  });

  it('survives a restart: pending rows are in the database and are delivered once by the next process', async () => {
    rx.mode = 500;
    const first = open([webhook(), { type: 'file', path: join(dir, 'alerts.jsonl') }]);
    await first.deliver([alert({ id: 'a1' }), alert({ id: 'a2' })]);
    expect(await first.pending()).toBe(2); // webhook rows; the file sink already took its copies
    await first.close();

    // "Restart": a new connection to the same database, new sinks from the same config.
    store = await backend.reopen(store);
    outbox = store.outboxStore();
    rx.mode = 200;
    now += 60 * 60_000;
    const second = open([webhook(), { type: 'file', path: join(dir, 'alerts.jsonl') }]);
    expect(await second.pending()).toBe(2);
    expect(await second.flush()).toEqual({ delivered: 2, failed: 0, pending: 0 });
    await second.deliver([alert({ id: 'a1' })]); // the upstream re-raises an unchanged alert after restart
    expect(acceptedAlerts().map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    await second.close();
  });

  it('marks a row dead after maxAttempts, keeps listing it, and retryDead() revives it', async () => {
    const sinks = createSinks([webhook()], outbox, { clock, env: { GW_SECRET: SECRET }, log: (m) => logs.push(m), backoff: { baseMs: 1000, maxMs: 4000, maxAttempts: 4 } });
    rx.mode = 503;
    await sinks.deliver([alert()]);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [r] = await sinks.list();
      if (r!.status !== 'pending') break;
      delays.push(r!.next_attempt_at - now);
      now = r!.next_attempt_at;
      await sinks.flush();
    }
    expect(delays).toEqual([1000, 2000, 4000]); // capped exponential backoff
    expect(await sinks.list({ status: 'dead' })).toMatchObject([{ alert_id: 'al-1', attempts: 4, last_error: 'HTTP 503: receiver failure' }]);
    expect(await sinks.pending()).toBe(0);
    expect(logs.at(-1)).toMatch(/failed 4 times, marked dead/);

    now += 86_400_000;
    rx.mode = 200;
    expect(await sinks.flush()).toEqual({ delivered: 0, failed: 0, pending: 0 }); // dead rows are not retried on their own
    expect(await sinks.retryDead()).toBe(1);
    expect(await sinks.flush()).toEqual({ delivered: 1, failed: 0, pending: 0 });
    expect(acceptedAlerts()).toHaveLength(1);
    await sinks.close();
  });

  it('filters by min_severity per sink', async () => {
    const out = join(dir, 'high.jsonl');
    const sinks = open([webhook(), { type: 'file', name: 'high-only', path: out, min_severity: 'high' }]);
    await sinks.deliver([
      alert({ id: 'i', severity: 'info' }),
      alert({ id: 'm', severity: 'medium' }),
      alert({ id: 'h', severity: 'high' }),
      alert({ id: 'c', severity: 'CRITICAL' }),
      alert({ id: 'x', severity: 'unheard-of' }), // unknown severities are delivered, never silently dropped
    ]);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(lines).toEqual(['h', 'c', 'x']);
    expect(acceptedAlerts().map((a) => a.id)).toEqual(['i', 'm', 'h', 'c', 'x']);
    await sinks.close();
  });

  it('file sink appends one JSON line per alert (creating the directory)', async () => {
    const out = join(dir, 'nested', 'dir', 'alerts.jsonl');
    const sinks = open([{ type: 'file', path: out }]);
    await sinks.deliver([alert({ id: 'a1' })]);
    await sinks.deliver([alert({ id: 'a2', title: 'line\nbreak' })]);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual(alert({ id: 'a1' }));
    expect((JSON.parse(lines[1]!) as { title: string }).title).toBe('line\nbreak');
    await sinks.close();
  });

  it('stdout sink writes one JSON line per alert to the given stream', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    const sinks = createSinks([{ type: 'stdout' }], outbox, { clock, stdout: stream });
    await sinks.deliver([alert({ id: 'a1' }), alert({ id: 'a2' })]);
    expect(text.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['a1', 'a2']);
    await sinks.close();
  });

  it('one broken sink does not hold up the others, and stops after its first failure in a flush', async () => {
    const out = join(dir, 'a.jsonl');
    rx.mode = 'hang';
    const sinks = open([webhook(), { type: 'file', path: out }]);
    await sinks.deliver([alert({ id: 'a1' }), alert({ id: 'a2' }), alert({ id: 'a3' })]);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(rx.requests).toHaveLength(1); // not three timeouts in a row
    expect(await sinks.pending()).toBe(3);
    await sinks.close();
  });

  it('never stores or logs the secret', async () => {
    const leaky = createSinks([webhook()], outbox, {
      clock,
      env: { GW_SECRET: SECRET },
      log: (m) => logs.push(m),
      fetch: async () => {
        throw new Error(`boom with ${SECRET} inside`);
      },
    });
    await leaky.deliver([alert()]);
    expect((await leaky.list())[0]!.last_error).toBe('boom with [redacted] inside');
    expect(logs.join('\n')).not.toContain(SECRET);
    const rows = await backend.exec(store, 'SELECT * FROM alert_outbox');
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    await leaky.close();
  });

  it('serialises concurrent flushes so nothing is sent twice', async () => {
    const sinks = open([webhook()]);
    await sinks.deliver([]);
    rx.mode = 200;
    const d = sinks.deliver([alert({ id: 'a1' }), alert({ id: 'a2' })]);
    await Promise.all([d, sinks.flush(), sinks.flush()]);
    expect(acceptedAlerts().map((a) => a.id)).toEqual(['a1', 'a2']);
    await sinks.close();
  });

  it('rejects alerts without an id before writing anything', async () => {
    const sinks = open([webhook()]);
    await expect(sinks.deliver([alert({ id: 'ok' }), alert({ id: '' })])).rejects.toThrow(/without a string id/);
    expect(await sinks.list()).toEqual([]);
    await sinks.close();
  });

  it('keeps rows of a sink that was removed from the config, without counting them', async () => {
    rx.mode = 500;
    const a = open([webhook()]);
    await a.deliver([alert()]);
    await a.close();
    const b = open([{ type: 'stdout' }]);
    expect(await b.pending()).toBe(0);
    expect(await b.list({ sink: 'siem' })).toHaveLength(1);
    await b.close();
  });

  it('runs a background flush timer that close() stops', async () => {
    rx.mode = 500;
    const sinks = open([webhook()]);
    await sinks.deliver([alert()]);
    rx.mode = 200;
    now += 60_000;
    sinks.startAutoFlush(20);
    for (let i = 0; i < 100 && (await sinks.pending()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await sinks.pending()).toBe(0);
    await sinks.close();
    await expect(sinks.deliver([alert()])).rejects.toThrow(/closed/);
  });
});

describe('outbox helpers and migration', () => {
  it('backoff doubles from 30 s and caps at 1 h', () => {
    expect([1, 2, 3, 7, 8, 50].map((n) => backoffDelay(n))).toEqual([30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('delivery ids are stable per (alert, sink, payload)', () => {
    expect(deliveryIdOf('a', 's', 'h')).toBe(deliveryIdOf('a', 's', 'h'));
    expect(deliveryIdOf('a', 's', 'h')).not.toBe(deliveryIdOf('a', 't', 'h'));
    expect(deliveryIdOf('a', 's', 'h')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('migration 3 is appended with a unique version and applies on top of the others', async () => {
    const versions = migrations.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions).toContain(3);
    const { default: Db } = await import('better-sqlite3');
    const db = new Db(':memory:');
    registerMigrationFunctions(db);
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) db.exec(m.sql);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'alert_outbox'").get()).toBeTruthy();
    db.close();
  });
});
