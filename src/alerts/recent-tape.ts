/**
 * Alert context's recent events, kept from a replay's own scan instead of read back from the store.
 *
 * Why: a replay hands over each day's alerts, and each alert's context lists the user's downloads and related
 * events over the hours around it. Read from the store, that was one indexed read per user and window: at 10M
 * events, 84,000 reads of random table pages, 17 s of a 57 s replay on SQLite, and most of a 254 s one on PostgreSQL
 * (each read a round trip). The scan has just passed those events: the tape keeps, per user, where each event of the context's
 * actions sits in the scan's pages (page and row, no object per event), for the last day or two of the scan, and
 * makes the events of an alert's windows only when asked.
 *
 * Same answers as the store: a user whose windows the tape does not wholly cover (before what it still holds, or
 * past what the scan has reached) is read from the store, and events come back in the store's order, (ts, id).
 */
import { compareEvents } from '../events/order.ts';
import type { StoredEvent } from '../events/schema.ts';
import type { EventPage } from '../store/detection-reads.ts';
import { RecentEvents, spanOf, type HistoryReader, type RecentSource, type TimeWindow } from './history.ts';

/** One user's rows on the tape, oldest first; `head` is the first one still kept. */
interface UserRows {
  ts: number[];
  /** Page number times `ROWS` plus the row: one number, no pointer, per row (cheaper to keep and to collect). */
  ref: number[];
  head: number;
}

/** More rows than any scan page has (pages are a few thousand rows). */
const ROWS = 2 ** 20;

export class RecentTape implements RecentSource {
  private readonly users = new Map<string, UserRows>();
  private readonly actions: ReadonlySet<string>;
  /** The pages rows may point into; `pages[0]` is page number `firstPage`. */
  private readonly pages: EventPage[] = [];
  private firstPage = 0;
  /** Every event of the tape's actions with since <= ts <= until is on the tape (none before the first page). */
  private since = Infinity;
  private until = -Infinity;

  /**
   * @param actions the actions alert context reads (`recentActions(true)`)
   * @param reader where users the tape does not cover are read from
   * @example
   * const tape = new RecentTape(recentActions(true), store.detectionReads());
   * for await (const page of reads.scanPages(since, until, 10_000, { carryEntityOf: recentActions(true) })) tape.add(page);
   */
  constructor(
    actions: readonly string[],
    private readonly reader: HistoryReader,
  ) {
    this.actions = new Set(actions);
  }

  /** Take a page of the scan (pages in scan order, each right after the one before). */
  add(p: EventPage): void {
    if (p.n === 0) return;
    if (p.n > ROWS) throw new Error(`scan page of ${p.n} rows: the tape takes at most ${ROWS}`);
    if (this.since === Infinity) this.since = p.ts(0);
    const base = (this.firstPage + this.pages.length) * ROWS;
    this.pages.push(p);
    const actions = this.actions;
    for (let i = 0; i < p.n; i++) {
      if (!actions.has(p.action(i))) continue;
      const user = p.actorId(i);
      if (user === null) continue;
      let u = this.users.get(user);
      if (!u) this.users.set(user, (u = { ts: [], ref: [], head: 0 }));
      u.ts.push(p.ts(i));
      u.ref.push(base + i);
    }
    // The next page may hold more events of this page's last second.
    this.until = p.ts(p.n - 1) - 1;
  }

  /**
   * Forget events before `ts` (and the pages only they kept alive).
   *
   * @example tape.pruneBefore(tz.dayStart(day + 1) - 2 * 86400)
   */
  pruneBefore(ts: number): void {
    if (!(ts > this.since)) return;
    this.since = ts;
    for (const [user, u] of this.users) {
      let h = u.head;
      while (h < u.ts.length && u.ts[h]! < ts) h++;
      if (h === u.ts.length) {
        this.users.delete(user);
        continue;
      }
      u.head = h;
      // Compact once the dropped part outweighs the kept one: amortised O(1) per row.
      if (h > 64 && h * 2 > u.ts.length) {
        u.ts.splice(0, h);
        u.ref.splice(0, h);
        u.head = 0;
      }
    }
    // Pages whose every row is older than that: no user's rows point into them any more.
    let drop = 0;
    while (drop < this.pages.length && this.pages[drop]!.ts(this.pages[drop]!.n - 1) < ts) drop++;
    if (drop) {
      this.pages.splice(0, drop);
      this.firstPage += drop;
    }
  }

  /** Does the tape hold every event of these windows? */
  covers(windows: readonly TimeWindow[]): boolean {
    if (!windows.length) return false;
    const w = spanOf(windows);
    return w.since >= this.since && w.until <= this.until;
  }

  /**
   * Recent events of the given users over their windows (`RecentSource`): from the tape where it covers them, else
   * from the store. AER sign-outs are read from the store either way (one query: they are rare).
   *
   * @example const byUser = await tape.recentOf(new Map([['W1', [{ since, until }]]]), recentActions(true))
   */
  async recentOf(windows: ReadonlyMap<string, readonly TimeWindow[]>, actions: readonly string[]): Promise<Map<string, RecentEvents>> {
    const wanted = new Set(actions);
    const onTape = new Map<string, readonly TimeWindow[]>();
    const elsewhere = new Map<string, readonly TimeWindow[]>();
    const kept = actions.every((a) => this.actions.has(a));
    for (const [user, ws] of windows) {
      if (ws.length) (kept && this.covers(ws) ? onTape : elsewhere).set(user, ws);
    }
    const out = elsewhere.size ? await RecentEvents.loadMany(this.reader, elsewhere, actions) : new Map<string, RecentEvents>();
    if (!onTape.size) return out;
    const aer = await RecentEvents.aerResetsOf(this.reader, onTape);
    for (const [user, ws] of onTape) {
      const events = this.eventsOf(user, ws, wanted);
      out.set(user, RecentEvents.of(spanOf(ws), events, aer.get(user) ?? []));
    }
    return out;
  }

  /** A user's events of `wanted` actions in the windows (disjoint, oldest first), in the store's (ts, id) order. */
  private eventsOf(user: string, windows: readonly TimeWindow[], wanted: ReadonlySet<string>): StoredEvent[] {
    const u = this.users.get(user);
    const out: StoredEvent[] = [];
    if (!u) return out;
    for (const w of windows) {
      let lo = u.head;
      let hi = u.ts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (u.ts[mid]! < w.since) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < u.ts.length && u.ts[k]! <= w.until; k++) {
        const ref = u.ref[k]!;
        const page = this.pages[Math.floor(ref / ROWS) - this.firstPage]!;
        const row = ref % ROWS;
        if (wanted.has(page.action(row))) out.push(page.event(row));
      }
    }
    // The scan's order is (ts, seq); the store's reads give (ts, id), which differs only within a second.
    return out.sort((a, b) => compareEvents(a.norm, b.norm));
  }

  /** Rows kept, over every user (for tests and memory checks). */
  get size(): number {
    let n = 0;
    for (const u of this.users.values()) n += u.ts.length - u.head;
    return n;
  }

  /** Pages kept alive (for tests and memory checks). */
  get pagesKept(): number {
    return this.pages.length;
  }
}
