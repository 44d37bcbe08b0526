/**
 * The event reads detection makes: the time-ordered replay scan (as events or as columnar pages), every event
 * matching a query, and many users' events over their own windows. A backend may serve them faster than the
 * `Store` interface can (SQLite: lean columns, raw text read on demand, the scan on a worker thread:
 * `sqlite/detection-reads.ts`); `genericDetectionReads` serves them from any `Store`.
 */
import { compareEvents } from '../events/order.ts';
import type { StoredEvent } from '../events/schema.ts';
import type { EventQuery, Store, TimeWindow } from './types.ts';

/**
 * A page of scanned events, columnar: the fields history reads by row index, the full event only when asked for.
 * Most events of a replay are history only: reading them this way allocates nothing per event.
 */
export interface EventPage {
  readonly n: number;
  ts(i: number): number;
  action(i: number): string;
  actorId(i: number): string | null;
  ip(i: number): string | null;
  ua(i: number): string | null;
  /** The full event of row i (a new object per call). */
  event(i: number): StoredEvent;
}

/** How a replay scan reads its events. */
export interface ScanOptions {
  /**
   * Actions whose entity id and name come with the scanned rows instead of a lookup on first access: alert context
   * reads them for many events of these actions (the files a user downloaded, related events).
   */
  carryEntityOf?: readonly string[];
}

export interface DetectionReads {
  /** Events with since <= ts <= until in (ts, seq) order, in batches. */
  scan(since: number, until: number, batchSize: number): AsyncIterable<StoredEvent[]>;
  /** The same scan as pages (`EventPage`). A page stays readable after the next one arrives. */
  scanPages(since: number, until: number, batchSize: number, opts?: ScanOptions): AsyncIterable<EventPage>;
  /** Every event matching the query (`before` and `limit` are ignored), oldest first by (ts, id). */
  all(q: EventQuery): Promise<StoredEvent[]>;
  /** Events of many actors (or entities), each over its own time window, oldest first per value. */
  allOf(column: 'actor' | 'entity', windows: ReadonlyMap<string, TimeWindow>, actions?: readonly string[]): Promise<Map<string, StoredEvent[]>>;
}

/**
 * An array of events as a page.
 *
 * @example pageOfEvents(batch).ts(0) === batch[0].norm.ts
 */
export function pageOfEvents(events: readonly StoredEvent[]): EventPage {
  return {
    n: events.length,
    ts: (i) => events[i]!.norm.ts,
    action: (i) => events[i]!.norm.action,
    actorId: (i) => events[i]!.norm.actorId,
    ip: (i) => events[i]!.norm.ip,
    ua: (i) => events[i]!.norm.ua,
    event: (i) => events[i]!,
  };
}

/**
 * The events of a page, in order.
 *
 * @example for await (const p of reads.scanPages(a, b, 1000)) handle(eventsOfPage(p))
 */
export function eventsOfPage(p: EventPage): StoredEvent[] {
  const out = new Array<StoredEvent>(p.n);
  for (let i = 0; i < p.n; i++) out[i] = p.event(i);
  return out;
}

async function* pagesOf(batches: AsyncIterable<StoredEvent[]>): AsyncGenerator<EventPage> {
  for await (const b of batches) yield pageOfEvents(b);
}

/**
 * Detection reads through the `Store` interface alone (the in-memory store, any backend without its own).
 *
 * @example for await (const batch of genericDetectionReads(store).scan(since, until, 10_000)) ...
 */
export function genericDetectionReads(store: Store): DetectionReads {
  return {
    scan: (since, until, batchSize) => store.scanEvents({ since, until, batchSize }),
    scanPages: (since, until, batchSize) => pagesOf(store.scanEvents({ since, until, batchSize })),
    async all(q) {
      const out: StoredEvent[] = [];
      let before: EventQuery['before'];
      for (;;) {
        const page = await store.queryEvents({ ...q, before, limit: 10_000 });
        out.push(...page);
        if (page.length < 10_000) break;
        const last = page[page.length - 1]!;
        before = { ts: last.norm.ts, seq: last.seq };
      }
      return out.sort((a, b) => compareEvents(a.norm, b.norm));
    },
    async allOf(column, windows, actions) {
      const out = new Map<string, StoredEvent[]>();
      for (const [v, w] of windows) out.set(v, await this.all({ [column]: v, since: w.since, until: w.until, ...(actions ? { actions: [...actions] } : {}) }));
      return out;
    },
  };
}
