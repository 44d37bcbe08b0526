/**
 * Running rules over a time-ordered stream of events: one `RuleRunner` per rule partitions events by key, feeds the
 * key's evaluator and passes its firings to the rule's grouper. `StreamDispatcher` feeds many runners from one
 * stream through an action index, so an event costs one map lookup for the rules that cannot match it.
 *
 * Memory follows the number of active keys: idle keys (no event within the rule's horizons) are flushed and dropped.
 */
import type { HistoryFields, StoredEvent } from '../events/schema.ts';
import type { CompiledRule } from './compiled.ts';
import { EventView } from './event-view.ts';
import { pageOfEvents, type EventPage } from '../store/detection-reads.ts';
import { Grouper, type GroupedAlert } from './grouping.ts';
import type { Firing, KeyEvaluator } from './kinds/types.ts';
import type { TimeZone } from './time.ts';

export class RuleRunner {
  private readonly states = new Map<string, KeyEvaluator>();
  private readonly grouper: Grouper;
  private readonly buf: Firing[] = [];
  /** Seconds after which an idle key's state can no longer influence a firing. */
  private readonly idleAfter: number;

  /**
   * @example
   * const r = new RuleRunner(rule, tz, { from: d1, to: d2 }, (a) => out.push(a));
   * for (const v of views) r.push(v); r.flush();
   */
  constructor(readonly rule: CompiledRule, tz: TimeZone, range: { from: number; to: number }, emit: (a: GroupedAlert) => void) {
    this.grouper = new Grouper(rule, tz, range, emit);
    this.idleAfter = rule.horizons.history + rule.horizons.forward;
  }

  push(v: EventView): void {
    const roles = this.rule.roles(v);
    if (roles === 0) return;
    const key = this.rule.keyOf(v);
    if (key === null || this.rule.excluded(v)) return;
    let st = this.states.get(key);
    if (!st) this.states.set(key, (st = this.rule.newEvaluator()));
    st.push(v, roles, this.buf);
    if (this.buf.length) this.drain(key);
  }

  /** A history-only event through the rule's `historyLane` (see `StreamDispatcher`): no view, no predicates. */
  pushHistory(n: HistoryFields): void {
    const lane = this.rule.historyLane!;
    const key = lane.key(n);
    if (key === null) return;
    let st = this.states.get(key);
    if (!st) this.states.set(key, (st = this.rule.newEvaluator()));
    const value = lane.value(n);
    if (value !== null) st.pushValue!(value, n.ts);
  }

  private drain(key: string): void {
    for (const f of this.buf) this.grouper.add(key, f);
    this.buf.length = 0;
  }

  /** Drop keys idle for longer than the horizons and close alerts nothing can join any more. */
  sweep(now: number): void {
    for (const [key, st] of this.states) {
      if (st.lastTs < now - this.idleAfter) {
        st.flush(this.buf);
        if (this.buf.length) this.drain(key);
        this.states.delete(key);
      }
    }
    // Future events have ts >= now; pending firings may be older. Only then can an open alert still grow.
    this.grouper.sweep((key) => Math.min(now, this.states.get(key)?.pendingAnchor() ?? Infinity));
  }

  /**
   * Every event before `now` has been pushed and no firing of days up to `period` is pending: close those alerts.
   */
  closeThrough(now: number, period: number): void {
    for (const [key, st] of this.states) {
      st.advance(now, this.buf);
      if (this.buf.length) this.drain(key);
    }
    this.grouper.closeThrough(period);
  }

  flush(): void {
    for (const [key, st] of this.states) {
      st.flush(this.buf);
      if (this.buf.length) this.drain(key);
    }
    this.states.clear();
    this.grouper.flush();
  }

  get activeKeys(): number {
    return this.states.size;
  }
}

/** How often (events) the dispatcher sweeps idle keys. */
const SWEEP_EVERY = 50_000;

export class StreamDispatcher {
  private readonly byAction = new Map<string, RuleRunner[]>();
  private readonly anyAction: RuleRunner[] = [];
  /** The any-action runners, when every one of them takes history-only events through its lane. */
  private readonly lane: RuleRunner[] | null;
  /** Per action: does the lane take its events (no runner wants them as anything but history)? Decided once. */
  private readonly laneTakes = new Map<string, boolean>();
  private tie: StoredEvent[] = [];
  private tieTs = -Infinity;
  private seen = 0;
  /** One reused record for the history-only rows of a page (nothing keeps it: lanes and observers read and forget). */
  private readonly fields: HistoryFields = { ts: 0, actorId: null, ip: null, ua: null };

  /**
   * Feed events in time order (ties in any order: they are re-sorted by id, the order every path agrees on).
   *
   * @example
   * const d = new StreamDispatcher(runners);
   * for await (const batch of store.scanEvents({})) d.pushBatch(batch);
   * d.finish();
   */
  constructor(
    readonly runners: readonly RuleRunner[],
    /** Sees every event's history fields, in time order (alert context collects day-usage history from it). */
    private readonly observe?: (h: HistoryFields) => void,
  ) {
    for (const r of runners) {
      if (!r.rule.actions) {
        this.anyAction.push(r);
        continue;
      }
      for (const a of r.rule.actions) {
        let list = this.byAction.get(a);
        if (!list) this.byAction.set(a, (list = []));
        list.push(r);
      }
    }
    this.lane = this.anyAction.length > 0 && this.anyAction.every((r) => r.rule.historyLane) ? this.anyAction : null;
  }

  /** Most events (logins, downloads...) matter to no rule but as history: those skip the view and the predicates. */
  private inLane(action: string): boolean {
    let takes = this.laneTakes.get(action);
    if (takes === undefined) {
      const lane = this.lane;
      takes = lane !== null && !this.byAction.has(action) && lane.every((r) => !r.rule.triggerActions!.has(action));
      this.laneTakes.set(action, takes);
    }
    return takes;
  }

  pushBatch(events: readonly StoredEvent[]): void {
    this.pushPage(pageOfEvents(events));
  }

  /**
   * Feed a page of events in time order. A history-only row goes to the lane (and the observer) at once, without an
   * event object; the others wait for the rest of their timestamp, to be dispatched sorted by id. Taking history
   * rows first within a timestamp changes nothing: history answers questions about times strictly before an event
   * (`new_value` looks at [t - lookback, t - grace)), and day usage only counts.
   */
  pushPage(p: EventPage): void {
    const h = this.fields;
    for (let i = 0; i < p.n; i++) {
      const ts = p.ts(i);
      if (ts !== this.tieTs) {
        if (ts < this.tieTs) throw new Error(`events out of time order (${ts} after ${this.tieTs})`);
        this.release();
        this.tieTs = ts;
      }
      const action = p.action(i);
      if (!this.inLane(action)) {
        this.tie.push(p.event(i));
        continue;
      }
      h.ts = ts;
      h.actorId = p.actorId(i);
      h.ip = p.ip(i);
      h.ua = p.ua(i);
      this.observe?.(h);
      for (const r of this.lane!) r.pushHistory(h);
      this.count(ts);
    }
  }

  private count(ts: number): void {
    if (++this.seen % SWEEP_EVERY === 0) for (const r of this.runners) r.sweep(ts);
  }

  /** Dispatch the buffered events of one timestamp, sorted by id. */
  private release(): void {
    const tie = this.tie;
    if (tie.length === 0) return;
    if (tie.length > 1) tie.sort((a, b) => (a.norm.id < b.norm.id ? -1 : a.norm.id > b.norm.id ? 1 : 0));
    for (const e of tie) {
      this.observe?.(e.norm);
      const v = new EventView(e);
      const list = this.byAction.get(e.norm.action);
      if (list) for (const r of list) r.push(v);
      for (const r of this.anyAction) r.push(v);
      this.count(e.norm.ts);
    }
    this.tie = [];
  }

  finish(): void {
    this.release();
    for (const r of this.runners) r.flush();
  }

  /** Every event with a time before this has been dispatched. */
  get settledBefore(): number {
    return this.tieTs;
  }

  /** Close the alerts of days up to `period` (see `RuleRunner.closeThrough`). */
  closeThrough(period: number): void {
    for (const r of this.runners) r.closeThrough(this.tieTs, period);
  }

  get eventsSeen(): number {
    return this.seen;
  }
}
