import { describe, expect, it } from 'vitest';
import { groupByGap, incidentId, planIncidents } from './plan.ts';
import { alertFor } from './testing.ts';

const T = 1717200000; // 2024-06-01T00:00:00Z
const H = 3600;
const GAP = 24 * H;
const NOW = '2024-07-01T00:00:00.000Z';
const ids = (groups: Array<Array<{ id: string }>>) => groups.map((g) => g.map((a) => a.id));

describe('grouping by gap', () => {
  it('an alert starting exactly `gap` after the latest event so far joins; one second later starts a new incident', () => {
    const a = alertFor('a', 'W1', T, T + H);
    expect(ids(groupByGap([a, alertFor('b', 'W1', T + H + GAP, T + H + GAP)], GAP))).toEqual([['a', 'b']]);
    expect(ids(groupByGap([a, alertFor('b', 'W1', T + H + GAP + 1, T + H + GAP + 1)], GAP))).toEqual([['a'], ['b']]);
  });

  it('measures from the latest event of the incident so far, not from the previous alert', () => {
    // b lies inside a's span; c is within the gap of a's end though far from b's.
    const a = alertFor('a', 'W1', T, T + 20 * H);
    const b = alertFor('b', 'W1', T + H, T + 2 * H);
    const c = alertFor('c', 'W1', T + 40 * H, T + 40 * H);
    expect(ids(groupByGap([c, b, a], GAP))).toEqual([['a', 'b', 'c']]);
  });

  it('spans rules and days; the severity is the highest, the rules in first-fired order', () => {
    const alerts = [
      alertFor('a', 'W1', T + 22 * H, T + 23 * H, { rule: 'slack-anomaly', severity: 'low' }),
      alertFor('b', 'W1', T + 30 * H, T + 30 * H, { rule: 'mass-download', severity: 'high', title: 'Mass download' }),
      alertFor('c', 'W1', T + 50 * H, T + 50 * H, { rule: 'slack-anomaly', severity: 'medium' }),
    ];
    const { incidents } = planIncidents(alerts, [], GAP, NOW);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      id: incidentId('a'), user_id: 'W1', severity: 'high', status: 'open', alert_ids: ['a', 'b', 'c'],
      rules: ['slack-anomaly', 'mass-download'], first_seen: '2024-06-01T22:00:00Z', last_seen: '2024-06-03T02:00:00Z',
      title: 'Mass download (+2 more alerts)',
    });
  });

  it('a new incident takes its alerts\' common status, else open', () => {
    const resolved = [alertFor('a', 'W1', T, T, { status: 'resolved' }), alertFor('b', 'W1', T + H, T + H, { status: 'resolved' })];
    expect(planIncidents(resolved, [], GAP, NOW).incidents[0]!.status).toBe('resolved');
    expect(planIncidents([resolved[0]!, alertFor('b', 'W1', T + H, T + H)], [], GAP, NOW).incidents[0]!.status).toBe('open');
  });
});

describe('planning against stored incidents', () => {
  const a = alertFor('a', 'W1', T, T);
  const b = alertFor('b', 'W1', T + 2 * H, T + 2 * H);

  it('a new alert within the gap of a resolved incident starts a new one; the resolved one keeps its alerts', () => {
    const first = planIncidents([a], [], GAP, NOW).incidents[0]!;
    const { incidents } = planIncidents([a, b], [{ ...first, status: 'resolved' }], GAP, NOW);
    expect(incidents.map((i) => [i.id, i.status, i.alert_ids])).toEqual([
      [incidentId('a'), 'resolved', ['a']],
      [incidentId('b'), 'open', ['b']],
    ]);
  });

  it('an acknowledged incident keeps its id, status and assignee when an alert joins', () => {
    const first = { ...planIncidents([a], [], GAP, NOW).incidents[0]!, status: 'acknowledged' as const, assignee: 'ana' };
    const { incidents, moves } = planIncidents([a, b], [first], GAP, NOW);
    expect(incidents.map((i) => [i.id, i.status, i.assignee, i.alert_ids])).toEqual([[incidentId('a'), 'acknowledged', 'ana', ['a', 'b']]]);
    expect(moves).toEqual([]);
  });

  it('a late alert that fills the gap merges two incidents: the absorbed one hands over its comments', () => {
    const c = alertFor('c', 'W1', T + 40 * H, T + 40 * H);
    const before = planIncidents([a, c], [], GAP, NOW).incidents;
    expect(before).toHaveLength(2);
    const late = alertFor('late', 'W1', T + 20 * H, T + 20 * H);
    const { incidents, moves } = planIncidents([a, c, late], before, GAP, NOW);
    expect(incidents.map((i) => i.alert_ids)).toEqual([['a', 'late', 'c']]);
    expect(moves).toEqual([{ from: incidentId('c'), to: incidentId('a') }]);
  });

  it('when its first alert goes, the incident gets a new id but keeps the state of the one it continues', () => {
    const first = { ...planIncidents([a, b], [], GAP, NOW).incidents[0]!, assignee: 'ana', status: 'acknowledged' as const };
    const { incidents, moves } = planIncidents([b], [first], GAP, NOW);
    expect(incidents.map((i) => [i.id, i.assignee, i.status])).toEqual([[incidentId('b'), 'ana', 'acknowledged']]);
    expect(moves).toEqual([{ from: incidentId('a'), to: incidentId('b') }]);
  });
});
