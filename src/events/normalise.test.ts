import { describe, expect, it } from 'vitest';
import { normalise, reasonsOf, toMillis } from './normalise.ts';
import { validateEventText } from './validate.ts';

const base = { id: 'e1', date_create: 1644428305, action: 'anomaly' };

describe('normalise: Slack drift (docs/slack-api.md 7.9)', () => {
  it('reads session_id as number, string or null', () => {
    expect(normalise({ ...base, context: { session_id: 1656410836837 } }).sessionId).toBe('1656410836837');
    expect(normalise({ ...base, context: { session_id: '847288190092' } }).sessionId).toBe('847288190092');
    expect(normalise({ ...base, context: { session_id: null } }).sessionId).toBeNull();
  });

  it('reads reason as a string or an array', () => {
    expect(normalise({ ...base, details: { reason: 'tor' } }).reasons).toEqual(['tor']);
    expect(normalise({ ...base, details: { reason: ['asn', 'ip_address'] } }).reasons).toEqual(['asn', 'ip_address']);
    expect(reasonsOf([1, '', 'tor', null])).toEqual(['tor']);
    expect(normalise(base).reasons).toEqual([]);
  });

  it('normalises action_timestamp by magnitude (µs, ms, s)', () => {
    expect(toMillis(1644428253989994)).toBe(1644428253989);
    expect(toMillis(1644428253989)).toBe(1644428253989);
    expect(toMillis(1644428253)).toBe(1644428253000);
    expect(toMillis('1644428253989994')).toBe(1644428253989);
    expect(toMillis(-1)).toBeNull();
    expect(toMillis('soon')).toBeNull();
  });

  it('turns empty or blank IPs into null', () => {
    expect(normalise({ ...base, context: { ip_address: '' } }).ip).toBeNull();
    expect(normalise({ ...base, context: { ip_address: ' ' } }).ip).toBeNull();
    expect(normalise({ ...base, context: { ip_address: '203.0.113.78' } }).ip).toBe('203.0.113.78');
  });

  it('reads known and unknown entity types from their type-keyed sub-object', () => {
    const file = normalise({ ...base, entity: { type: 'file', file: { id: 'F1', name: 'Glengarry-Leads.xlsx' } } });
    expect([file.entityType, file.entityId, file.entityName]).toEqual(['file', 'F1', 'Glengarry-Leads.xlsx']);
    const odd = normalise({ ...base, entity: { type: 'work_object_record', work_object_record: { id: 'R9', title: 'Deal' } } });
    expect([odd.entityType, odd.entityId, odd.entityName]).toEqual(['work_object_record', 'R9', 'Deal']);
    const mistyped = normalise({ ...base, entity: { type: 'canvas', doc: { id: 'D1' } } });
    expect(mistyped.entityId).toBe('D1');
  });

  it('tolerates wrong types anywhere but the three required fields', () => {
    const weird = normalise({ ...base, actor: 'bob', entity: [1, 2], context: { ua: 42, location: 'x' }, details: 'n/a' } as never);
    expect(weird.actorId).toBeNull();
    expect(weird.entityId).toBeNull();
    expect(weird.ua).toBeNull();
    expect(weird.reasons).toEqual([]);
  });
});

describe('validateEventText', () => {
  it('accepts any event with the three required fields and names what is missing otherwise', () => {
    expect(validateEventText(JSON.stringify({ ...base, unknown: { deep: [1] } })).ok).toBe(true);
    const r = validateEventText('{"id":"a","action":"x"}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/date_create/);
    const neg = validateEventText('{"id":"a","action":"x","date_create":-5}');
    expect(!neg.ok && neg.reason).toMatch(/date_create/);
    const emptyId = validateEventText('{"id":"","action":"x","date_create":5}');
    expect(!emptyId.ok && emptyId.reason).toMatch(/id/);
  });
});
