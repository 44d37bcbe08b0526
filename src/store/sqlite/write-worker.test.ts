import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalise } from '../../events/normalise.ts';
import { tempDirs } from '../../util/testing-tmp.ts';
import type { IncomingEvent } from '../types.ts';
import { openSqliteStore, type SqliteStore } from './index.ts';

function incoming(id: string, ts: number, extra: Record<string, unknown> = {}): IncomingEvent {
  const ev = { id, date_create: ts, action: 'anomaly', ...extra };
  // Pretty-printed on purpose: the stored text must be exactly this, not a re-serialisation.
  return { raw: JSON.stringify(ev, null, 1), norm: normalise(ev) };
}

const tmp = tempDirs();
let store: SqliteStore;
beforeEach(async () => {
  store = await openSqliteStore(join(tmp.make('gw-writer-'), 's.db'));
});
afterEach(async () => store.close());

describe('background writer (write worker)', () => {
  it('stores batches exactly as appendEvents would: raw text, columns, reasons, duplicates', async () => {
    const writer = (await store.openBackgroundWriter())!;
    expect(writer).not.toBeNull();
    const a = incoming('a', 100, {
      actor: { type: 'user', user: { id: 'W1', name: 'Zoë "Z" O\'Neil', email: 'z@x.example' } },
      context: { ip_address: '203.0.113.9', session_id: 12345, ua: 'Scrapers Inc/1.0 ✓' },
      details: { reason: ['user_agent', 'excessive_downloads'], action_timestamp: 1_700_000_000_123_456 },
    });
    const b = incoming('b', 101, { entity: { type: 'file', file: { id: 'F1', name: 'Glengarry-Leads.xlsx' } } });
    const r1 = await writer.append([a, b, a]);
    const r2 = await writer.append([b, incoming('c', 99)]);
    await writer.close();
    expect(r1).toEqual({ inserted: 2, duplicates: 1, insertedIds: ['a', 'b'] });
    expect(r2).toEqual({ inserted: 1, duplicates: 1, insertedIds: ['c'] });
    const got = (await store.getEvent('a'))!;
    expect(got.raw).toBe(a.raw);
    expect(got.norm).toEqual({ ...a.norm, actorType: null });
    expect((await store.getEvent('b'))!.norm.entityName).toBe('Glengarry-Leads.xlsx');
    expect(store.db.prepare('SELECT reason FROM event_reasons ORDER BY reason').pluck().all()).toEqual(['excessive_downloads', 'user_agent']);
    expect(await store.countEvents({ reason: 'user_agent' })).toBe(1);
  });

  it('rejects a batch that cannot be stored without losing the earlier ones', async () => {
    const writer = (await store.openBackgroundWriter())!;
    await writer.append([incoming('ok', 1)]);
    const broken = { raw: 42 as unknown as string, norm: normalise({ id: 'x', date_create: 1, action: 'a' }) };
    await expect(writer.append([incoming('lost-with-batch', 2), broken])).rejects.toThrow(/raw text/);
    // Refused by SQLite inside the worker's transaction (NOT NULL action): the whole batch rolls back.
    const noAction = incoming('y', 3);
    (noAction.norm as { action: string | null }).action = null;
    await expect(writer.append([incoming('rolled-back', 2), noAction])).rejects.toThrow(/NOT NULL/);
    expect((await writer.append([incoming('after', 4)])).insertedIds).toEqual(['after']);
    await writer.close();
    expect([...(await store.allIds())].sort()).toEqual(['after', 'ok']);
  });
});
