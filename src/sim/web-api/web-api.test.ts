import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../server.ts';
import { STORY } from '../story.ts';
import { TEST_END } from '../testing.ts';
import { simAsnOf } from './network.ts';

type Obj = Record<string, any>;
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function post(s: Simulator, method: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Obj; headers: Headers }> {
  const res = await fetch(`${s.webApiBaseUrl}/${method}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  return { status: res.status, json: (await res.json()) as Obj, headers: res.headers };
}

const anomalyIps = (s: Simulator): string[] =>
  s.events().filter((e) => e.event.action === 'anomaly').map((e) => String((e.event.context as Obj).ip_address));

describe('session store', () => {
  it('holds the session ids the audit events carry, minus sessions a generated reset ended', async () => {
    sim = await startSimulator({ seed: 3, users: 25, days: 2, end: TEST_END, now: () => TEST_END, rateLimit: false });
    const store = sim.webApi.sessions;
    const seen = new Map<string, Set<number>>();
    for (const { event } of sim.events()) {
      const uid = (event.actor as Obj | undefined)?.user?.id;
      const sid = Number((event.context as Obj | undefined)?.session_id);
      if (uid && Number.isFinite(sid)) seen.set(uid, (seen.get(uid) ?? new Set()).add(sid));
    }
    const all = store.all();
    expect(all.length).toBeGreaterThan(20);
    for (const s of all) expect(seen.get(s.userId)?.has(s.sessionId)).toBe(true);
    expect(all.some((s) => s.kind === 'mobile')).toBe(true);
    // Slack's AER signed Matt out after his scraping, and he did nothing afterwards.
    expect(store.sessionsOf(STORY.userId)).toEqual([]);
    const r = await post(sim, 'admin.users.session.list', `user_id=${STORY.userId}&team_id=${STORY.team}`, { authorization: `Bearer ${sim.tokens.adminWeb}` });
    expect(r.json).toEqual({ ok: false, error: 'no_active_sessions' });
  });
});

describe('allowlist and anomalies', () => {
  it('takes a form body with the token as a POST parameter and either ASN spelling; refuses bad values', async () => {
    sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, rateLimit: false });
    const t = sim.tokens.adminWeb;
    expect((await post(sim, 'admin.audit.anomaly.allow.updateItem', `token=${t}&trusted_cidr=192.0.2.0/24&trusted_cidr=10.0.0.0/8&trusted_asn=64503`)).json).toEqual({ ok: true });
    expect((await post(sim, 'admin.audit.anomaly.allow.getItem', `token=${t}`)).json).toEqual({ ok: true, trusted_cidr: ['192.0.2.0/24', '10.0.0.0/8'], trusted_asns: [64503] });
    for (const bad of ['trusted_cidr=2001:db8::/32', 'trusted_cidr=10.0.0.1', 'trusted_cidr=300.1.1.1/8', 'trusted_asns=0', 'trusted_asns=abc', 'trusted_asns=4294967296']) {
      const r = await post(sim, 'admin.audit.anomaly.allow.updateItem', `token=${t}&${bad}`);
      expect([r.status, r.json], bad).toEqual([200, { ok: false, error: 'invalid_arguments' }]);
    }
    // A refused write changed nothing.
    expect((await post(sim, 'admin.audit.anomaly.allow.getItem', `token=${t}`)).json.trusted_asns).toEqual([64503]);
  });

  it('never raises anomalies from a trusted network: late ones are dropped, added ones refused, others kept', async () => {
    sim = await startSimulator({
      seed: 11, users: 60, days: 3, end: TEST_END, now: () => TEST_END, rateLimit: false,
      faults: { lateFraction: 1, lateDelaySec: 30 * 86400 },
    });
    const before = anomalyIps(sim);
    const trusted = before.filter((ip) => ip.startsWith('192.0.2.') || simAsnOf(ip) === 64502);
    expect(trusted.length).toBeGreaterThan(0);
    const r = await post(sim, 'admin.audit.anomaly.allow.updateItem', 'trusted_cidr=192.0.2.0/24&trusted_asns=64502', { authorization: `Bearer ${sim.tokens.adminWeb}` });
    expect(r.json).toEqual({ ok: true });
    const after = anomalyIps(sim);
    expect(after.filter((ip) => ip.startsWith('192.0.2.') || ip.startsWith('198.51.100.'))).toEqual([]);
    expect(after.length).toBe(before.length - trusted.length);
    // Matt's story anomalies are never late, so they stay: only anomalies not yet raised are suppressed.
    const anomaly = { id: 'x1', date_create: TEST_END, action: 'anomaly', context: { ip_address: '192.0.2.5' }, details: { reason: ['tor'] } };
    sim.addEvents([anomaly, { ...anomaly, id: 'x2', context: { ip_address: '203.0.113.5' } }, { ...anomaly, id: 'x3', action: 'user_login' }]);
    const ids = new Set(sim.events().map((e) => e.event.id));
    expect([ids.has('x1'), ids.has('x2'), ids.has('x3')]).toEqual([false, true, true]);
  });

  it('an allowlist given at start removes the anomalies of that network from the generated log', async () => {
    sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, rateLimit: false, webApi: { allowlist: { trusted_cidr: [`${STORY.homeIp}/32`], trusted_asns: [] } } });
    expect(sim.events().filter((e) => e.event.action === 'anomaly' && (e.event.actor as Obj).user.id === STORY.userId)).toEqual([]);
  });

  it('answers getItem with trusted_asn when configured to (the spelling of Slack\'s examples)', async () => {
    sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, rateLimit: false, webApi: { asnKey: 'trusted_asn', allowlist: { trusted_cidr: [], trusted_asns: [7] } } });
    expect((await post(sim, 'admin.audit.anomaly.allow.getItem', `token=${sim.tokens.adminWeb}`)).json).toEqual({ ok: true, trusted_cidr: [], trusted_asn: [7] });
  });
});

describe('rate limit', () => {
  it('limits each method on its own (Tier 2) with 429 ratelimited and Retry-After', async () => {
    sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, rateLimit: false, webApi: { rateLimit: { perMinute: 2 } } });
    const auth = { authorization: `Bearer ${sim.tokens.adminWeb}` };
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await post(sim, 'admin.audit.anomaly.allow.getItem', '', auth)).status);
    expect(codes).toEqual([200, 200, 429]);
    const limited = await post(sim, 'admin.audit.anomaly.allow.getItem', '', auth);
    expect(limited.json).toEqual({ ok: false, error: 'ratelimited' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(sim, 'admin.users.session.list', '', auth)).status).toBe(200);
  });
});
