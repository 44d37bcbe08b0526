import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../config/load.ts';
import { compileRule } from '../compile.ts';
import { buildEnv } from '../env.ts';
import { EventView } from '../event-view.ts';
import { ConditionSchema, NewValueRuleSchema } from '../rule-schema.ts';
import { signalGroups, titleReasons } from '../signals.ts';
import { specEvents } from '../testing.ts';
import { bucketIndexer, bucketLimit, limitAt } from './threshold.ts';
import { TimeZone } from '../time.ts';
import { HISTORY, TRIGGER, type Firing } from './types.ts';

describe('paired reasons', () => {
  it('split an anomaly into signals, one per group of paired reasons', () => {
    expect(signalGroups(['unexpected_user_agent', 'user_agent', 'excessive_downloads'])).toEqual([['unexpected_user_agent', 'user_agent'], ['excessive_downloads']]);
    expect(signalGroups(['ip_address', 'asn', 'tor'])).toEqual([['ip_address', 'asn'], ['tor']]);
    expect(signalGroups(['spoofed_user_agent', 'unexpected_client'])).toEqual([['spoofed_user_agent', 'unexpected_client']]);
    expect(titleReasons(['asn', 'ip_address', 'tor'])).toEqual(['asn', 'tor']);
  });
});

describe('threshold baselines', () => {
  const t = { bucket: 86400, baseline: { method: 'max' as const, lookback: 30 * 86400, k: 3, min_history: 1, fallback: 3 } };
  it('without history the fallback applies', () => {
    expect(bucketLimit(t, new Array(30).fill(0))).toMatchObject({ limit: 3, basis: 'fallback' });
  });
  it('with history the highest bucket is the limit, even below the fallback', () => {
    expect(bucketLimit(t, [0, 1, 0, 2, ...new Array(26).fill(0)])).toMatchObject({ limit: 2, basis: 'baseline', history: { non_empty: 2, max: 2 } });
  });
  it('min_history decides when the history is enough', () => {
    expect(bucketLimit({ ...t, baseline: { ...t.baseline, min_history: 3 } }, [0, 1, 0, 2])).toMatchObject({ limit: 3, basis: 'fallback' });
  });
  it('mean + k standard deviations', () => {
    expect(bucketLimit({ ...t, baseline: { ...t.baseline, method: 'mean_stddev', k: 2 } }, [2, 4, 4, 4, 5, 5, 7, 9])).toMatchObject({ limit: 9, basis: 'baseline' });
  });
  it('a fixed limit raises a lower baseline', () => {
    expect(bucketLimit({ ...t, above: 10 }, [0, 1])).toMatchObject({ limit: 10, basis: 'fixed' });
  });
  it('limitAt reads the lookback buckets just before the bucket, no older, not the bucket itself', () => {
    const week = { ...t, baseline: { ...t.baseline, lookback: 7 * 86400 } };
    const counts = new Map([[100, 9], [92, 5], [95, 2]]);
    expect(limitAt(week, 100, (b) => counts.get(b) ?? 0)).toMatchObject({ limit: 2, basis: 'baseline', history: { buckets: 7, non_empty: 1 } });
    expect(limitAt(week, 103, (b) => counts.get(b) ?? 0)).toMatchObject({ limit: 9, basis: 'baseline' });
    expect(limitAt(week, 93, (b) => counts.get(b) ?? 0)).toMatchObject({ limit: 5, basis: 'baseline' });
    expect(limitAt(week, 92, (b) => counts.get(b) ?? 0)).toMatchObject({ limit: 3, basis: 'fallback' });
  });
  it('day buckets follow the time zone', () => {
    const at = Date.parse('2024-06-03T03:10:00Z') / 1000; // 23:10 on June 2 in New York
    expect(bucketIndexer(t, new TimeZone('America/New_York'))(at)).toBe(bucketIndexer(t, new TimeZone('UTC'))(at) - 1);
  });
});

describe('new value history', () => {
  /** A `new_value` rule over IPs that fires on anomalies, compiled. */
  const newIpRule = (lookback: number, grace: number) =>
    compileRule(
      NewValueRuleSchema.parse({
        id: 'nv', title: 't', description: 'd', severity: 'low', runbook: 'r', kind: 'new_value',
        where: ConditionSchema.parse({ field: 'action', equals: 'anomaly' }),
        new_value: { value: 'ip', lookback, grace },
        tests: [{ name: 'x', expect: [] }],
      }),
      buildEnv(configFromObject({})),
      { suppressDefault: 3600 },
    );

  // The compact per-bucket history must answer exactly like keeping every timestamp.
  it('agrees with a brute-force check on random histories', () => {
    const L = 30 * 86400;
    for (const grace of [0, 3600, 86400]) {
      const rule = newIpRule(L, grace);
      let seed = 1 + grace;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const specs = Array.from({ length: 400 }, (_, i) => ({
        action: rnd() < 0.3 ? 'anomaly' : 'user_login',
        ip: `192.0.2.${Math.floor(rnd() * 4)}`,
        at: Math.floor(rnd() * 90 * 86400) - 45 * 86400,
        id: `e${i}`,
      }));
      const views = specEvents(specs)
        .map((e, i) => new EventView({ seq: i + 1, ...e }))
        .sort((a, b) => a.norm.ts - b.norm.ts || (a.norm.id < b.norm.id ? -1 : 1));
      const ev = rule.newEvaluator();
      const out: Firing[] = [];
      for (const v of views) ev.push(v, rule.roles(v), out);
      const got = out.map((f) => f.events[0]!.norm.id).sort();
      const want = views
        .filter((v) => rule.roles(v) & TRIGGER)
        .filter((v) => !views.some((h) => rule.roles(h) & HISTORY && h.norm.ip === v.norm.ip && h.norm.ts >= v.norm.ts - L && h.norm.ts < v.norm.ts - grace))
        .map((v) => v.norm.id)
        .sort();
      expect(got).toEqual(want);
    }
  });

  // The history lane (`pushValue`) with runs of one value, values that go unseen past the lookback and come back
  // (the evaluator forgets them every 1,024 values and caches the last one), against the same brute force.
  it('agrees with a brute-force check when history comes through the lane in long runs of one value', () => {
    const L = 7 * 86400;
    const grace = 3600;
    const rule = newIpRule(L, grace);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let ip = 0;
    let at = 0;
    const specs = Array.from({ length: 6000 }, (_, i) => {
      if (rnd() < 0.02) ip = Math.floor(rnd() * 5);
      // Mostly minutes apart, now and then a gap of up to two lookbacks, so values expire and return.
      at += rnd() < 0.003 ? Math.floor(rnd() * 2 * L) : Math.floor(rnd() * 600);
      return { action: rnd() < 0.05 ? 'anomaly' : 'user_login', ip: `192.0.2.${ip}`, at, id: `e${String(i).padStart(5, '0')}` };
    });
    const views = specEvents(specs).map((e, i) => new EventView({ seq: i + 1, ...e }));
    const ev = rule.newEvaluator();
    const out: Firing[] = [];
    for (const v of views) {
      const roles = rule.roles(v);
      if (roles & TRIGGER) ev.push(v, roles, out);
      else ev.pushValue!(v.norm.ip!, v.norm.ts);
    }
    const got = out.map((f) => f.events[0]!.norm.id);
    const want = views
      .filter((v) => rule.roles(v) & TRIGGER)
      .filter((v) => !views.some((h) => h.norm.ip === v.norm.ip && h.norm.ts >= v.norm.ts - L && h.norm.ts < v.norm.ts - grace))
      .map((v) => v.norm.id);
    expect(want.length).toBeGreaterThan(5);
    expect(got).toEqual(want);
  });

  it('a value forgotten while it was the last one recorded is known again once it comes back', () => {
    const L = 86400;
    const ev = newIpRule(L, 60).newEvaluator();
    const [late, back] = specEvents([
      { action: 'anomaly', ip: '192.0.2.9', at: 3 * L, id: 'late' },
      { action: 'anomaly', ip: '192.0.2.1', at: 3 * L + 600, id: 'back' },
    ]).map((e, i) => new EventView({ seq: i + 1, ...e }));
    const out: Firing[] = [];
    // 1,023 values, then a trigger alone (no history role) as the 1,024th: the sweep forgets 192.0.2.1, stale by then.
    const t0 = late!.norm.ts - 3 * L; // specEvents' times are offsets from its own epoch
    for (let i = 0; i < 1023; i++) ev.pushValue!('192.0.2.1', t0 + i);
    ev.push(late!, TRIGGER, out);
    ev.pushValue!('192.0.2.1', t0 + 3 * L + 1);
    ev.push(back!, TRIGGER, out);
    expect(out.map((f) => f.events[0]!.norm.id)).toEqual(['late']);
  });
});
