/**
 * The user page's excessive_downloads baseline is the baseline rule's own limit: detection raises the rule's alerts
 * on a real SQLite store with a configured lookback, fallback and time zone, and the page served over HTTP shows,
 * for each alert's day, the count and the limit the alert names. Users without history (the fallback) and with
 * history older than the configured lookback are the cases a page with its own maths got wrong.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../src/alerts/types.ts';
import { runIncremental } from '../src/cli/compose.ts';
import { configFromObject } from '../src/config/load.ts';
import { testEvent, toIncoming } from '../src/detect/test-events.ts';
import { BASELINE_RULE } from '../src/server/api/user-daily.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { addAccounts, apiLogin } from './server-fixtures.ts';

const tmp = tempDirs();
let store: SqliteStore;
let srv: RunningServer;
let cookie = '';
let alerts: Alert[] = [];

const config = configFromObject(
  {
    timezone: 'America/New_York',
    rules: { overrides: { [BASELINE_RULE]: { params: { 'baseline.lookback': '7d', 'baseline.fallback': 1 } } } },
  },
  'test config',
);

/** `n` excessive_downloads anomalies of `user`, ten minutes apart from `at`. */
const burst = (user: string, at: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ user, reasons: ['excessive_downloads'], at: new Date(Date.parse(at) + i * 600_000).toISOString() }));

beforeAll(async () => {
  store = await openSqliteStore(join(tmp.make('gw-baseline-'), 'gridwatch.db'));
  const specs = [
    // No history at all: the rule compares with its fallback (1), a plain baseline has nothing.
    ...burst('W0NEW0001', '2024-06-03T14:00:00Z', 2),
    // Three 10 days before: outside the configured 7 days, inside the 30 a fixed baseline would use.
    ...burst('W0OLD0001', '2024-05-24T14:00:00Z', 3),
    ...burst('W0OLD0001', '2024-06-03T14:00:00Z', 2),
    // One 3 days before (inside the lookback): the user's own baseline.
    ...burst('W0REG0001', '2024-05-31T14:00:00Z', 1),
    ...burst('W0REG0001', '2024-06-03T14:00:00Z', 3),
  ];
  const events = specs.map((s, i) => testEvent(s, i));
  await store.appendEvents(toIncoming(events, 'baseline test'));
  alerts = (await runIncremental(store, config, { notifier: null, log: () => {} })).filter((a) => a.rule === BASELINE_RULE);
  await addAccounts(store, ['viewer']);
  srv = await createServer({ store, config, port: 0, log: () => {} });
  cookie = (await apiLogin(srv.url, 'viewer')).cookie;
});

afterAll(async () => {
  await srv?.close();
  await store?.close();
});

/** The user page's daily figures for the one day of `since..until`. */
async function dayOf(user: string, since: number, until = since) {
  const r = await fetch(`${srv.url}/api/v1/users/${user}?since=${since}&until=${until}`, { headers: { cookie } });
  expect(r.status).toBe(200);
  const d = (await r.json()).daily;
  expect(d.days).toHaveLength(1);
  return { count: d.excessive_downloads[0], limit: d.baseline.excessive_downloads.max[0], basis: d.rule?.basis[0], rule: d.rule };
}

describe("the user page's excessive_downloads baseline", () => {
  it('is the limit each of the rule’s alerts names, for that day', async () => {
    const facts = alerts.map((a) => ({ user: a.user_id, since: a.first_ts, until: a.last_ts, ...(a.context.facts as { count: number; limit: number; basis: string }) }));
    // The three users' bursts of 2024-06-03 and W0OLD's older one, each above the fallback of 1 or the user's own 1.
    expect(facts.map((f) => [f.user, f.count, f.limit, f.basis]).sort()).toEqual([
      ['W0NEW0001', 2, 1, 'fallback'],
      ['W0OLD0001', 2, 1, 'fallback'],
      ['W0OLD0001', 3, 1, 'fallback'],
      ['W0REG0001', 3, 1, 'baseline'],
    ]);
    for (const f of facts) expect(await dayOf(f.user!, f.since, f.until), `${f.user} ${f.since}`).toMatchObject({ count: f.count, limit: f.limit, basis: f.basis });
  });

  it('names the rule as configured', async () => {
    const { rule } = await dayOf('W0NEW0001', Date.parse('2024-06-03T14:00:00Z') / 1000);
    expect(rule).toMatchObject({ id: BASELINE_RULE, bucket_days: 1, lookback_days: 7, fallback: 1 });
  });

  it('shows the limit on a day without alert too (W0REG the day before its own baseline day)', async () => {
    // 2024-05-31 in New York: no history in the 7 days before, so the fallback; one anomaly, not above it.
    expect(await dayOf('W0REG0001', Date.parse('2024-05-31T14:00:00Z') / 1000)).toMatchObject({ count: 1, limit: 1, basis: 'fallback' });
  });
});
