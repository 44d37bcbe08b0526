import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EPOCH } from './audit-routes.ts';
import { actionCatalogue } from './catalogue.ts';
import { startSimulator, type Simulator } from './server.ts';
import { STORY } from './story.ts';
import { drainLogs, fetchLogs, TEST_END } from './testing.ts';

type Obj = Record<string, any>;
const END = TEST_END;

/** Newest first, then id descending: the order /logs promises. */
function expectedOrder(a: Obj, b: Obj): number {
  if (a.date_create !== b.date_create) return b.date_create - a.date_create;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

describe('/logs on a generated organisation', () => {
  let sim: Simulator;
  let all: Obj[];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, users: 20, days: 2, end: END, now: () => END, rateLimit: false });
    all = sim.events().map((e) => e.event as Obj).sort(expectedOrder);
  });
  afterAll(() => sim.close());

  it('serves every entry newest first, ties in a stable id order, bodies built from the raw texts', async () => {
    const { entries, texts } = await drainLogs(sim, {}, 500);
    expect(entries.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const raws = new Map(sim.events().map((e) => [String(e.event.id), e.raw]));
    // The body is the raw texts joined: a string session_id stays a string, key order is untouched.
    for (const id of entries.slice(0, 50).map((e) => String(e.id))) expect(texts.join('')).toContain(raws.get(id)!);
    const page = await fetchLogs(sim, { limit: 3 });
    expect(page.text.startsWith(`{"entries":[${raws.get(String(all[0]!.id))},`)).toBe(true);
  });

  it('treats oldest and latest as inclusive', async () => {
    const counts = new Map<number, number>();
    for (const e of all) counts.set(e.date_create, (counts.get(e.date_create) ?? 0) + 1);
    const [t] = [...counts].find(([, n]) => n >= 3)!;
    const r = await fetchLogs(sim, { oldest: t, latest: t });
    expect(r.status).toBe(200);
    expect(r.json!.entries!.map((e) => e.id)).toEqual(all.filter((e) => e.date_create === t).map((e) => e.id));
    const wide = await drainLogs(sim, { oldest: t - 600, latest: t + 600 });
    expect(wide.entries.length).toBe(all.filter((e) => e.date_create >= t - 600 && e.date_create <= t + 600).length);
  });

  it('drains exactly the filtered set when every page repeats the filters', async () => {
    const oldest = END - 86400;
    const latest = END - 3600;
    const actions = ['file_downloaded', 'anomaly', 'user_login'];
    const { entries, pages } = await drainLogs(sim, { oldest, latest, action: actions.join(',') }, 40);
    const expected = all.filter((e) => e.date_create >= oldest && e.date_create <= latest && actions.includes(e.action));
    expect(pages).toBeGreaterThan(3);
    expect(entries.map((e) => e.id)).toEqual(expected.map((e) => e.id));
  });

  it('filters on actor and on the id inside entity.<type>', async () => {
    const mine = await drainLogs(sim, { actor: STORY.userId });
    expect(mine.entries.length).toBe(all.filter((e) => e.actor?.user?.id === STORY.userId).length);
    for (const e of mine.entries) expect((e as Obj).actor.user.id).toBe(STORY.userId);
    const glengarry = await fetchLogs(sim, { entity: STORY.fileId });
    expect(glengarry.json!.entries!.map((e: Obj) => [e.action, e.actor.user.id, e.entity.file.name])).toEqual([
      ['file_downloaded', STORY.userId, STORY.fileName],
    ]);
    const anomalies = await fetchLogs(sim, { action: 'anomaly', entity: STORY.userId });
    expect(anomalies.json!.entries!.length).toBeGreaterThanOrEqual(6);
    const unknownType = all.find((e) => e.entity?.type === 'work_object_record');
    if (unknownType) {
      const r = await fetchLogs(sim, { entity: unknownType.entity.work_object_record.id });
      expect(r.json!.entries!.map((e) => e.id)).toEqual([unknownType.id]);
    }
  });

  it('continues unfiltered when page 2 sends the cursor without oldest (Slack pitfall 2)', async () => {
    const oldest = END - 3600;
    const p1 = await fetchLogs(sim, { oldest, limit: 20 });
    const cursor = p1.json!.response_metadata!.next_cursor!;
    expect(cursor).not.toBe('');
    const lastTs = p1.json!.entries!.at(-1)!.date_create as number;
    const p2 = await drainLogs(sim, { cursor }, 9999).catch(() => null);
    // drainLogs adds its own cursor param only after the first page, so the first request carries ours.
    expect(p2).not.toBeNull();
    const served = p2!.entries;
    expect(served.some((e) => (e.date_create as number) < oldest)).toBe(true);
    expect(served.map((e) => e.id)).toEqual(all.filter((e) => e.date_create < lastTs).map((e) => e.id));
  });

  it('issues cursors that need URL-encoding and rejects them mangled or unknown', async () => {
    const p1 = await fetchLogs(sim, { limit: 5 });
    const cursor = p1.json!.response_metadata!.next_cursor!;
    expect(cursor).toMatch(/\+/);
    expect(cursor).toMatch(/\//);
    expect(cursor).toMatch(/=$/);
    const raw = await fetch(`${sim.auditBaseUrl}/logs?limit=5&cursor=${cursor}`, { headers: { authorization: `Bearer ${sim.tokens.owner}` } });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ ok: false, error: 'invalid_cursor' });
    const bogus = await fetchLogs(sim, { cursor: 'dXNlcjpVMEc5V0ZYTlo=' });
    expect([bogus.status, bogus.json]).toEqual([400, { ok: false, error: 'invalid_cursor' }]);
    const ok = await fetchLogs(sim, { limit: 5, cursor });
    expect(ok.status).toBe(200);
    expect(ok.json!.entries![0]!.id).toBe(all[5]!.id);
  });

  it('answers invalid_range for oldest before March 2018, and for oldest or latest in the future', async () => {
    const bad: Array<Record<string, string | number>> = [{ oldest: AUDIT_EPOCH - 1 }, { oldest: END + 3600 }, { latest: END + 3600 }, { oldest: 'yesterday' }];
    for (const params of bad) {
      const r = await fetchLogs(sim, params);
      expect([r.status, r.json], JSON.stringify(params)).toEqual([400, { ok: false, error: 'invalid_range' }]);
    }
    expect((await fetchLogs(sim, { oldest: AUDIT_EPOCH, limit: 1 })).status).toBe(200);
    expect((await fetchLogs(sim, { latest: END + 60, limit: 1 })).status).toBe(200);
  });

  it('answers invalid_action for 31 actions and for an unknown one, accepts 30', async () => {
    const names = Object.values(actionCatalogue()).flat();
    const r31 = await fetchLogs(sim, { action: names.slice(0, 31).join(',') });
    expect([r31.status, r31.json]).toEqual([400, { ok: false, error: 'invalid_action' }]);
    const r30 = await fetchLogs(sim, { action: names.slice(0, 30).join(','), limit: 1 });
    expect(r30.status).toBe(200);
    const unknown = await fetchLogs(sim, { action: 'user_login,file_teleported' });
    expect([unknown.status, unknown.json]).toEqual([400, { ok: false, error: 'invalid_action' }]);
  });

  it('caps limit at 9999 and defaults it to 100', async () => {
    expect((await fetchLogs(sim, {})).json!.entries!.length).toBeGreaterThanOrEqual(100);
    expect((await fetchLogs(sim, {})).json!.entries!.length).toBeLessThan(120);
    const big = await fetchLogs(sim, { limit: 50000 });
    expect(big.json!.entries!.length).toBe(Math.min(all.length, 9999));
  });

  it('sends each auth error with its status', async () => {
    const cases: Array<[string | null, number, string]> = [
      [null, 401, 'missing_authentication'],
      ['xoxp-nobody', 401, 'invalid_authentication'],
      [sim.tokens.noScope, 401, 'invalid_authentication'],
      [sim.tokens.adminWeb, 401, 'invalid_authentication'],
      [sim.tokens.workspace, 403, 'team_not_authorized'],
      [sim.tokens.notEnterprise, 403, 'feature_not_enabled'],
    ];
    for (const [token, status, error] of cases) {
      const r = await fetchLogs(sim, { limit: 1 }, token);
      expect([r.status, r.json], String(token)).toEqual([status, { ok: false, error }]);
    }
    const basic = await fetch(`${sim.auditBaseUrl}/logs`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect([basic.status, await basic.json()]).toEqual([401, { ok: false, error: 'missing_authentication' }]);
  });

  it('serves /schemas and /actions without a token, 404 bad_endpoint elsewhere', async () => {
    const schemas = (await (await fetch(`${sim.auditBaseUrl}/schemas`)).json()) as Obj;
    expect(schemas.schemas.map((s: Obj) => s.type)).toEqual(expect.arrayContaining(['user', 'file', 'channel', 'app', 'workspace']));
    const actions = await fetch(`${sim.auditBaseUrl}/actions`);
    expect(actions.status).toBe(200);
    expect(((await actions.json()) as Obj).actions.anomaly).toEqual(['anomaly']);
    const missing = await fetch(`${sim.auditBaseUrl}/nope`);
    expect([missing.status, await missing.json()]).toEqual([404, { ok: false, error: 'bad_endpoint' }]);
    const api = await fetch(`${sim.webApiBaseUrl}/admin.nothing`, { method: 'POST' });
    expect([api.status, await api.json()]).toEqual([404, { ok: false, error: 'unknown_method' }]);
    const post = await fetch(`${sim.auditBaseUrl}/logs`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('/logs pages and ties', () => {
  const ev = (id: string, ts: number, action = 'user_login'): Obj => ({
    id,
    date_create: ts,
    action,
    actor: { type: 'user', user: { id: 'W1', name: 'A', email: 'a@x', team: 'T1' } },
    entity: { type: 'user', user: { id: 'W1', name: 'A', email: 'a@x', team: 'T1' } },
  });
  let sim: Simulator;
  beforeAll(async () => {
    const T = 1_700_000_000;
    sim = await startSimulator({
      events: [ev('a', T + 2), ev('b', T + 2), ev('c', T + 1), ev('d', T + 1), ev('e', T + 1), ev('f', T + 1), ev('g', T)],
      rateLimit: false,
    });
  });
  afterAll(() => sim.close());

  it('overflows the limit to finish the last second rather than split a tie', async () => {
    const p1 = await fetchLogs(sim, { limit: 3 });
    expect(p1.json!.entries!.map((e) => e.id)).toEqual(['b', 'a', 'f', 'e', 'd', 'c']);
    const cursor = p1.json!.response_metadata!.next_cursor!;
    expect(cursor).not.toBe('');
    const p2 = await fetchLogs(sim, { limit: 3, cursor });
    expect(p2.json!.entries!.map((e) => e.id)).toEqual(['g']);
    expect(p2.json!.response_metadata!.next_cursor).toBe('');
  });

  it('ends with an empty next_cursor exactly when nothing further matches', async () => {
    const exact = await fetchLogs(sim, { limit: 2 });
    expect(exact.json!.entries!.map((e) => e.id)).toEqual(['b', 'a']);
    expect(exact.json!.response_metadata!.next_cursor).not.toBe('');
    const all = await fetchLogs(sim, { limit: 7 });
    expect(all.json!.response_metadata!.next_cursor).toBe('');
    const none = await fetchLogs(sim, { action: 'anomaly' });
    expect(none.text).toBe('{"entries":[],"response_metadata":{"next_cursor":""}}');
  });

  it('takes added events into the order at once, and accepts their action as a filter', async () => {
    sim.addEvents([ev('h', 1_700_000_001, 'custom_new_action')]);
    const r = await fetchLogs(sim, { limit: 10 });
    expect(r.json!.entries!.map((e) => e.id)).toEqual(['b', 'a', 'h', 'f', 'e', 'd', 'c', 'g']);
    const f = await fetchLogs(sim, { action: 'custom_new_action' });
    expect(f.json!.entries!.map((e) => e.id)).toEqual(['h']);
  });
});

describe('cursor expiry', () => {
  it('rejects a cursor older than cursorExpirySec on the simulator clock', async () => {
    let clock = END;
    const sim = await startSimulator({ users: 5, days: 1, end: END, now: () => clock, rateLimit: false, faults: { cursorExpirySec: 300 } });
    try {
      const p1 = await fetchLogs(sim, { limit: 5 });
      const cursor = p1.json!.response_metadata!.next_cursor!;
      clock += 299;
      expect((await fetchLogs(sim, { limit: 5, cursor })).status).toBe(200);
      clock += 2;
      const late = await fetchLogs(sim, { limit: 5, cursor });
      expect([late.status, late.json]).toEqual([400, { ok: false, error: 'invalid_cursor' }]);
      expect(sim.stats.faults.cursor_expired).toBe(1);
    } finally {
      await sim.close();
    }
  });
});

describe('rate limit', () => {
  it('shares one org-wide budget, answers 429 with Retry-After, and recovers', async () => {
    const sim = await startSimulator({ users: 5, days: 1, end: END, now: () => END, rateLimit: { perMinute: 3, windowSec: 1 } });
    try {
      sim.route('POST', '/api/test.echo', async (ctx) => {
        if (!ctx.takeRateLimit('ratelimited')) return;
        ctx.json(200, { ok: true, token: await ctx.token(), params: await ctx.params() });
      });
      const echo = await fetch(`${sim.webApiBaseUrl}/test.echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${sim.tokens.adminWeb}&user_id=W1`,
      });
      expect(await echo.json()).toEqual({ ok: true, token: sim.tokens.adminWeb, params: { token: sim.tokens.adminWeb, user_id: 'W1' } });
      expect((await fetchLogs(sim, { limit: 1 })).status).toBe(200);
      expect((await fetchLogs(sim, { limit: 1 })).status).toBe(200);
      const limited = await fetchLogs(sim, { limit: 1 });
      expect([limited.status, limited.json]).toEqual([429, { ok: false, error: 'rate_limited' }]);
      expect(limited.headers.get('retry-after')).toBe('1');
      const web = await fetch(`${sim.webApiBaseUrl}/test.echo`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect([web.status, await web.json()]).toEqual([429, { ok: false, error: 'ratelimited' }]);
      expect(sim.stats.rateLimited).toBe(2);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await fetchLogs(sim, { limit: 1 })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('computes Retry-After until a slot frees, and the error string is configurable', async () => {
    const sim = await startSimulator({ users: 5, days: 1, end: END, now: () => END, rateLimit: { perMinute: 1, error: 'ratelimited' } });
    try {
      expect((await fetchLogs(sim, { limit: 1 })).status).toBe(200);
      const r = await fetchLogs(sim, { limit: 1 });
      expect(r.status).toBe(429);
      expect(r.json).toEqual({ ok: false, error: 'ratelimited' });
      const after = Number(r.headers.get('retry-after'));
      expect(after).toBeGreaterThanOrEqual(59);
      expect(after).toBeLessThanOrEqual(60);
    } finally {
      await sim.close();
    }
  });

  it('defaults to 50 a minute', async () => {
    const sim = await startSimulator({ users: 2, days: 1, end: END, now: () => END });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 51; i++) statuses.push((await fetchLogs(sim, { limit: 1 })).status);
      expect(statuses.filter((s) => s === 200).length).toBe(50);
      expect(statuses[50]).toBe(429);
      // Open endpoints do not spend the budget.
      expect((await fetch(`${sim.auditBaseUrl}/actions`)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
