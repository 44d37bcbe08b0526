import { describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../alerts/memory.ts';
import type { AlertDraft, AlertScope, ReplaceResult } from '../alerts/types.ts';
import { normalise } from '../events/normalise.ts';
import { generateOrg } from '../sim/generator.ts';
import { replayWithEngine } from './replay.ts';
import { comparable, sortAlerts, storeWith, testEngine } from './testing.ts';

const org = generateOrg({ seed: 7, users: 30, days: 6, end: 1717408800 });
const EVENTS = org.events.map((e) => ({ raw: e.raw, norm: normalise(e.event as never) }));

/** An alert store whose writes take a while and are watched: how many at once, in which order, which one fails. */
class SlowAlertStore extends MemoryAlertStore {
  inFlight = 0;
  maxInFlight = 0;
  scopes: Array<[number, number]> = [];
  constructor(private readonly failAt = -1) {
    super();
  }
  override async replace(scope: AlertScope, drafts: readonly AlertDraft[], nowMs: number): Promise<ReplaceResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 20));
      if (this.scopes.length === this.failAt) throw new Error('disk full (test)');
      this.scopes.push([scope.periodFrom, scope.periodTo]);
      return await super.replace(scope, drafts, nowMs);
    } finally {
      this.inFlight--;
    }
  }
}

describe('replay stores each day while the scan goes on', () => {
  it('one write at a time, days in order, every one done when the replay returns', async () => {
    const expected = testEngine();
    await replayWithEngine(await storeWith(EVENTS), expected);
    const slow = new SlowAlertStore();
    const engine = testEngine({}, undefined, { alerts: slow });
    const report = await replayWithEngine(await storeWith(EVENTS), engine);
    expect(slow.maxInFlight).toBe(1);
    expect(slow.inFlight).toBe(0);
    expect(slow.scopes.length).toBeGreaterThan(1);
    for (let i = 1; i < slow.scopes.length; i++) expect(slow.scopes[i]![0]).toBe(slow.scopes[i - 1]![1] + 1);
    const want = sortAlerts(await expected.alerts.list()).map(comparable);
    expect(want.length).toBeGreaterThan(5);
    expect(sortAlerts(await slow.list()).map(comparable)).toEqual(want);
    expect(sortAlerts(report.alerts).map(comparable)).toEqual(want);
  });

  it('a write that fails fails the replay, after the write in flight has ended', async () => {
    const slow = new SlowAlertStore(1);
    const engine = testEngine({}, undefined, { alerts: slow });
    await expect(replayWithEngine(await storeWith(EVENTS), engine)).rejects.toThrow('disk full (test)');
    expect(slow.inFlight).toBe(0);
  });
});
