/**
 * Response playbooks against the simulator's admin Web API on loopback and a real SQLite store holding the
 * simulator's audit log: in `auto` mode a playbook acts once per alert (a second replay does nothing), never on a
 * user the audit log shows as an admin, and stops at `max_per_hour` (the rest wait as proposals); a person's
 * approval carries a waiting proposal out and records `approved` then `done`.
 */
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayDetailed } from '../src/cli/compose.ts';
import { ConfigSchema, type Config } from '../src/config/schema.ts';
import { ingestStream } from '../src/ingest/index.ts';
import { approvable, carryOutProposal, proposalOf } from '../src/respond/index.ts';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { TEST_END } from '../src/sim/testing.ts';
import { createWebClient } from '../src/slack/web-client.ts';
import type { ActionRecord } from '../src/store/actions.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';

const tmp = tempDirs();
let sim: Simulator;
let store: SqliteStore;
let config: Config;
/** The user of the earliest alert, made an org admin in the audit log (so unprotected, it would be acted on first). */
let admin: string;
const CAP = 2;

const ingest = (lines: string[]) => ingestStream(Readable.from([Buffer.from(lines.join('\n') + '\n')]), 'test', { store });
const env = () => ({ SLACK_ADMIN_TOKEN: sim.tokens.adminWeb, SLACK_API_URL: sim.webApiBaseUrl });
const replay = () => replayDetailed(store, config, { respondEnv: env(), log: () => {} });
const all = async (): Promise<ActionRecord[]> => (await store.actionLog().list()).reverse();
const autoActs = (rs: ActionRecord[]) => rs.filter((r) => r.actor === 'auto' && (r.status === 'done' || r.status === 'failed'));

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, users: 40, days: 3, end: TEST_END, now: () => TEST_END + 600, rateLimit: false });
  store = await openSqliteStore(join(tmp.make('gw-playbook-'), 'g.db'));
  await ingest(sim.events().map((e) => e.raw));
  // Which rules fire on this data: a first pass that notifies nothing (so no playbook runs yet).
  await replayDetailed(store, ConfigSchema.parse({}) as Config, { notifier: null, log: () => {} });
  const alerts = (await store.alertStore().list({ limit: 500 })).filter((a) => a.user_id).sort((a, b) => a.first_ts - b.first_ts);
  expect(alerts.length).toBeGreaterThan(CAP + 2);
  admin = alerts[0]!.user_id!;
  // The store learns of the admin the way Slack tells it: a role change in the audit log.
  const e = JSON.parse(sim.events().find((x) => (x.event as any).entity?.user)!.raw);
  e.id = 'role-change-test-0001';
  e.action = 'role_change_to_admin';
  e.date_create = alerts[0]!.first_ts - 3600;
  e.entity = { type: 'user', user: { id: admin, name: 'made admin', email: 'admin@example.com', team: e.entity.user.team } };
  await ingest([JSON.stringify(e)]);
  const rules = Object.fromEntries([...new Set(alerts.map((a) => a.rule))].map((r) => [r, { action: 'sign-out', scope: 'web' }]));
  config = Object.assign(ConfigSchema.parse({ responses: { mode: 'auto', max_per_hour: CAP, rules } }), { baseDir: null, source: null });
});

afterAll(async () => {
  await store?.close();
  await sim?.close();
});

describe('playbook in auto mode', () => {
  it('acts on the first eligible alerts, never on an admin, and stops at the hourly cap', async () => {
    expect(await store.responderReads().privilegedRole(admin)).toBe('admin');
    const adminSessions = sim.webApi.sessions.sessionsOf(admin).length;
    await replay();
    const rs = await all();
    const proposed = rs.filter((r) => r.status === 'proposed');
    const alertsWithUser = (await store.alertStore().list({ limit: 500 })).filter((a) => a.user_id && Object.hasOwn(config.responses.rules, a.rule));
    expect(proposed.length).toBe(alertsWithUser.length);
    // Never the admin: refused as protected, sessions untouched.
    expect(autoActs(rs).some((r) => r.targets.includes(admin))).toBe(false);
    const guard = rs.filter((r) => r.status === 'refused' && r.targets.includes(admin));
    expect(guard.map((r) => r.arguments.guardrail)).toContain('protected');
    expect(sim.webApi.sessions.sessionsOf(admin).length).toBe(adminSessions);
    // The cap: exactly CAP automatic actions, each done, the user's web sessions gone; the rest wait for a person.
    const acts = autoActs(rs);
    expect(acts.length).toBe(CAP);
    for (const a of acts) {
      expect(a.status).toBe('done');
      expect(a.arguments).toMatchObject({ scope: 'web', mode: 'auto' });
      expect(sim.webApi.sessions.sessionsOf(a.targets[0]!).filter((s) => s.kind === 'web')).toEqual([]);
    }
    const capped = rs.filter((r) => r.arguments.guardrail === 'cap');
    expect(capped.length).toBeGreaterThan(0);
    const waiting = await proposalOf(store.actionLog(), capped[0]!.alert_id!);
    expect(waiting).toMatchObject({ status: 'proposed', mode: 'auto' });
    expect(waiting!.reason).toMatch(/max_per_hour/);
    // No token in any record.
    expect(JSON.stringify(rs)).not.toContain(sim.tokens.adminWeb);
  });

  it('does not act again on a replay of the same alerts', async () => {
    const before = (await all()).length;
    await store.alertStore().list({ limit: 1 });
    await replay();
    await replay();
    expect((await all()).length).toBe(before);
  });

  it('a person approves a waiting proposal: approved, then done, and the sessions end', async () => {
    const waitingAlert = (await all()).find((r) => r.arguments.guardrail === 'cap')!.alert_id!;
    const p = (await proposalOf(store.actionLog(), waitingAlert))!;
    const client = createWebClient({ token: sim.tokens.adminWeb, baseUrl: sim.webApiBaseUrl });
    const r = await carryOutProposal({ log: store.actionLog(), proposal: p, actor: 'cli:tester', admin: { client, token: sim.tokens.adminWeb } });
    expect(r.ok).toBe(true);
    const mine = (await store.actionLog().list({ alertId: waitingAlert })).filter((x) => x.arguments.proposal === p.id && x.actor === 'cli:tester');
    expect(mine.map((x) => x.status)).toEqual(['done', 'approved']);
    expect(sim.webApi.sessions.sessionsOf(p.userId).filter((s) => s.kind === 'web')).toEqual([]);
    const now = (await proposalOf(store.actionLog(), waitingAlert))!;
    expect(now.status).toBe('done');
    expect(approvable(now)).toBe(false);
  });
});
