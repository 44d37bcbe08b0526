/**
 * Reliability: the HTTP API under sustained concurrent requests on loopback (autocannon, 20 s, 8 connections over the
 * UI's main GET routes) while a real `gridwatch collect` writes into the same store, on each backend: zero errors, zero
 * non-2xx answers; latency percentiles and requests/s printed.
 */
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RunningServer } from '../../src/server/index.ts';
import { startSimulator, STORY, type Simulator } from '../../src/sim/index.ts';
import type { OpenedStore } from '../../src/store/index.ts';
import { tempDirs } from '../../src/util/testing-tmp.ts';
import { runCli } from '../cli-helpers.ts';
import { addAccounts, demoStore, TEST_PASSWORD, type DemoFixture } from '../server-fixtures.ts';
import { BACKENDS, skipOn, type BackendStore } from './backends.ts';
import { figure } from './figures.ts';

const SECONDS = 20;
const tmp = tempDirs();

for (const backend of BACKENDS) {
  const reason = backend.skipReason();
  if (reason !== null) {
    skipOn('load', backend, reason);
    continue;
  }
  describe(`load (${backend.name})`, () => {
    let made: BackendStore;
    let fx: DemoFixture<OpenedStore>;
    let srv: RunningServer;
    let sim: Simulator;
    let cookie = '';

    beforeAll(async () => {
      made = await backend.create(tmp.make('gw-rel-load-'), 'load');
      fx = await demoStore({ users: 20, days: 4, detect: false, backend: made });
      await addAccounts(fx.store, ['viewer']);
      srv = await createServer({ store: fx.store, port: 0, log: () => {} });
      const r = await fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', password: TEST_PASSWORD }) });
      cookie = r.headers.get('set-cookie')!.split(';')[0]!;
      // A fresh organisation of the last days for the collector to write while the API is under load; slow answers
      // spread its writes over the whole measurement.
      sim = await startSimulator({ seed: 23, users: 40, days: 3, rateLimit: false, faults: { slowRate: 0.5, slowMs: 200, faultSeed: 2 } });
    });
    afterAll(async () => {
      await srv?.close();
      await sim?.close();
      await fx?.cleanup();
    });

    it(`${SECONDS} s of concurrent API requests while a collector writes: no errors`, async () => {
      const before = await fx.store.countEvents();
      const collect = runCli(['--db', made.dbArg, 'collect', '--since', '4d', '--settle', '0', '--page-limit', '50', '--budget', '1000'], {
        env: { SLACK_AUDIT_URL: sim.auditBaseUrl, SLACK_AUDIT_TOKEN: sim.tokens.owner },
      });
      const paths = [
        '/api/v1/events?limit=100',
        `/api/v1/events?actor=${STORY.userId}&action=file_downloaded`,
        '/api/v1/events?q=standup&limit=50',
        '/api/v1/stats/volume',
        '/api/v1/actions',
        '/api/v1/reasons',
        '/api/v1/alerts',
        '/api/v1/incidents',
        '/api/v1/users?q=a',
        `/api/v1/users/${STORY.userId}`,
        `/api/v1/ips/${STORY.homeIp}`,
      ];
      const result = await autocannon({
        url: srv.url,
        connections: 8,
        duration: SECONDS,
        headers: { cookie },
        requests: paths.map((path) => ({ method: 'GET', path })),
      });
      const c = await collect;
      expect(c.code, c.stderr).toBe(0);
      const after = await fx.store.countEvents();
      const l = result.latency;
      figure({ area: 'load', backend: backend.name, name: 'requests (routes, connections, seconds)', value: `${result.requests.total} (${paths.length}, 8, ${SECONDS})` });
      figure({ area: 'load', backend: backend.name, name: 'requests/s (mean)', value: Math.round(result.requests.average) });
      figure({ area: 'load', backend: backend.name, name: 'latency p50 / p90 / p97.5 / p99 / max (autocannon has no p95)', value: `${l.p50} / ${l.p90} / ${l.p97_5} / ${l.p99} / ${l.max}`, unit: 'ms' });
      figure({ area: 'load', backend: backend.name, name: 'errors / timeouts / non-2xx', value: `${result.errors} / ${result.timeouts} / ${result.non2xx}` });
      figure({ area: 'load', backend: backend.name, name: 'events written by the collector meanwhile', value: after - before });
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(result.non2xx).toBe(0);
      expect(result.requests.total).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(before);
    }, 120_000);
  });
}
