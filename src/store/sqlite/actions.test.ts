/** The action-log contract, run unchanged on SQLite and PostgreSQL (`test/store-backends.ts`). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends } from '../../../test/store-backends.ts';
import { GENESIS_HASH, actionHash, type NewAction } from '../actions.ts';
import type { OpenedStore } from '../index.ts';

const entry = (over: Partial<NewAction> = {}): NewAction => ({
  actor: 'cli:ana',
  action: 'sign-out',
  targets: ['W1'],
  arguments: { scope: 'all' },
  reason: 'test',
  alert_id: null,
  status: 'done',
  slack: { ok: true },
  slack_error: null,
  message: null,
  diff: null,
  ...over,
});

for (const backend of storeBackends('the action log')) describe.skipIf(backend.skip)(`action log: ${backend.name}`, () => {
  backend.setup();
  let store: OpenedStore;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => store.close());
  const sql = (text: string, ...params: unknown[]) => backend.exec(store, text, params);
  it('chains records: ids 1.., prev_hash = previous hash, hash over the canonical record; reads back equal', async () => {
    const log = store.actionLog();
    const a = await log.append(entry(), new Date('2025-03-01T10:00:00Z'));
    const b = await log.append(entry({ targets: ['W2', 'W3'], status: 'failed', slack: { ok: false, error: 'user_not_found' }, slack_error: 'user_not_found' }));
    expect(a.id).toBe(1);
    expect(a.time).toBe('2025-03-01T10:00:00.000Z');
    expect(a.prev_hash).toBe(GENESIS_HASH);
    expect(b.id).toBe(2);
    expect(b.prev_hash).toBe(a.hash);
    expect(a.hash).toBe(actionHash(a));
    expect(a.hash).not.toBe(b.hash);
    expect(await log.get(1)).toEqual(a);
    expect(await log.list()).toEqual([b, a]);
    expect(await log.verify()).toEqual({ ok: true, count: 2 });
  });

  it('serialises concurrent appends: each chains onto the one before, none onto the same record', async () => {
    const log = store.actionLog();
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => log.append(entry({ reason: `c${i}` }))));
    expect(made.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await log.verify()).toEqual({ ok: true, count: 12 });
  });

  it('filters by user (any target), alert, status and since', async () => {
    const log = store.actionLog();
    const a = await log.append(entry({ targets: ['W1', 'W2'], alert_id: 'al1' }), new Date('2025-03-01T00:00:00Z'));
    const b = await log.append(entry({ targets: ['W2'], status: 'refused' }), new Date('2025-03-02T00:00:00Z'));
    const c = await log.append(entry({ targets: ['W3'] }), new Date('2025-03-03T00:00:00Z'));
    expect((await log.list({ user: 'W2' })).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await log.list({ user: 'W' })).map((r) => r.id)).toEqual([]);
    expect((await log.list({ alertId: 'al1' })).map((r) => r.id)).toEqual([a.id]);
    expect((await log.list({ status: 'refused' })).map((r) => r.id)).toEqual([b.id]);
    expect((await log.list({ since: '2025-03-02T00:00:00Z' })).map((r) => r.id)).toEqual([c.id, b.id]);
    expect((await log.list({ limit: 1 })).map((r) => r.id)).toEqual([c.id]);
  });

  it('refuses a malformed entry and stays append-only for plain SQL', async () => {
    const log = store.actionLog();
    await expect(log.append({ ...entry(), status: 'nope' as never })).rejects.toThrow();
    await log.append(entry());
    await expect(sql("UPDATE action_log SET reason = 'x'")).rejects.toThrow(/append-only/);
    await expect(sql('DELETE FROM action_log')).rejects.toThrow(/append-only/);
  });

  it('verify names the first record that does not fit: an edited field, a removed record', async () => {
    const log = store.actionLog();
    for (let i = 0; i < 4; i++) await log.append(entry({ reason: `r${i}` }));
    await backend.dropTrigger(store, 'action_log', 'action_log_no_update');
    await backend.dropTrigger(store, 'action_log', 'action_log_no_delete');
    await sql("UPDATE action_log SET status = 'failed' WHERE id = 3");
    expect(await log.verify()).toMatchObject({ ok: false, count: 2, bad: { id: 3, problem: expect.stringMatching(/edited/) } });
    // Undo the edit: the chain is whole again; then remove record 2, and record 3 no longer links.
    await sql("UPDATE action_log SET status = 'done' WHERE id = 3");
    expect(await log.verify()).toEqual({ ok: true, count: 4 });
    await sql('DELETE FROM action_log WHERE id = 2');
    expect(await log.verify()).toMatchObject({ ok: false, count: 1, bad: { id: 3, problem: expect.stringMatching(/prev_hash/) } });
  });

  it('verify flags a record rewritten with a recomputed hash through the next record', async () => {
    const log = store.actionLog();
    for (let i = 0; i < 3; i++) await log.append(entry({ reason: `r${i}` }));
    await backend.dropTrigger(store, 'action_log', 'action_log_no_update');
    const r2 = (await log.get(2))!;
    const forged = { ...r2, targets: ['W9'] };
    const hash = actionHash(forged);
    await sql("UPDATE action_log SET targets = '[\"W9\"]', hash = ? WHERE id = 2", hash);
    expect(await log.verify()).toMatchObject({ ok: false, bad: { id: 3 } });
  });
});
