import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../alerts/types.ts';
import { configFromObject } from '../config/load.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { runIncremental, sinksNotifier } from '../cli/compose.ts';
import { incrementalWithEngine } from './incremental.ts';
import { MemoryStore } from './memory-store.ts';
import { specEvents, testEngine } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-deliver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('delivery to sinks', () => {
  it('a failing notifier leaves alerts pending; the next run delivers them once', async () => {
    const store = new MemoryStore();
    let fail = true;
    const got: string[] = [];
    const notifier = {
      async deliver(alerts: readonly Alert[]) {
        if (fail) throw new Error('receiver down');
        got.push(...alerts.map((a) => `${a.rule}@${a.version}`));
      },
    };
    const logs: string[] = [];
    const engine = testEngine({}, ['slack-anomaly'], { notifier });
    Object.assign(engine, { log: (m: string) => logs.push(m) });
    await store.appendEvents(specEvents([{ reasons: ['tor'] }]));
    await incrementalWithEngine(store, engine);
    expect(got).toEqual([]);
    expect(logs.join()).toMatch(/will retry on the next run: receiver down/);
    expect(await engine.alerts.pendingNotifications(10)).toHaveLength(1);

    fail = false;
    await incrementalWithEngine(store, engine); // no new events, pending alerts go out
    await incrementalWithEngine(store, engine);
    expect(got).toEqual(['slack-anomaly@1']);
    expect(await engine.alerts.pendingNotifications(10)).toHaveLength(0);

    // A change to the alert (a second anomaly within the window) is a new version, delivered once.
    await store.appendEvents(specEvents([{ reasons: ['tor'] }, { reasons: ['user_agent'], at: '+10m' }]).slice(1));
    await incrementalWithEngine(store, engine);
    expect(got).toEqual(['slack-anomaly@1', 'slack-anomaly@2']);
  });

  it('through the configured sinks: a webhook that fails is retried from the durable outbox', async () => {
    const path = join(dir, 'sinks.db');
    const store = await openSqliteStore(path);
    await store.appendEvents(specEvents([{ reasons: ['tor'] }]));
    const config = configFromObject({ sinks: [{ type: 'webhook', url: 'https://siem.example/hook', secret: 'a-long-enough-secret-123' }] });
    const posted: unknown[] = [];
    let up = false;
    const fetch = (async (_url: string, init: { body: string }) => {
      if (!up) return new Response('down', { status: 503 });
      posted.push(JSON.parse(init.body));
      return new Response('ok', { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const own = sinksNotifier(store, config, { fetch, backoff: { baseMs: 0 } })!;
    const alerts = await runIncremental(store, config, { notifier: own.notifier, alerts: store.alertStore(), rules: undefined });
    expect(alerts.map((a) => a.rule)).toContain('slack-anomaly');
    expect(posted).toHaveLength(0);
    expect(await own.sinks.pending()).toBeGreaterThan(0); // queued durably, not lost
    up = true;
    await own.sinks.flush();
    expect(posted.length).toBe(alerts.length);
    expect(await own.sinks.pending()).toBe(0);
    await own.sinks.close();
    await store.close();
  });
});
