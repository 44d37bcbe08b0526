/**
 * Long values on both backends (SQLite file; PostgreSQL in a throwaway cluster, skipped with the reason printed
 * without binaries). PostgreSQL's B-tree holds at most 2,704 bytes an entry, so a long value in an indexed column
 * failed the whole write it came in. The values here are random text, which does not compress (a repeated character
 * does, and hid the limit from the fuzzer): an overlong identifier is quarantined at ingest with its reason and the
 * good events of its batch are stored; a 20,000-character name or a long grouping key is stored and found, on alerts
 * and incidents alike.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/store-backends.ts';
import { IDENTIFIER_MAX_BYTES } from '../events/identifier-limit.ts';
import { ingestStream } from '../ingest/index.ts';
import { regroupUsers } from '../incidents/service.ts';
import { draftFor, scopeOf } from '../incidents/testing.ts';
import type { OpenedStore } from './index.ts';

const TS = 1767225600;

/** `n` characters of deterministic text that does not compress (hex of a hash chain). */
function noise(seed: string, n: number): string {
  let out = '';
  let h = seed;
  while (out.length < n) out += h = createHash('sha256').update(h).digest('hex');
  return out.slice(0, n);
}

function event(id: string, over: { actorId?: string; name?: string; ip?: string; ua?: string; reason?: string[] } = {}) {
  return {
    id, date_create: TS, action: over.reason ? 'anomaly' : 'file_downloaded',
    actor: { type: 'user', user: { id: over.actorId ?? 'W0LONG0001', name: over.name ?? 'Long Values', email: 'long@example.com' } },
    entity: { type: 'file', file: { id: 'F0001', name: 'report.pdf' } },
    context: { ip_address: over.ip ?? '203.0.113.9', ua: over.ua ?? 'Mozilla/5.0', session_id: 7 },
    ...(over.reason ? { details: { reason: over.reason } } : {}),
  };
}

for (const backend of storeBackends('long values')) {
  describe.skipIf(backend.skip)(`long values: ${backend.name}`, () => {
    backend.setup();
    let store: OpenedStore;
    beforeEach(async () => {
      store = await backend.open();
    });

    it('an overlong identifier is quarantined with its reason; the good events of its batch, long names and agents included, are stored exactly', async () => {
      const longName = noise('name', 20_000);
      const longUa = noise('ua', 8_000);
      const good = [event('ok-1'), event('ok-2', { name: longName, ua: longUa, reason: ['user_agent'] })];
      const bad = [
        event('bad-actor', { actorId: noise('actor', 3_000) }),
        event('bad-ip', { ip: noise('ip', IDENTIFIER_MAX_BYTES + 1) }),
        event('bad-reason', { reason: [noise('reason', 2_000)] }),
        event(noise('id', 2_800)),
      ];
      const lines = [good[0], ...bad, good[1]].map((e) => JSON.stringify(e));
      const summary = await ingestStream(Readable.from([Buffer.from(lines.join('\n') + '\n')]), 'long.jsonl', { store });
      expect(summary).toEqual({ ingested: 2, duplicates: 0, quarantined: 4 });
      for (const [i, e] of good.entries()) expect((await store.getEvent(e.id))?.raw).toBe(lines[i === 0 ? 0 : lines.length - 1]);
      const reasons = (await store.listQuarantine()).map((q) => q.reason).sort();
      expect(reasons).toEqual([
        'actor id is 3000 bytes, over the 1024-byte limit of an identifier',
        'context.ip_address is 1025 bytes, over the 1024-byte limit of an identifier',
        'details.reason is 2000 bytes, over the 1024-byte limit of an identifier',
        'id is 2800 bytes, over the 1024-byte limit of an identifier',
      ]);
      // Found by the long name and agent through the ordinary filters.
      expect((await store.queryEvents({ reason: 'user_agent' })).map((e) => e.norm.actorName)).toEqual([longName]);
    });

    it("an address's lists take its newest events in time order, wide ones (a long name or user agent) among them", async () => {
      const wideUa = noise('wide-ua', 3_000);
      const wideName = noise('wide-name', 3_000);
      const evs = Array.from({ length: 6 }, (_, i) => ({ ...event(`ip-${i}`, { ua: i === 4 ? wideUa : `Agent/${i}`, name: i === 2 ? wideName : undefined }), date_create: TS + i }));
      await ingestStream(Readable.from([Buffer.from(evs.map((e) => JSON.stringify(e)).join('\n'))]), 'ip.jsonl', { store });
      const lists = await store.entityReads().addressLists('203.0.113.9', TS, TS + 100, 50, 4);
      expect(lists).toMatchObject({ scanned: 4, partial: true });
      expect(lists.user_agents.map((u) => u.v)).toEqual(['Agent/5', wideUa, 'Agent/3', 'Agent/2']);
      // The list names a user by the greatest name of the scanned events (both backends' max()).
      expect(lists.users).toEqual([{ v: 'W0LONG0001', name: [wideName, 'Long Values'].sort().at(-1), email: 'long@example.com', n: 4, first: TS + 2, last: TS + 5 }]);
    });

    it('an alert whose text holds a lone surrogate or hostile characters is stored with U+FFFD for the surrogate, the rest exact', async () => {
      const alerts = store.alertStore!();
      const hostile = `\ud800 Zoë "q" \\ \n\t <script> ' ; -- \u202e 日本 \ud83d\ude00`;
      const d = draftFor('al_hostile', 'W0HOSTILE1', TS, TS + 60, { title: hostile, user_name: hostile, tags: [hostile],
        context: { ...draftFor('x', 'x', 0, 0).context, summary: hostile } });
      await alerts.replace(scopeOf(d), [d], 0);
      const stored = (await alerts.get('al_hostile'))!;
      // PostgreSQL takes UTF-8, where a lone surrogate becomes U+FFFD; SQLite keeps its three bytes, read back as three.
      const expected = hostile.replace('\ud800', '\ufffd');
      const oneReplacement = (v: string | null) => v?.replace(/^\ufffd+/, '\ufffd');
      expect([oneReplacement(stored.title), oneReplacement(stored.user_name)]).toEqual([expected, expected]);
      // JSON text keeps the surrogate as an escape, so the tags and context come back exactly.
      expect(stored.tags).toEqual([hostile]);
      expect(stored.context.summary).toBe(hostile);
    });

    it('alerts and incidents whose user name, e-mail or key are long are stored and found by them', async () => {
      const alerts = store.alertStore!();
      const incidents = store.incidentStore!();
      const name = noise('alert-name', 20_000);
      const email = noise('alert-email', 4_000);
      const key = noise('alert-key', 9_000);
      const keyed = draftFor('al_long_key', 'W0LONG0001', TS, TS + 60, { user_id: null, key, user_name: null });
      const named = draftFor('al_long_name', 'W0LONG0002', TS, TS + 60, { user_name: name, user_email: email });
      for (const d of [keyed, named]) expect((await alerts.replace(scopeOf(d), [d], 0)).created.map((a) => a.id)).toEqual([d.id]);
      expect((await alerts.list({ user: name })).map((a) => a.id)).toEqual(['al_long_name']);
      expect((await alerts.list({ user: email })).map((a) => a.id)).toEqual(['al_long_name']);
      expect((await alerts.list({ user: key })).map((a) => a.id)).toEqual(['al_long_key']);
      expect((await alerts.inScope(scopeOf(keyed))).map((a) => a.id)).toEqual(['al_long_key']);
      // An alert without a user is its key's incident.
      await regroupUsers(alerts, incidents, [key, 'W0LONG0002'], 86400, Date.now());
      const byKey = await incidents.forUser(key);
      expect(byKey.map((i) => i.alert_ids)).toEqual([['al_long_key']]);
      expect((await incidents.list({ user: name })).map((i) => i.alert_ids)).toEqual([['al_long_name']]);
    });
  });
}
