/** The alert-store contract, run unchanged on the in-memory store, SQLite and PostgreSQL (`test/store-backends.ts`). */
import { describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/store-backends.ts';
import { contextText, withContextText } from './context-text.ts';
import { MemoryAlertStore } from './memory.ts';
import type { AlertContext, AlertDraft, AlertStore } from './types.ts';

const ctx = (summary = 's'): AlertContext => ({ summary, reasons: [], facts: {}, target: null, ips: [], user_agents: [], downloads: null, related: [], aer_reset: null, slack: [] });

function draft(over: Partial<AlertDraft> = {}): AlertDraft {
  return {
    id: 'a1', rule: 'slack-anomaly', severity: 'medium', title: 'Slack anomaly: tor', user_id: 'W1', user_name: 'Ann', user_email: 'ann@x.example',
    first_ts: 1717408800, last_ts: 1717408900, event_ids: ['e1'], event_count: 1, tags: ['T1078'], context: ctx(), key: 'W1', period: 19877, anchor: 1717408800,
    ...over,
  };
}
const scope = { rules: ['slack-anomaly'], periodFrom: 19877, periodTo: 19877 };

const backends: Array<{ name: string; skip: boolean; setup(): void; make(): Promise<AlertStore> }> = [
  { name: 'memory', skip: false, setup() {}, make: async () => new MemoryAlertStore() },
  ...storeBackends('the alert store').map((b) => ({ ...b, make: async () => (await b.open()).alertStore() })),
];

for (const { name, skip, setup, make } of backends) describe.skipIf(skip)(`${name} alert store`, () => {
  setup();
  it('creates, then keeps unchanged alerts as they are', async () => {
    const a = await make();
    const r1 = await a.replace(scope, [draft()], 1000);
    expect(r1.created.map((x) => [x.id, x.status, x.version, x.first_seen])).toEqual([['a1', 'open', 1, '2024-06-03T10:00:00Z']]);
    const r2 = await a.replace(scope, [draft()], 2000);
    expect(r2).toMatchObject({ created: [], updated: [], removed: [], unchanged: 1 });
    expect((await a.pendingNotifications(10)).map((x) => x.id)).toEqual(['a1']);
  });

  it('an update keeps the analyst status and bumps the version; context alone does not', async () => {
    const a = await make();
    await a.replace(scope, [draft()], 1000);
    await a.markNotified([{ id: 'a1', version: 1 }]);
    await a.updateStatus('a1', 'acknowledged', 'looking', 'bob', 1500);
    await a.replace(scope, [draft({ context: ctx('new context') })], 2000);
    let x = (await a.get('a1'))!;
    expect([x.version, x.status, x.context.summary]).toEqual([1, 'acknowledged', 'new context']);
    expect(await a.pendingNotifications(10)).toHaveLength(0);
    const r = await a.replace(scope, [draft({ event_ids: ['e1', 'e2'], event_count: 2, last_ts: 1717409000 })], 3000);
    expect(r.updated).toHaveLength(1);
    x = (await a.get('a1'))!;
    expect([x.version, x.status, x.status_note, x.status_by, x.event_count]).toEqual([2, 'acknowledged', 'looking', 'bob', 2]);
    expect((await a.pendingNotifications(10)).map((p) => p.version)).toEqual([2]);
    await a.markNotified([{ id: 'a1', version: 1 }]); // an old version does not clear a newer one
    expect(await a.pendingNotifications(10)).toHaveLength(1);
  });

  it('takes drafts whose context is kept as text (as detection makes them) like any other', async () => {
    const a = await make();
    const asText = (d: AlertDraft): AlertDraft => {
      const { context, ...fields } = d;
      return withContextText(fields, contextText(context));
    };
    const r1 = await a.replace(scope, [asText(draft({ context: ctx('first') }))], 1000);
    expect(r1.created[0]!.context).toEqual(ctx('first'));
    expect((await a.get('a1'))!.context).toEqual(ctx('first'));
    // The same context as stored, once as text and once as an object: nothing to write either way.
    expect((await a.replace(scope, [asText(draft({ context: ctx('first') }))], 2000)).unchanged).toBe(1);
    expect((await a.replace(scope, [draft({ context: ctx('first') })], 2500)).unchanged).toBe(1);
    const r2 = await a.replace(scope, [asText(draft({ context: ctx('second') }))], 3000);
    expect([r2.unchanged, r2.updated.length]).toEqual([0, 0]);
    const x = (await a.get('a1'))!;
    expect([x.context.summary, x.version, x.updated_at]).toEqual(['second', 1, new Date(3000).toISOString()]);
  });

  it('an alert that no longer fires is removed if open, kept if decided, inherited by an alert absorbing it', async () => {
    const a = await make();
    await a.replace(scope, [draft({ id: 'a1' }), draft({ id: 'a2', key: 'W2', user_id: 'W2' }), draft({ id: 'a3', key: 'W3', user_id: 'W3' })], 1000);
    await a.updateStatus('a2', 'false_positive', 'a test account', 'bob', 1100);
    await a.updateStatus('a3', 'resolved', null, 'bob', 1100);
    // Late events: W3's alert now starts earlier (new id a3b); a1 and a2 are gone.
    const r = await a.replace(scope, [draft({ id: 'a3b', key: 'W3', user_id: 'W3', first_ts: 1717408700, anchor: 1717408700 })], 2000);
    expect(r.removed.sort()).toEqual(['a1', 'a3']);
    expect((await a.get('a2'))!.status).toBe('false_positive');
    const b = (await a.get('a3b'))!;
    expect([b.status, b.version]).toEqual(['resolved', 2]);
    // The absorbing alert carries the absorbed one's history; the alert removed with it has none left.
    expect((await a.history('a3b')).map((h) => [h.status, h.by])).toEqual([['resolved', 'bob']]);
    expect(await a.history('a3')).toEqual([]);
  });

  it('lists with filters, newest first', async () => {
    const a = await make();
    await a.replace({ rules: ['slack-anomaly', 'scraping-suspected'], periodFrom: 0, periodTo: 99999 }, [
      draft({ id: 'x1', last_ts: 100, first_ts: 50, severity: 'low' }),
      draft({ id: 'x2', rule: 'scraping-suspected', last_ts: 300, first_ts: 250, severity: 'high', user_id: 'W2', key: 'W2', user_email: 'w2@x.example' }),
      draft({ id: 'x3', last_ts: 200, first_ts: 150 }),
    ], 1000);
    await a.updateStatus('x3', 'resolved', null, null, 1000);
    expect((await a.list()).map((x) => x.id)).toEqual(['x2', 'x3', 'x1']);
    expect((await a.list({ status: ['open'] })).map((x) => x.id)).toEqual(['x2', 'x1']);
    expect((await a.list({ rule: ['scraping-suspected'] })).map((x) => x.id)).toEqual(['x2']);
    expect((await a.list({ user: 'w2@x.example' })).map((x) => x.id)).toEqual(['x2']);
    expect((await a.list({ severity: ['high', 'low'] })).map((x) => x.id)).toEqual(['x2', 'x1']);
    expect((await a.list({ since: 180, until: 260 })).map((x) => x.id)).toEqual(['x2', 'x3']);
    expect((await a.list({ limit: 1 })).map((x) => x.id)).toEqual(['x2']);
    expect(await a.updateStatus('nope', 'resolved', null, null, 1)).toBeNull();
  });

  it('keeps every status change with its note, who and when, oldest first', async () => {
    const a = await make();
    await a.replace(scope, [draft()], 1000);
    expect(await a.history('a1')).toEqual([]);
    await a.updateStatus('a1', 'acknowledged', 'looking into it', 'ann', Date.parse('2024-06-03T10:05:00Z'));
    await a.updateStatus('a1', 'resolved', 'HR informed', 'bob', Date.parse('2024-06-03T11:00:00Z'));
    // The alert shows the latest decision; the first responder's note is not lost.
    expect((await a.get('a1'))!.status_note).toBe('HR informed');
    expect(await a.history('a1')).toEqual([
      { status: 'acknowledged', note: 'looking into it', by: 'ann', at: '2024-06-03T10:05:00.000Z' },
      { status: 'resolved', note: 'HR informed', by: 'bob', at: '2024-06-03T11:00:00.000Z' },
    ]);
    expect(await a.history('nope')).toEqual([]);
  });

  it('pages with limit and offset, counts, and gives facet counts under the other filters', async () => {
    const a = await make();
    const rules = ['slack-anomaly', 'scraping-suspected'];
    await a.replace({ rules, periodFrom: 0, periodTo: 99999 }, [
      draft({ id: 'p1', last_ts: 500, first_ts: 400, severity: 'high' }),
      draft({ id: 'p2', rule: 'scraping-suspected', last_ts: 400, first_ts: 300, severity: 'high', user_id: 'W2', key: 'W2', user_name: 'Bo' }),
      draft({ id: 'p3', last_ts: 300, first_ts: 200, severity: 'low' }),
      draft({ id: 'p4', last_ts: 200, first_ts: 100, severity: 'medium', user_id: null, key: 'T1', user_name: null, user_email: null }),
    ], 1000);
    await a.updateStatus('p3', 'resolved', null, null, 1000);
    expect((await a.list({ limit: 2, offset: 1 })).map((x) => x.id)).toEqual(['p2', 'p3']);
    expect((await a.list({ offset: 3 })).map((x) => x.id)).toEqual(['p4']);
    expect((await a.list({ limit: 2, offset: 4 })).map((x) => x.id)).toEqual([]);
    expect(await a.count()).toBe(4);
    expect(await a.count({ severity: ['high'], limit: 1, offset: 1 })).toBe(2);
    const f = await a.facets({ severity: ['high'] });
    expect(f.total).toBe(2);
    expect(f.rules).toEqual([{ name: 'scraping-suspected', count: 1 }, { name: 'slack-anomaly', count: 1 }]);
    // Severity is counted without its own filter: the other severities stay listed with their counts.
    expect(f.severities).toEqual([{ name: 'high', count: 2 }, { name: 'low', count: 1 }, { name: 'medium', count: 1 }]);
    expect(f.statuses).toEqual([{ name: 'open', count: 2 }]);
    expect(f.users).toEqual([
      { id: 'W1', name: 'Ann', email: 'ann@x.example', count: 1 },
      { id: 'W2', name: 'Bo', email: 'ann@x.example', count: 1 },
    ]);
    const all = await a.facets();
    expect(all.statuses).toEqual([{ name: 'open', count: 3 }, { name: 'resolved', count: 1 }]);
    expect(all.users.map((u) => [u.id, u.count])).toEqual([['W1', 2], ['W2', 1]]);
  });

  it('finds the alerts holding an event within their time span, newest first; reads a scope and a user\'s window', async () => {
    const a = await make();
    const rules = ['slack-anomaly', 'scraping-suspected'];
    await a.replace({ rules, periodFrom: 0, periodTo: 99999 }, [
      draft({ id: 'c1', first_ts: 100, last_ts: 200, event_ids: ['e1', 'e10'], period: 1 }),
      draft({ id: 'c2', rule: 'scraping-suspected', first_ts: 150, last_ts: 300, event_ids: ['e10', 'e2'], period: 1, key: 'W2', user_id: 'W2' }),
      draft({ id: 'c3', first_ts: 400, last_ts: 500, event_ids: ['e1'], period: 2 }),
    ], 1000);
    expect((await a.containingEvent('e10', 160)).map((x) => x.id)).toEqual(['c2', 'c1']);
    // e1 is in c3 too, but outside the time given; "e1" is no prefix match of "e10".
    expect((await a.containingEvent('e1', 160)).map((x) => x.id)).toEqual(['c1']);
    expect(await a.containingEvent('e1', 350)).toEqual([]);
    expect((await a.inScope({ rules: ['slack-anomaly'], periodFrom: 1, periodTo: 2 })).map((x) => x.id).sort()).toEqual(['c1', 'c3']);
    expect((await a.inScope({ rules, periodFrom: 1, periodTo: 1, key: 'W2' })).map((x) => x.id)).toEqual(['c2']);
    expect(await a.inScope({ rules: [], periodFrom: 0, periodTo: 9 })).toEqual([]);
    expect((await a.forUser('W1', 450, 600)).map((x) => x.id)).toEqual(['c3']);
    await a.setContext('c1', ctx('refreshed'), 5000);
    const c1 = (await a.get('c1'))!;
    expect([c1.context.summary, c1.version, c1.updated_at]).toEqual(['refreshed', 1, new Date(5000).toISOString()]);
  });
});
