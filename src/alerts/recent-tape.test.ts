import { describe, expect, it } from 'vitest';
import { normalise } from '../events/normalise.ts';
import type { StoredEvent } from '../events/schema.ts';
import { MemoryStore } from '../detect/memory-store.ts';
import { generateOrg } from '../sim/generator.ts';
import { pageOfEvents, type DetectionReads } from '../store/detection-reads.ts';
import { recentActions } from './context.ts';
import { storeRecent, type RecentEvents, type TimeWindow } from './history.ts';
import { RecentTape } from './recent-tape.ts';

const org = generateOrg({ seed: 3, users: 12, days: 4, end: 1717408800 });
const HOUR = 3600;

async function scanned(): Promise<{ store: MemoryStore; events: StoredEvent[] }> {
  const store = new MemoryStore();
  await store.appendEvents(org.events.map((e) => ({ raw: e.raw, norm: normalise(e.event as never) })));
  const events: StoredEvent[] = [];
  for await (const batch of store.detectionReads().scan(0, Number.MAX_SAFE_INTEGER, 1000)) events.push(...batch);
  return { store, events };
}

/** A reader that counts the reads of users' windows (what the tape saves). */
function counting(reads: DetectionReads): DetectionReads & { windowReads: number } {
  const r = {
    ...reads,
    windowReads: 0,
    allOf: async (...args: Parameters<DetectionReads['allOf']>) => {
      r.windowReads += args[1].size;
      return reads.allOf(...args);
    },
  };
  return r;
}

/** What context reads of recent events, comparable across sources. */
function shape(m: Map<string, RecentEvents>, windows: ReadonlyMap<string, readonly TimeWindow[]>) {
  return [...windows].map(([u, ws]) => ({
    user: u,
    events: [...(m.get(u)?.between(ws[0]!.since, ws[ws.length - 1]!.until) ?? [])].map((e) => [e.norm.id, e.norm.action, e.norm.entityId, e.norm.entityName]),
    aer: m.get(u)?.aerResets.map((e) => e.norm.id),
  }));
}

describe('recent tape', () => {
  it('answers covered windows from the scan, the same as the store, and reads the store for the rest', async () => {
    const { store, events } = await scanned();
    const reads = counting(store.detectionReads());
    const tape = new RecentTape(recentActions(true), reads);
    for (let i = 0; i < events.length; i += 500) tape.add(pageOfEvents(events.slice(i, i + 500)));
    const last = events[events.length - 1]!.norm.ts;
    const users = [...new Set(events.map((e) => e.norm.actorId).filter((u): u is string => !!u))].slice(0, 6);
    expect(users.length).toBe(6);
    // Two windows per user in the middle of the scan: on the tape.
    const mid = events[Math.floor(events.length / 2)]!.norm.ts;
    const covered = new Map(users.map((u) => [u, [{ since: mid - 5 * HOUR, until: mid - 3 * HOUR }, { since: mid, until: mid + 2 * HOUR }]]));
    const fromTape = await tape.recentOf(covered, recentActions(true));
    expect(reads.windowReads).toBe(0);
    const fromStore = await storeRecent(store.detectionReads()).recentOf(covered, recentActions(true));
    expect(shape(fromTape, covered)).toEqual(shape(fromStore, covered));
    expect(shape(fromTape, covered).reduce((n, u) => n + u.events.length, 0)).toBeGreaterThan(20);
    // Downloads carry their file: the entity the scan brings along.
    const files = shape(fromTape, covered).flatMap((u) => u.events).filter((e) => e[1] === 'file_downloaded');
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((e) => typeof e[2] === 'string' && typeof e[3] === 'string')).toBe(true);

    // Past the end of the scan (the second after the last one read may hold more events) and before a prune: the store.
    const pages = tape.pagesKept;
    expect(pages).toBe(Math.ceil(events.length / 500));
    tape.pruneBefore(mid - 4 * HOUR);
    // The pages before the cut are let go: every one whose last event is older than it.
    const older = (i: number) => events[Math.min(i + 499, events.length - 1)]!.norm.ts < mid - 4 * HOUR;
    expect(tape.pagesKept).toBe(pages - Array.from({ length: pages }, (_, k) => older(k * 500)).filter(Boolean).length);
    expect(tape.pagesKept).toBeLessThan(pages * 0.7);
    const beyond = new Map([
      [users[0]!, [{ since: last - HOUR, until: last }]],
      [users[1]!, [{ since: mid - 5 * HOUR, until: mid }]],
      [users[2]!, [{ since: mid - 2 * HOUR, until: mid }]],
    ]);
    const mixed = await tape.recentOf(beyond, recentActions(true));
    expect(reads.windowReads).toBe(2);
    expect(shape(mixed, beyond)).toEqual(shape(await storeRecent(store.detectionReads()).recentOf(beyond, recentActions(true)), beyond));
  });

  it('keeps only a subset of actions when asked for it, and forgets what was pruned', async () => {
    const { store, events } = await scanned();
    const tape = new RecentTape(recentActions(true), store.detectionReads());
    tape.add(pageOfEvents(events));
    const all = tape.size;
    expect(all).toBe(events.filter((e) => recentActions(true).includes(e.norm.action) && e.norm.actorId).length);
    const mid = events[Math.floor(events.length / 2)]!.norm.ts;
    tape.pruneBefore(mid);
    expect(tape.size).toBe(events.filter((e) => recentActions(true).includes(e.norm.action) && e.norm.actorId && e.norm.ts >= mid).length);
    const user = events.find((e) => e.norm.actorId && e.norm.ts > mid + 2 * HOUR)!.norm.actorId!;
    const w = new Map([[user, [{ since: mid, until: mid + 6 * HOUR }]]]);
    // Without downloads: the same as the store's answer for those actions.
    const fromTape = await tape.recentOf(w, recentActions(false));
    const fromStore = await storeRecent(store.detectionReads()).recentOf(w, recentActions(false));
    expect(shape(fromTape, w)).toEqual(shape(fromStore, w));
    expect(shape(fromTape, w)[0]!.events.some((e) => e[1] === 'file_downloaded')).toBe(false);
  });
});
