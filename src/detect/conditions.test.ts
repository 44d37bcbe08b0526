import { describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load.ts';
import { actionsOf, compileCondition } from './conditions.ts';
import { buildEnv } from './env.ts';
import { EventView } from './event-view.ts';
import { ConditionSchema, type Condition } from './rule-schema.ts';
import { specEvents } from './testing.ts';

const env = buildEnv(configFromObject({ lists: { vips: { type: 'values', values: ['W0VIP'] } }, allowlists: { vpn_ranges: { corp: ['10.8.0.0/16'] } } }));
const [anomaly, download] = specEvents([
  { reasons: ['asn', 'ip_address'], ip: '10.8.1.2', ua: 'Go-http-client/2.0', details: { ip_address_details: ['new-asn'], count: '7' } },
  { action: 'file_downloaded', user: 'W0VIP', file: { id: 'F1', name: 'Q3-Forecast.xlsx' } },
]).map((e) => new EventView({ seq: 1, ...e }));

const check = (c: unknown, v = anomaly!) => compileCondition(ConditionSchema.parse(c), env, 'where')(v);

describe('conditions', () => {
  it('equals, in, contains, prefix, suffix, regex on scalars and arrays (any element)', () => {
    expect(check({ field: 'action', equals: 'anomaly' })).toBe(true);
    expect(check({ field: 'reasons', equals: 'asn' })).toBe(true);
    expect(check({ field: 'reasons', in: ['tor', 'ip_address'] })).toBe(true);
    expect(check({ field: 'reasons', contains: 'tor' })).toBe(false);
    expect(check({ field: 'ua', contains: 'http' })).toBe(true);
    expect(check({ field: 'ua', prefix: 'Go-' })).toBe(true);
    expect(check({ field: 'entity.file.name', suffix: '.xlsx' }, download)).toBe(true);
    expect(check({ field: 'entity.file.name', regex: '^q3-', ignore_case: true }, download)).toBe(true);
    expect(check({ field: 'entity.file.name', regex: '^q3-' }, download)).toBe(false);
  });

  it('reads raw fields lazily by dotted path, including details.reason', () => {
    expect(check({ field: 'details.reason', contains: 'ip_address' })).toBe(true);
    expect(check({ field: 'details.ip_address_details', equals: 'new-asn' })).toBe(true);
    expect(check({ field: 'details.count', gte: 7 })).toBe(true);
    expect(check({ field: 'details.nothing.here', exists: false })).toBe(true);
  });

  it('exists, subset_of, not, all, any', () => {
    expect(check({ field: 'ip', exists: true })).toBe(true);
    expect(check({ field: 'reasons', exists: true }, download)).toBe(false);
    expect(check({ field: 'reasons', subset_of: ['asn', 'ip_address', 'user_agent'] })).toBe(true);
    expect(check({ field: 'reasons', subset_of: ['asn'] })).toBe(false);
    expect(check({ not: { field: 'action', equals: 'anomaly' } })).toBe(false);
    expect(check({ all: [{ field: 'action', equals: 'anomaly' }, { field: 'reasons', contains: 'asn' }] })).toBe(true);
    expect(check({ any: [{ field: 'action', equals: 'x' }, { field: 'reasons', contains: 'asn' }] })).toBe(true);
  });

  it('CIDR membership and named lists (config lists, VPN ranges, expected user agents)', () => {
    expect(check({ field: 'ip', cidr: '10.8.0.0/16' })).toBe(true);
    expect(check({ field: 'ip', cidr: ['192.0.2.0/24'] })).toBe(false);
    expect(check({ field: 'ip', in_list: 'vpn:corp' })).toBe(true);
    expect(check({ field: 'ip', in_list: 'vpn_ranges' })).toBe(true);
    expect(check({ field: 'user_id', in_list: 'vips' }, download)).toBe(true);
    expect(check({ field: 'ua', in_list: 'expected_user_agents' })).toBe(false);
    expect(check({ field: 'ua', in_list: 'expected_user_agents' }, download)).toBe(true);
    expect(check({ field: 'ip_24', equals: '10.8.1.0/24' })).toBe(true);
    expect(check({ field: 'ua_family', equals: 'api-library' })).toBe(true);
    expect(() => check({ field: 'ip', in_list: 'nope' })).toThrow(/where\.in_list: no list named "nope"/);
  });

  it('derives the action index from a condition', () => {
    const c = (x: unknown) => actionsOf(ConditionSchema.parse(x) as Condition);
    expect(c({ field: 'action', equals: 'anomaly' })).toEqual(new Set(['anomaly']));
    expect(c({ all: [{ field: 'action', in: ['a', 'b'] }, { field: 'action', in: ['b', 'c'] }] })).toEqual(new Set(['b']));
    expect(c({ any: [{ field: 'action', equals: 'a' }, { field: 'action', equals: 'b' }] })).toEqual(new Set(['a', 'b']));
    expect(c({ any: [{ field: 'action', equals: 'a' }, { field: 'ip', exists: true }] })).toBeNull();
    expect(c({ not: { field: 'action', equals: 'a' } })).toBeNull();
  });

  it('rejects malformed conditions with the path and the reason', () => {
    const issues = (x: unknown) => ConditionSchema.safeParse(x).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ field: 'ip' })).toEqual([expect.stringMatching(/^: needs one operator/)]);
    expect(issues({ field: 'ip', equals: 'a', prefix: 'b' })).toEqual([expect.stringMatching(/several operators \(equals, prefix\)/)]);
    expect(issues({ all: [{ field: 'ip', equal: 'x' }] })).toEqual([expect.stringMatching(/^all\.0\.equal: unknown key \(operators: equals, in, /)]);
    expect(issues({ field: 'ua', regex: '(' })![0]).toMatch(/^regex: not a valid regular expression/);
    expect(issues({ any: [] })).toEqual(['any: must be a non-empty list of conditions']);
  });
});

describe('conditions comparing two fields', () => {
  const [expanded, sameIp, blankPrev] = specEvents([
    { action: 'app_scopes_expanded', details: { previous_scopes: ['files:read', 'channels:history'], new_scopes: ['files:read', 'channels:history', 'links:read'] } },
    { reasons: ['user_agent'], ip: '198.51.100.7', details: { previous_ip_address: '198.51.100.7' } },
    { reasons: ['ip_address'], ip: '198.51.100.7', details: { previous_ip_address: '' } },
  ]).map((e) => new EventView({ seq: 1, ...e }));

  it('minus tests only the elements the other field does not hold (the scopes added)', () => {
    expect(check({ field: 'details.new_scopes', regex: 'history$' }, expanded)).toBe(true);
    expect(check({ field: 'details.new_scopes', minus: 'details.previous_scopes', regex: 'history$' }, expanded)).toBe(false);
    expect(check({ field: 'details.new_scopes', minus: 'details.previous_scopes', equals: 'links:read' }, expanded)).toBe(true);
    expect(check({ field: 'details.new_scopes', minus: 'details.nothing', regex: 'history$' }, expanded)).toBe(true);
  });

  it('equals_field compares with another field; a blank or missing other field never equals', () => {
    expect(check({ field: 'ip', equals_field: 'details.previous_ip_address' }, sameIp)).toBe(true);
    expect(check({ field: 'ip', equals_field: 'details.previous_ip_address' }, blankPrev)).toBe(false);
    expect(check({ field: 'ip', equals_field: 'details.nothing' }, sameIp)).toBe(false);
  });
});
