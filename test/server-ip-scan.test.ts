/**
 * An IP page over an address with more events than `MAX_IP_SCAN` (a NAT or VPN egress): the totals count every
 * event, the users and user-agents lists come from the newest `MAX_IP_SCAN` only and say so (`lists_from.partial`),
 * so the page's cost stops growing with the address's history. Real store on each backend (SQLite, and PostgreSQL where
 * it can run), real server on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvent, toIncoming } from '../src/detect/test-events.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { MAX_IP_SCAN } from '../src/server/limits.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { addAccounts, apiLogin } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

const IP = '198.51.100.7';
const T0 = 1717408800;
/** Events before the newest MAX_IP_SCAN: their user and client appear nowhere later. */
const OLD = 3;

for (const backend of storeBackends('the busy IP page')) describe.skipIf(backend.skip)(`busy IP page on ${backend.name}`, () => {
  backend.setup();

  let store: OpenedStore;
  let srv: RunningServer;
  let cookie = '';

  beforeAll(async () => {
    store = await backend.open();
    const events = Array.from({ length: OLD + MAX_IP_SCAN }, (_, i) =>
      i < OLD
        ? testEvent({ action: 'user_login', ip: IP, at: i, user: 'W0GONE001', ua: 'old-agent/1' }, i, T0)
        : testEvent({ action: 'user_login', ip: IP, at: i, user: `W0NAT000${i % 5}`, ua: `nat-agent/${i % 3}` }, i, T0),
    );
    await store.appendEvents(toIncoming(events, 'ip scan test'));
    await addAccounts(store, ['viewer']);
    srv = await createServer({ store, port: 0, log: () => {} });
    cookie = (await apiLogin(srv.url, 'viewer')).cookie;
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await store?.close();
  });

  async function ipPage(query = '') {
    const r = await fetch(`${srv.url}/api/v1/ips/${IP}${query}`, { headers: { cookie } });
    expect(r.status).toBe(200);
    return r.json();
  }

  const sum = (rows: Array<{ count: number }>) => rows.reduce((a, r) => a + r.count, 0);

  describe('an IP page over a busy address', () => {
    it('counts every event but lists users and clients from the newest MAX_IP_SCAN, and says so', async () => {
      const b = await ipPage();
      expect(b.events).toBe(OLD + MAX_IP_SCAN);
      expect(b.first_seen).toBe(new Date(T0 * 1000).toISOString().replace('.000Z', 'Z'));
      expect(b.lists_from).toEqual({ events: MAX_IP_SCAN, partial: true });
      expect(b.users.map((u: any) => u.id).sort()).toEqual(['W0NAT0000', 'W0NAT0001', 'W0NAT0002', 'W0NAT0003', 'W0NAT0004']);
      expect(sum(b.users)).toBe(MAX_IP_SCAN);
      expect(b.user_agents.map((u: any) => u.ua).sort()).toEqual(['nat-agent/0', 'nat-agent/1', 'nat-agent/2']);
      expect(sum(b.user_agents)).toBe(MAX_IP_SCAN);
    });

    it('is complete, and says so, when the range holds no more than MAX_IP_SCAN events', async () => {
      const old = await ipPage(`?since=${T0}&until=${T0 + OLD - 1}`);
      expect(old.lists_from).toEqual({ events: OLD, partial: false });
      expect(old.users).toMatchObject([{ id: 'W0GONE001', count: OLD }]);
      expect(old.user_agents).toMatchObject([{ ua: 'old-agent/1', count: OLD }]);
      const newer = await ipPage(`?since=${T0 + OLD}`);
      expect(newer.lists_from).toEqual({ events: MAX_IP_SCAN, partial: false });
    });
  });
});
