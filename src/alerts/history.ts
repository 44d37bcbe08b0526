/**
 * The user history alert context reads, in two shapes:
 * - `DayUsage`: how often and when a user used each IP and user agent, per day (in the configured time zone). A
 *   replay fills it from the events it scans anyway (a few map updates per event, memory per user × value × day);
 *   an incremental run loads it from the store for the few users it has alerts for. Same numbers either way.
 * - `RecentEvents`: a user's events over the hours around an alert (downloads, related events, AER sign-outs),
 *   read from the store.
 */
import type { HistoryFields, StoredEvent } from '../events/schema.ts';
import type { EventQuery, TimeWindow } from '../store/types.ts';

export const AER_ACTION = 'user_sessions_reset_by_anomaly_event_response';
/** How long after an alert an AER sign-out still counts as Slack's response to it. */
export const AER_AFTER = 86400;

export type { TimeWindow };

export interface Usage {
  first: number;
  last: number;
  count: number;
}

/** Uses of a value by a user over a range of days. */
export interface UsageSource {
  usage(userId: string, kind: 'ip' | 'ua', value: string, fromDay: number, toDay: number): Usage | null;
}

/** What history loading needs from the store: the detection engine's reader fits. */
export interface HistoryReader {
  all(q: EventQuery): Promise<StoredEvent[]>;
  /** Optional batch form: many users' events, each over its own window, oldest first per user. */
  allOf?(column: 'actor' | 'entity', windows: ReadonlyMap<string, TimeWindow>, actions?: readonly string[]): Promise<Map<string, StoredEvent[]>>;
}

/**
 * Where alerts' recent events come from: the store (`storeRecent`), or a replay's own scan (`RecentTape`).
 */
export interface RecentSource {
  /** Recent events of each user over their windows (disjoint, oldest first: `mergeWindows`), of these actions. */
  recentOf(windows: ReadonlyMap<string, readonly TimeWindow[]>, actions: readonly string[]): Promise<Map<string, RecentEvents>>;
}

/**
 * Recent events read from the store.
 *
 * @example const byUser = await storeRecent(store.detectionReads()).recentOf(windows, recentActions(true))
 */
export function storeRecent(reader: HistoryReader): RecentSource {
  return { recentOf: (windows, actions) => RecentEvents.loadMany(reader, windows, actions) };
}

interface DayAgg {
  day: number;
  count: number;
  first: number;
  last: number;
}

type PerValue = Map<string, DayAgg[]>;

interface UserDays {
  ip: PerValue;
  ua: PerValue;
  /** The value and day list last touched: consecutive events of a user mostly share IP and user agent. */
  lastIp?: string;
  lastIpDays?: DayAgg[];
  lastUa?: string;
  lastUaDays?: DayAgg[];
}

export class DayUsage implements UsageSource {
  private readonly users = new Map<string, UserDays>();

  /**
   * Count one event (events of a user must come in time order).
   *
   * @example usage.add(event.norm, tz.dayOf(event.norm.ts))
   */
  add(n: HistoryFields, day: number): void {
    const user = n.actorId;
    if (!user || (!n.ip && !n.ua)) return;
    let u = this.users.get(user);
    if (!u) this.users.set(user, (u = { ip: new Map(), ua: new Map() }));
    if (n.ip) {
      if (n.ip !== u.lastIp || !u.lastIpDays) {
        u.lastIp = n.ip;
        u.lastIpDays = daysOf(u.ip, n.ip);
      }
      bump(u.lastIpDays, day, n.ts);
    }
    if (n.ua) {
      if (n.ua !== u.lastUa || !u.lastUaDays) {
        u.lastUa = n.ua;
        u.lastUaDays = daysOf(u.ua, n.ua);
      }
      bump(u.lastUaDays, day, n.ts);
    }
  }

  /**
   * Forget days before `day` (bounded memory during a long replay).
   *
   * @example usage.pruneBefore(tz.dayOf(now) - 35)
   */
  pruneBefore(day: number): void {
    for (const [user, u] of this.users) {
      for (const m of [u.ip, u.ua]) {
        for (const [v, days] of m) {
          let i = 0;
          while (i < days.length && days[i]!.day < day) i++;
          if (i === days.length) m.delete(v);
          else if (i) days.splice(0, i);
        }
      }
      // Pruning may drop or shorten the cached lists: look them up again on the next event.
      u.lastIpDays = undefined;
      u.lastUaDays = undefined;
      if (u.ip.size === 0 && u.ua.size === 0) this.users.delete(user);
    }
  }

  usage(userId: string, kind: 'ip' | 'ua', value: string, fromDay: number, toDay: number): Usage | null {
    const days = this.users.get(userId)?.[kind].get(value);
    if (!days) return null;
    let r: Usage | null = null;
    for (const d of days) {
      if (d.day < fromDay || d.day > toDay) continue;
      if (!r) r = { first: d.first, last: d.last, count: 0 };
      r.count += d.count;
      if (d.first < r.first) r.first = d.first;
      if (d.last > r.last) r.last = d.last;
    }
    return r;
  }

  /**
   * Build from a user's stored events over days [fromDay, toDay].
   *
   * @example const u = await DayUsage.load(reader, (ts) => tz.dayOf(ts), tz.dayStart(d - 30), tz.dayStart(d) - 1, 'W1')
   */
  static async load(reader: HistoryReader, dayOf: (ts: number) => number, since: number, until: number, userId: string): Promise<DayUsage> {
    const u = new DayUsage();
    for (const e of await reader.all({ actor: userId, since, until })) u.add(e.norm, dayOf(e.norm.ts));
    return u;
  }
}

function daysOf(m: PerValue, v: string): DayAgg[] {
  let days = m.get(v);
  if (!days) m.set(v, (days = []));
  return days;
}

function bump(days: DayAgg[], day: number, ts: number): void {
  const last = days[days.length - 1];
  if (last && last.day === day) {
    last.count++;
    if (ts < last.first) last.first = ts;
    if (ts > last.last) last.last = ts;
  } else {
    days.push({ day, count: 1, first: ts, last: ts });
  }
}

/** A user's events over a few hours, plus Slack's AER sign-outs of that user (they have another actor). */
export class RecentEvents {
  private constructor(
    readonly since: number,
    readonly until: number,
    /** Oldest first by (ts, id). */
    private readonly events: readonly StoredEvent[],
    readonly aerResets: readonly StoredEvent[],
  ) {}

  /**
   * @param actions the actions worth reading (context lists only some); every action when absent.
   * @example const r = await RecentEvents.load(reader, 'W0MATT0001', first - 3600, last + 3600, ['file_downloaded'])
   */
  static async load(reader: HistoryReader, userId: string, since: number, until: number, actions?: readonly string[]): Promise<RecentEvents> {
    const events = await reader.all({ actor: userId, since, until, ...(actions ? { actions: [...actions] } : {}) });
    const aer = await reader.all({ entity: userId, actions: [AER_ACTION], since, until: until + AER_AFTER });
    return new RecentEvents(since, until, events, aer);
  }

  /**
   * Recent events of many users, each over its own windows (each alert's hours, merged where they overlap: a user
   * with alerts at 9:00 and at 17:00 needs neither the day between nor, over a month's replay, every event of the
   * month). AER sign-outs are rare: one query by action finds them all.
   *
   * @param windows per user, disjoint windows, oldest first (`mergeWindows`)
   * @example const byUser = await RecentEvents.loadMany(reader, new Map([['W1', [{ since, until }]]]), actions)
   */
  static async loadMany(reader: HistoryReader, windows: ReadonlyMap<string, readonly TimeWindow[]>, actions?: readonly string[]): Promise<Map<string, RecentEvents>> {
    const out = new Map<string, RecentEvents>();
    if (!reader.allOf) {
      for (const [u, ws] of windows) {
        const events: StoredEvent[] = [];
        let aer: readonly StoredEvent[] = [];
        for (const w of ws) {
          const r = await RecentEvents.load(reader, u, w.since, w.until, actions);
          events.push(...r.events);
          aer = r.aerResets.length ? [...aer, ...r.aerResets] : aer;
        }
        const all = spanOf(ws);
        out.set(u, new RecentEvents(all.since, all.until, events, aer));
      }
      return out;
    }
    // One allOf per round: round k reads every user's k-th window (most users have one or two).
    const events = new Map<string, StoredEvent[]>();
    for (let k = 0; ; k++) {
      const round = new Map<string, TimeWindow>();
      for (const [u, ws] of windows) if (ws[k]) round.set(u, ws[k]!);
      if (!round.size) break;
      for (const [u, list] of await reader.allOf('actor', round, actions)) {
        const have = events.get(u);
        if (have) have.push(...list);
        else events.set(u, list);
      }
    }
    const aer = await RecentEvents.aerResetsOf(reader, windows);
    for (const [u, ws] of windows) {
      if (!ws.length) continue;
      const w = spanOf(ws);
      out.set(u, new RecentEvents(w.since, w.until, events.get(u) ?? [], aer.get(u) ?? []));
    }
    return out;
  }

  /**
   * Recent events from events already at hand (`RecentTape`): `events` oldest first by (ts, id).
   *
   * @example RecentEvents.of({ since, until }, events, aer.get(user) ?? [])
   */
  static of(window: TimeWindow, events: readonly StoredEvent[], aerResets: readonly StoredEvent[]): RecentEvents {
    return new RecentEvents(window.since, window.until, events, aerResets);
  }

  /**
   * Slack's AER sign-outs of each user over their windows (up to `AER_AFTER` past each user's last window). They
   * are rare: one query by action finds them all.
   *
   * @example const aer = await RecentEvents.aerResetsOf(reader, new Map([['W1', [{ since, until }]]]))
   */
  static async aerResetsOf(reader: HistoryReader, windows: ReadonlyMap<string, readonly TimeWindow[]>): Promise<Map<string, StoredEvent[]>> {
    let since = Infinity;
    let until = -Infinity;
    for (const ws of windows.values()) if (ws.length) (since = Math.min(since, ws[0]!.since)), (until = Math.max(until, ws[ws.length - 1]!.until));
    const aer = new Map<string, StoredEvent[]>();
    if (since === Infinity) return aer;
    for (const e of await reader.all({ actions: [AER_ACTION], since, until: until + AER_AFTER })) {
      const ws = e.norm.entityId === null ? undefined : windows.get(e.norm.entityId);
      if (!ws?.length) continue;
      const w = spanOf(ws);
      if (e.norm.ts < w.since || e.norm.ts > w.until + AER_AFTER) continue;
      const list = aer.get(e.norm.entityId!);
      if (list) list.push(e);
      else aer.set(e.norm.entityId!, [e]);
    }
    return aer;
  }

  /** The events with from <= ts <= to, oldest first. */
  *between(from: number, to: number): Generator<StoredEvent> {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.norm.ts < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.events.length && this.events[i]!.norm.ts <= to; i++) yield this.events[i]!;
  }
}

/**
 * From the first window's start to the last one's end (windows oldest first, at least one).
 *
 * @example spanOf([{ since: 1, until: 9 }, { since: 20, until: 30 }]) // { since: 1, until: 30 }
 */
export function spanOf(windows: readonly TimeWindow[]): TimeWindow {
  return { since: windows[0]!.since, until: windows[windows.length - 1]!.until };
}

/**
 * Disjoint windows covering the given ones, oldest first: overlapping or touching windows become one.
 *
 * @example mergeWindows([{ since: 5, until: 9 }, { since: 1, until: 6 }, { since: 20, until: 30 }]) // [{1,9}, {20,30}]
 */
export function mergeWindows(windows: readonly TimeWindow[]): TimeWindow[] {
  const sorted = [...windows].sort((a, b) => a.since - b.since);
  const out: TimeWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.since <= last.until + 1) last.until = Math.max(last.until, w.until);
    else out.push({ since: w.since, until: w.until });
  }
  return out;
}
