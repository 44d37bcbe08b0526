import { describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/store-backends.ts';
import { normalise } from '../events/normalise.ts';
import { generateOrg } from '../sim/generator.ts';
import { refreshedContext } from './drafts.ts';
import { replayWithEngine } from './replay.ts';
import { testEngine } from './testing.ts';

// More than two scan pages of 10,000 events: the replay reads past its first pages on a worker thread, and alert
// context comes from the pages it kept (`RecentTape`) with the entities the scan carried.
const org = generateOrg({ seed: 29, users: 110, days: 8, end: 1717408800 });
const EVENTS = org.events.map((e) => ({ raw: e.raw, norm: normalise(e.event as never) }));

for (const backend of storeBackends('replay context')) {
  describe.skipIf(backend.skip)(`replay context: ${backend.name}`, () => {
    backend.setup();
    it('is what the store gives for each alert (downloads, related events, history)', async () => {
      expect(EVENTS.length).toBeGreaterThan(25_000);
      const store = await backend.open();
      await store.appendEvents(EVENTS);
      const engine = testEngine({}, undefined, { alerts: store.alertStore() });
      // Count the users' windows read back from the store: the tape should leave next to none.
      const reads = store.detectionReads();
      let windowReads = 0;
      store.detectionReads = () => ({ ...reads, allOf: (column, windows, actions) => ((windowReads += windows.size), reads.allOf(column, windows, actions)) });
      await replayWithEngine(store, engine, { collect: false });
      store.detectionReads = () => reads;
      const alerts = await engine.alerts.list();
      expect(windowReads).toBeLessThan(alerts.length / 20);
      expect(alerts.length).toBeGreaterThan(50);
      const withFiles = alerts.filter((a) => (a.context.downloads?.files.length ?? 0) > 0);
      expect(withFiles.length).toBeGreaterThanOrEqual(3);
      expect(withFiles.every((a) => a.context.downloads!.files.every((f) => f.file_id && f.file_name))).toBe(true);
      expect(alerts.filter((a) => a.context.related.length > 0).length).toBeGreaterThan(5);
      for (const a of alerts) {
        const rule = engine.rules.find((r) => r.id === a.rule)!;
        expect({ id: a.id, context: a.context }).toEqual({ id: a.id, context: await refreshedContext(store, engine.env, rule, a) });
      }
    }, 120_000);
  });
}
