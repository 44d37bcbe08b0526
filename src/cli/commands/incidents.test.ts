import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR } from '../../detect/rule-loader.ts';
import { readFixture, toIncoming } from '../../detect/test-events.ts';
import { cliActor } from '../../respond/actor.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import type { CliContext } from '../context.ts';
import { runCli } from '../program.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-incidents-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'gw.db');

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    openStore: async () => openSqliteStore(db),
    configPath: () => null,
    stdout: new Writable({ write: (c, _e, cb) => ((stdout += String(c)), cb()) }),
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    env: {},
  };
  const code = await runCli(ctx, ['node', 'gridwatch', ...args]);
  return { code, stdout, stderr };
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('gridwatch incidents', () => {
  it('detect groups each user\'s alerts into incidents; the JSON contract has the listed fields', async () => {
    const store = await openSqliteStore(db);
    await store.appendEvents(toIncoming(readFixture(join(BUILTIN_RULES_DIR, '../fixtures/matt-scraping.jsonl')), 'fixture'));
    await store.close();
    expect((await run('detect', '--no-notify', '--format', 'json')).code).toBe(0);
    const alerts = lines((await run('alerts', '--user', 'W0MATT0001', '--format', 'json')).stdout);
    expect(alerts.length).toBeGreaterThan(1);
    const r = await run('incidents', '--user', 'W0MATT0001', '--format', 'json');
    expect(r.code).toBe(0);
    const incidents = lines(r.stdout);
    for (const inc of incidents) {
      for (const k of ['id', 'user_id', 'severity', 'status', 'assignee', 'first_seen', 'last_seen', 'alert_ids', 'rules', 'title']) expect(inc).toHaveProperty(k);
      expect(inc).toMatchObject({ user_id: 'W0MATT0001', status: 'open', assignee: null });
      expect(inc.id).toMatch(/^in_[0-9a-f]{20}$/);
      expect(inc.first_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // Every alert of the user is in exactly one incident.
    expect(incidents.flatMap((i) => i.alert_ids as string[]).sort()).toEqual(alerts.map((a) => a.id as string).sort());
    // The scraping story is one incident across its rules, as severe as its worst alert.
    const story = incidents.find((i) => (i.rules as string[]).includes('scraping-suspected'))!;
    expect(story.rules).toEqual(expect.arrayContaining(['scraping-suspected', 'excessive-downloads-over-baseline']));
    expect(story.severity).toBe(alerts.filter((a) => (story.alert_ids as string[]).includes(a.id as string)).some((a) => a.severity === 'critical') ? 'critical' : 'high');
    // Replaying again gives the same incidents.
    await run('detect', '--no-notify', '--format', 'json');
    expect((await run('incidents', '--user', 'W0MATT0001', '--format', 'json')).stdout).toBe(r.stdout);
  });

  it('assign, comment and set-status; show lists alerts, comments and history; status reaches the alerts', async () => {
    const inc = lines((await run('incidents', '--user', 'W0MATT0001', '--format', 'json')).stdout).find((i) => (i.rules as string[]).includes('scraping-suspected'));
    const id = inc!.id as string;
    expect((await run('incidents', 'assign', id, 'nobody')).stderr).toMatch(/no gridwatch account named "nobody"/);
    const store = await openSqliteStore(db);
    await store.accountStore().createAccount({ name: 'ana', role: 'responder', passwordHash: 'x', mustChange: false }, 1);
    await store.close();
    expect((await run('incidents', 'assign', id, 'ANA')).stdout).toBe(`${id} assigned to ana\n`);
    expect((await run('incidents', 'comment', id, 'called Matt\'s manager')).code).toBe(0);
    expect((await run('incidents', 'set-status', id, 'resolved', '--note', 'account disabled')).stdout).toMatch(new RegExp(`^${id} resolved`));
    expect((await run('incidents', 'set-status', id, 'closed')).code).toBe(2);

    const show = JSON.parse((await run('incidents', 'show', id, '--format', 'json')).stdout) as Record<string, any>;
    expect(show).toMatchObject({ id, status: 'resolved', assignee: 'ana' });
    expect(show.alerts.map((a: { id: string }) => a.id)).toEqual(inc!.alert_ids);
    expect(show.comments).toMatchObject([{ author: cliActor({}), text: 'called Matt\'s manager' }]);
    expect(show.history.map((h: Record<string, unknown>) => [h.field, h.value, h.by])).toEqual([
      ['assignee', 'ana', cliActor({})],
      ['status', 'resolved', cliActor({})],
    ]);
    for (const a of show.alerts) expect(a.status).toBe('resolved');
    const alert = JSON.parse((await run('alerts', 'show', show.alerts[0].id, '--format', 'json')).stdout);
    expect(alert.history.at(-1)).toMatchObject({ status: 'resolved', note: 'account disabled', by: cliActor({}) });
    expect((await run('incidents', 'show', id)).stdout).toMatch(/comment by cli:\S+: called Matt's manager/);
    expect(lines((await run('incidents', '--status', 'resolved', '--format', 'json')).stdout).map((i) => i.id)).toEqual([id]);
    expect((await run('incidents', 'show', 'in_nope')).stderr).toMatch(/no incident with id in_nope/);
  });
});
