/** Incidents over real stores: the same suite on SQLite and PostgreSQL (`test/store-backends.ts`). */
import { describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/store-backends.ts';
import type { AlertDraft } from '../alerts/types.ts';
import type { OpenedStore } from '../store/index.ts';
import { incidentId } from './plan.ts';
import { assignIncident, commentIncident, IncidentError, setIncidentStatus, syncIncidents, trackAlertChanges, type IncidentDeps } from './service.ts';
import { draftFor, scopeOf } from './testing.ts';

const T = 1717200000;
const H = 3600;
const GAP = 24 * H;

type Deps = IncidentDeps & { store: OpenedStore };

/** Store drafts one detection run at a time, syncing incidents after each run as the detection hook does. */
async function detectInRuns(d: IncidentDeps, runs: AlertDraft[][]): Promise<void> {
  for (const run of runs) {
    const { alerts, changes } = trackAlertChanges(d.alerts);
    for (const x of run) await alerts.replace(scopeOf(x), [x], 1000);
    await syncIncidents(d.store, alerts, GAP, changes, 2000);
  }
}

/** What grouping decides (not the storage times). */
async function shape(d: IncidentDeps) {
  return (await d.incidents.list()).map(({ created_at: _c, updated_at: _u, ...rest }) => rest);
}

const drafts = [
  draftFor('a1', 'W1', T, T + H),
  draftFor('a2', 'W1', T + 20 * H, T + 21 * H, { rule: 'rule-b', severity: 'high' }),
  draftFor('a3', 'W1', T + 44 * H, T + 44 * H), // 23 h after a2: same incident, two days later
  draftFor('a4', 'W1', T + 100 * H, T + 100 * H), // far later: a second incident
  draftFor('b1', 'W2', T + H, T + H, { severity: 'low' }),
  draftFor('b2', 'W2', T + 30 * H, T + 30 * H),
];

for (const backend of storeBackends('incidents')) describe.skipIf(backend.skip)(`incidents on ${backend.name}`, () => {
  backend.setup();
  async function fresh(): Promise<Deps> {
    const store = await backend.open();
    return { store, alerts: store.alertStore(), incidents: store.incidentStore() };
  }

  describe('incidents after detection', () => {
    it('replay equals incremental: the same alerts in one run or in runs of any order give the same incidents', async () => {
      const once = await fresh();
      await detectInRuns(once, [drafts]);
      const expected = await shape(once);
      expect(expected.map((i) => [i.user_id, i.alert_ids, i.severity])).toEqual([
        ['W1', ['a4'], 'medium'],
        ['W1', ['a1', 'a2', 'a3'], 'high'],
        ['W2', ['b2'], 'medium'],
        ['W2', ['b1'], 'low'],
      ]);
      const orders = [
        drafts.map((x) => [x]),
        [...drafts].reverse().map((x) => [x]),
        [[drafts[3]!, drafts[0]!], [drafts[5]!, drafts[2]!], [drafts[1]!, drafts[4]!]],
      ];
      for (const runs of orders) {
        const inc = await fresh();
        await detectInRuns(inc, runs);
        expect(await shape(inc)).toEqual(expected);
      }
    });

    it('an alert removed by a later run leaves its incident (found through its alerts)', async () => {
      const d = await fresh();
      await detectInRuns(d, [drafts.slice(0, 4)]);
      const { alerts, changes } = trackAlertChanges(d.alerts);
      await alerts.replace(scopeOf(drafts[3]!), [], 3000);
      expect(changes.removed).toEqual(new Set(['a4']));
      await syncIncidents(d.store, alerts, GAP, changes, 4000);
      expect((await d.incidents.list()).map((i) => i.alert_ids)).toEqual([['a1', 'a2', 'a3']]);
    });

    it('the first sync, or a new gap, groups every stored alert', async () => {
      const d = await fresh();
      for (const x of drafts) await d.alerts.replace(scopeOf(x), [x], 1000);
      await syncIncidents(d.store, d.alerts, GAP, null, 2000);
      expect(await d.incidents.count()).toBe(4);
      await syncIncidents(d.store, d.alerts, 200 * H, null, 3000);
      expect((await d.incidents.list()).map((i) => i.alert_ids)).toEqual([['a1', 'a2', 'a3', 'a4'], ['b1', 'b2']]);
    });
  });

  describe('incident actions', () => {
    it('a status set on an incident goes to each alert, whose history records who and why', async () => {
      const d = await fresh();
      await detectInRuns(d, [drafts.slice(0, 3)]);
      const id = incidentId('a1');
      const inc = await setIncidentStatus(d, id, 'resolved', 'travel confirmed', 'cli:ana', 5000);
      expect(inc.status).toBe('resolved');
      for (const a of ['a1', 'a2', 'a3']) {
        expect((await d.alerts.get(a))!.status).toBe('resolved');
        expect(await d.alerts.history(a)).toEqual([{ status: 'resolved', note: 'travel confirmed', by: 'cli:ana', at: new Date(5000).toISOString() }]);
      }
      expect(await d.incidents.history(id)).toEqual([{ field: 'status', value: 'resolved', note: 'travel confirmed', by: 'cli:ana', at: new Date(5000).toISOString() }]);
    });

    it('after resolution a new alert within the gap starts a new incident; reopening merges them, comments kept', async () => {
      const d = await fresh();
      await detectInRuns(d, [drafts.slice(0, 2)]);
      const first = incidentId('a1');
      await commentIncident(d, first, 'ana', 'looked at it', 5000);
      await setIncidentStatus(d, first, 'resolved', null, 'ana', 6000);
      await detectInRuns(d, [[drafts[2]!]]);
      expect((await d.incidents.list()).map((i) => [i.id, i.status, i.alert_ids])).toEqual([
        [incidentId('a3'), 'open', ['a3']],
        [first, 'resolved', ['a1', 'a2']],
      ]);
      await commentIncident(d, incidentId('a3'), 'bob', 'again?', 7000);
      const merged = await setIncidentStatus(d, first, 'open', 'not over', 'ana', 8000);
      expect([merged.id, merged.alert_ids]).toEqual([first, ['a1', 'a2', 'a3']]);
      expect(await d.incidents.count()).toBe(1);
      expect((await d.incidents.comments(first)).map((c) => [c.author, c.text])).toEqual([['ana', 'looked at it'], ['bob', 'again?']]);
    });

    it('assigns to existing accounts only (names without case), and unassigns', async () => {
      const d = await fresh();
      await detectInRuns(d, [drafts.slice(0, 1)]);
      await d.store.accountStore().createAccount({ name: 'Ana', role: 'responder', passwordHash: 'x', mustChange: false }, 1);
      const id = incidentId('a1');
      await expect(assignIncident(d, id, 'nobody', 'cli:x', 1)).rejects.toThrow(IncidentError);
      expect((await assignIncident(d, id, 'ana', 'cli:x', 2)).assignee).toBe('Ana');
      // A later detection run keeps the assignment.
      await detectInRuns(d, [[drafts[1]!]]);
      expect((await d.incidents.get(id))!).toMatchObject({ assignee: 'Ana', alert_ids: ['a1', 'a2'] });
      expect((await assignIncident(d, id, null, 'cli:x', 3)).assignee).toBeNull();
      await expect(assignIncident(d, 'in_missing', 'ana', 'cli:x', 1)).rejects.toMatchObject({ code: 'not_found' });
    });
  });
});
