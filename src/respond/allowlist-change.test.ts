import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../sim/server.ts';
import { TEST_END } from '../sim/testing.ts';
import { createWebClient } from '../slack/web-client.ts';
import type { ActionLog } from '../store/actions.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';
import { runAllowlistChange, slackSide, type AllowlistChangeRequest } from './allowlist-change.ts';

const START = { trusted_cidr: ['8.8.8.8/24', '198.51.100.0/24'], trusted_asns: [64500, 64501] };

let sim: Simulator;
let store: SqliteStore;
let log: ActionLog;
let dir: string;
let printed: string[];
let methods: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-allow-'));
  sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, rateLimit: false, webApi: { allowlist: START } });
  store = await openSqliteStore(join(dir, 'gw.db'));
  log = store.actionLog();
  printed = [];
  methods = [];
});
afterEach(async () => {
  await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A real client on the simulator; `fetch` may be wrapped to let another writer in at a precise moment. */
function client(token = sim.tokens.adminWeb, wrap?: (f: typeof fetch) => typeof fetch) {
  return createWebClient({
    token,
    baseUrl: sim.webApiBaseUrl,
    maxRetries: 0,
    onEvent: (e) => e.type === 'request' && methods.push(e.method),
    ...(wrap ? { fetch: wrap(fetch) } : {}),
  });
}

/** Another admin writing the whole list behind our back. */
async function blindWrite(item: { trusted_cidr: string[]; trusted_asns: number[] }): Promise<void> {
  await createWebClient({ token: sim.tokens.adminWeb, baseUrl: sim.webApiBaseUrl }).allowlistUpdate({ cidrs: item.trusted_cidr, asns: item.trusted_asns });
}

function request(over: Partial<AllowlistChangeRequest> & Pick<AllowlistChangeRequest, 'op' | 'change'>): AllowlistChangeRequest {
  return { to: 'slack', sides: [slackSide(client())], mode: 'yes', log, actor: 'cli:tester', print: (l) => printed.push(l), ...over };
}

/** Nothing anyone can read carries the token. */
async function expectNoToken(): Promise<void> {
  const everything = JSON.stringify(await log.list()) + printed.join('\n');
  for (const t of Object.values(sim.tokens)) expect(everything).not.toContain(t);
}

describe('allowlist changes against the simulator', () => {
  it('add keeps every other entry (non-canonical spellings included) and records the diff', async () => {
    const r = await runAllowlistChange(request({ op: 'add', change: { cidrs: ['192.0.2.0/24', '8.8.8.0/24'], asns: [7] }, reason: 'partner VPN', alertId: 'A1' }));
    expect(r).toEqual({ ok: true, message: null });
    expect(sim.webApi.allowlist.get()).toEqual({ trusted_cidr: ['8.8.8.8/24', '198.51.100.0/24', '192.0.2.0/24'], trusted_asns: [64500, 64501, 7] });
    expect(methods).toEqual(['admin.audit.anomaly.allow.getItem', 'admin.audit.anomaly.allow.getItem', 'admin.audit.anomaly.allow.updateItem', 'admin.audit.anomaly.allow.getItem']);
    const [rec] = await log.list();
    expect(rec).toMatchObject({
      actor: 'cli:tester', action: 'allowlist.add', targets: ['slack'], status: 'done', reason: 'partner VPN', alert_id: 'A1',
      slack: { ok: true }, slack_error: null,
      diff: { added: { cidrs: ['192.0.2.0/24'], asns: [7] }, removed: { cidrs: [], asns: [] } },
    });
    expect(printed.join('\n')).toContain('already there: cidr 8.8.8.0/24');
    await expectNoToken();
  });

  it('remove finds an entry by its network whatever its spelling and keeps the rest', async () => {
    const r = await runAllowlistChange(request({ op: 'remove', change: { cidrs: ['8.8.8.0/24'], asns: [64501] } }));
    expect(r.ok).toBe(true);
    expect(sim.webApi.allowlist.get()).toEqual({ trusted_cidr: ['198.51.100.0/24'], trusted_asns: [64500] });
    expect((await log.list())[0]!.diff).toEqual({ added: { cidrs: [], asns: [] }, removed: { cidrs: ['8.8.8.8/24'], asns: [64501] } });
  });

  it('a write made while the person reads the prompt survives: the change is merged onto the current list and reported', async () => {
    const r = await runAllowlistChange(request({
      op: 'add',
      change: { cidrs: ['192.0.2.0/24'], asns: [] },
      mode: 'ask',
      confirm: async () => {
        await blindWrite({ trusted_cidr: [...START.trusted_cidr, '203.0.113.0/24'], trusted_asns: [64999] });
        return true;
      },
    }));
    expect(r.ok).toBe(true);
    expect(sim.webApi.allowlist.get()).toEqual({ trusted_cidr: ['8.8.8.8/24', '198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'], trusted_asns: [64999] });
    expect(printed.join('\n')).toContain("Slack's anomaly allowlist changed since it was read (+ cidr 203.0.113.0/24, + asn  64999, - asn  64500, - asn  64501)");
    expect((await log.list())[0]).toMatchObject({ status: 'done', message: expect.stringContaining('changed since it was read') });
  });

  it('a blind write right after ours that undoes it is detected, reported and fails the run', async () => {
    let done = false;
    const wrap = (f: typeof fetch): typeof fetch => async (input, init) => {
      const res = await f(input, init);
      if (!done && String(input).endsWith('/admin.audit.anomaly.allow.updateItem')) {
        done = true;
        await blindWrite({ trusted_cidr: ['10.0.0.0/8'], trusted_asns: [] });
      }
      return res;
    };
    const r = await runAllowlistChange(request({ op: 'add', change: { cidrs: ['192.0.2.0/24'], asns: [] }, sides: [slackSide(client(undefined, wrap))] }));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/changed again right after the write .*another writer undid this change; run it again/);
    expect((await log.list())[0]).toMatchObject({ status: 'done', message: expect.stringContaining('undid this change') });
  });

  it('--dry-run reads and shows the diff, writes nothing, and is recorded as a dry run', async () => {
    const r = await runAllowlistChange(request({ op: 'add', change: { cidrs: ['192.0.2.0/24'], asns: [] }, mode: 'dry-run' }));
    expect(r.ok).toBe(true);
    expect(methods).toEqual(['admin.audit.anomaly.allow.getItem']);
    expect(sim.webApi.allowlist.get()).toEqual(START);
    expect(printed.join('\n')).toContain('+ cidr 192.0.2.0/24');
    expect((await log.list())[0]).toMatchObject({ status: 'dry_run', slack: null, diff: { added: { cidrs: ['192.0.2.0/24'], asns: [] } } });
  });

  it('without --yes and with nobody to ask it refuses before any call, and records the refusal', async () => {
    const before = sim.stats.requests;
    const r = await runAllowlistChange(request({ op: 'add', change: { cidrs: ['192.0.2.0/24'], asns: [] }, mode: 'ask' }));
    expect(r.ok).toBe(false);
    expect(sim.stats.requests).toBe(before);
    expect((await log.list())[0]).toMatchObject({ status: 'refused', slack: null, arguments: { cidrs: ['192.0.2.0/24'] } });
  });

  it('a declined prompt writes nothing and is recorded as cancelled', async () => {
    const r = await runAllowlistChange(request({ op: 'remove', change: { cidrs: [], asns: [64500] }, mode: 'ask', confirm: async () => false }));
    expect(r.ok).toBe(false);
    expect(methods).not.toContain('admin.audit.anomaly.allow.updateItem');
    expect(sim.webApi.allowlist.get()).toEqual(START);
    expect((await log.list())[0]!.status).toBe('cancelled');
  });

  it("Slack's refusal is reported in one line and recorded as failed with its code", async () => {
    const r = await runAllowlistChange(request({ op: 'add', change: { cidrs: ['192.0.2.0/24'], asns: [] }, sides: [slackSide(client(sim.tokens.adminReadOnly))] }));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^reading Slack's anomaly allowlist failed: Slack admin\.audit\.anomaly\.allow\.getItem: .*missing_scope.*; nothing was written$/);
    expect(sim.webApi.allowlist.get()).toEqual(START);
    expect((await log.list())[0]).toMatchObject({ status: 'failed', slack_error: 'missing_scope', slack: { ok: false, error: 'missing_scope' } });
    await expectNoToken();
  });
});
