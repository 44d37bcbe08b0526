import { describe, expect, it } from 'vitest';
import { IDENTIFIER_MAX_BYTES, overlongIdentifier } from './identifier-limit.ts';
import { normalise } from './normalise.ts';
import { validateEventText } from './validate.ts';

const base = { id: 'ev-1', date_create: 1767225600, action: 'file_downloaded' };
const check = (e: Record<string, unknown>) => overlongIdentifier(normalise(e as never), JSON.stringify(e));

describe('overlongIdentifier', () => {
  it('counts UTF-8 bytes, not characters: 341 three-byte characters fit, 342 do not', () => {
    expect(check({ ...base, actor: { type: 'user', user: { id: '日'.repeat(341) } } })).toBeNull();
    expect(check({ ...base, actor: { type: 'user', user: { id: '日'.repeat(342) } } })).toBe('actor id is 1026 bytes, over the 1024-byte limit of an identifier');
    expect(check({ ...base, id: 'x'.repeat(IDENTIFIER_MAX_BYTES) })).toBeNull();
  });

  it('names each indexed identifier, as the stores read it (a numeric session id, a message channel, one reason of several)', () => {
    const long = 'y'.repeat(IDENTIFIER_MAX_BYTES + 1);
    expect(check({ ...base, action: long })).toMatch(/^action is 1025 bytes/);
    expect(check({ ...base, actor: { type: 'user', user: { id: 'W1', email: long } } })).toMatch(/^actor email is/);
    expect(check({ ...base, entity: { type: 'file', file: { id: long } } })).toMatch(/^entity id is/);
    expect(check({ ...base, context: { ip_address: ` ${long} ` } })).toMatch(/^context.ip_address is 1025 bytes/);
    expect(check({ ...base, context: { session_id: long } })).toMatch(/^context.session_id is/);
    expect(check({ ...base, details: { reason: ['user_agent', long] } })).toMatch(/^details.reason is/);
    expect(check({ ...base, entity: { type: 'message', message: { channel: long } } })).toMatch(/^entity.message.channel is/);
  });

  it('leaves names, user agents and file names unbounded', () => {
    const huge = 'z'.repeat(50_000);
    expect(check({ ...base, actor: { type: 'user', user: { id: 'W1', name: huge } }, entity: { type: 'file', file: { id: 'F1', name: huge } }, context: { ua: huge } })).toBeNull();
  });

  it('makes validation fail with the reason', () => {
    const v = validateEventText(JSON.stringify({ ...base, id: 'i'.repeat(2000) }));
    expect(v).toEqual({ ok: false, reason: 'id is 2000 bytes, over the 1024-byte limit of an identifier' });
    expect(validateEventText(JSON.stringify(base)).ok).toBe(true);
  });
});
