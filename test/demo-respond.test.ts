/**
 * The demo (`npm start` is `gridwatch demo`) as a person meets it: the real CLI in a child process, a small
 * organisation, serving on a free port. Its playbooks (propose mode) attach a proposed web sign-out to Matt's scraping
 * alert, and the button works: the demo's server carries the demo simulator's admin token, whatever the environment
 * says (here a wrong token and a dead SLACK_API_URL, which the demo must not use).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../src/sim/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { BIN, ROOT, watchOutput, type ChildOutput } from './cli-helpers.ts';

const tmp = tempDirs();
let child: ChildProcess;
let out: ChildOutput;
let url: string;
let db: string;
let session: { cookie: string; csrf: string };

async function api(method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { cookie: session.cookie, 'x-csrf-token': session.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as any };
}

beforeAll(async () => {
  db = join(tmp.make('gw-demo-'), 'demo.db');
  child = spawn(process.execPath, [BIN, '--db', db, 'demo', '--users', '40', '--days', '3', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, SLACK_ADMIN_TOKEN: 'xoxp-not-the-demo-token', SLACK_API_URL: 'http://127.0.0.1:9/api', GRIDWATCH_DB: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  out = watchOutput(child);
  url = (await out.waitFor(/gridwatch UI: (\S+)\/\n/, { timeoutMs: 90_000 }))[1]!;
  const password = (await out.waitFor(/Log in as "demo" with the password (\S+) /))[1]!;
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'demo', password }) });
  expect(r.status).toBe(200);
  session = { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await r.json()) as { csrf: string }).csrf };
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'close');
  }
});

describe('the demo proposes a sign-out on Matt\'s scraping alert', () => {
  let alertId: string;

  it('records a proposed web sign-out for Matt on his scraping alert, shown on the alert', async () => {
    const list = await api('GET', `/api/v1/alerts?rule=scraping-suspected&user=${STORY.userId}`);
    alertId = list.body.alerts.find((a: any) => a.user_id === STORY.userId).id;
    const d = new Database(db, { readonly: true });
    const rows = d.prepare('SELECT actor, action, targets, status FROM action_log WHERE alert_id = ?').all(alertId);
    d.close();
    expect(rows).toEqual([{ actor: 'auto', action: 'sign-out', targets: JSON.stringify([STORY.userId]), status: 'proposed' }]);
    const detail = await api('GET', `/api/v1/alerts/${alertId}`);
    expect(detail.body.proposal).toMatchObject({ action: 'sign-out', scope: 'web', mode: 'propose', status: 'proposed' });
  });

  it("the button works: approving signs Matt out through the demo's own simulator (the environment's token would fail)", async () => {
    // The sessions list comes from the same simulator (Slack's AER already reset Matt in the story, so it may be empty).
    const sessions = await api('GET', `/api/v1/respond/sessions/${STORY.userId}`);
    expect([sessions.status, Array.isArray(sessions.body.sessions)]).toEqual([200, true]);
    const r = await api('POST', `/api/v1/alerts/${alertId}/approve`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, action: { status: 'done', targets: [STORY.userId], alert_id: alertId } });
    expect(r.body.action.slack_error).toBeNull();
    expect((await api('GET', `/api/v1/alerts/${alertId}`)).body.proposal.status).toBe('done');
  });
});
