/**
 * Suppression: firings of one rule for one key become alerts. A firing joins the key's open alert when it comes
 * within `suppress` of that alert's previous firing and falls on the same day (in the configured time zone);
 * otherwise it opens a new alert. This is a session window cut at day boundaries:
 * - it is a pure function of the set of firings, so late events can only extend or merge alerts of their own day,
 *   and recomputing whole days reproduces exactly what a full replay gives;
 * - a key that keeps firing gets one alert per day, not one per firing and not one that grows forever.
 * The alert's identity is (rule, key, anchor of its first firing).
 */
import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity } from '../config/schema.ts';
import type { CompiledRule, Subject } from './compiled.ts';
import { compareEvents } from '../events/order.ts';
import type { EventView } from './event-view.ts';
import type { Firing } from './kinds/types.ts';
import type { TimeZone } from './time.ts';

/** Most events an open alert keeps in memory (the alert stores fewer; the count stays exact up to `MAX_COUNTED`). */
const MAX_VIEWS = 5000;
const MAX_COUNTED = 200_000;

/** An alert as grouping produces it, before titles, context and storage. */
export interface GroupedAlert {
  rule: CompiledRule;
  key: string;
  period: number;
  anchor: number;
  lastAnchor: number;
  severity: Severity;
  /** Distinct events, oldest first. */
  events: EventView[];
  eventCount: number;
  firings: number;
  facts: Record<string, unknown>;
  subject: Subject;
}

interface OpenGroup {
  g: GroupedAlert;
  views: Map<string, EventView>;
  ids: Set<string>;
  values: Set<string>;
}

/**
 * Deterministic alert id from its identity.
 *
 * @example alertId('slack-anomaly', 'W0MATT0001', 1717408800) // 'al_5f1c…' (20 hex digits)
 */
export function alertId(rule: string, key: string, anchor: number): string {
  return `al_${createHash('sha256').update(`${rule}\n${key}\n${anchor}`).digest('hex').slice(0, 20)}`;
}

function mergeFacts(g: GroupedAlert, f: Firing, values: Set<string>): void {
  const count = f.facts.count;
  if (typeof count === 'number' && !(typeof g.facts.count === 'number' && g.facts.count >= count)) {
    // Keep the figures of the strongest firing (highest count) so the title states the peak.
    g.facts = { ...g.facts, ...f.facts };
  } else {
    for (const [k, v] of Object.entries(f.facts)) if (!(k in g.facts)) g.facts[k] = v;
  }
  if (typeof f.facts.value === 'string') values.add(f.facts.value);
}

export class Grouper {
  private readonly open = new Map<string, OpenGroup>();

  /**
   * @param range days (inclusive) whose firings are kept: a recomputation owns exactly these days.
   * @example
   * const g = new Grouper(rule, tz, { from: 19876, to: 19876 }, (a) => alerts.push(a));
   */
  constructor(
    private readonly rule: CompiledRule,
    private readonly tz: TimeZone,
    private readonly range: { from: number; to: number },
    private readonly emit: (a: GroupedAlert) => void,
  ) {}

  add(key: string, f: Firing): void {
    const period = this.tz.dayOf(f.anchor);
    if (period < this.range.from || period > this.range.to) return;
    let o = this.open.get(key);
    if (o && (o.g.period !== period || f.anchor - o.g.lastAnchor > this.rule.suppress)) {
      this.close(key, o);
      o = undefined;
    }
    if (!o) {
      o = {
        g: { rule: this.rule, key, period, anchor: f.anchor, lastAnchor: f.anchor, severity: f.severity, events: [], eventCount: 0, firings: 0, facts: {}, subject: { id: null, name: null, email: null } },
        views: new Map(),
        ids: new Set(),
        values: new Set(),
      };
      this.open.set(key, o);
    }
    const g = o.g;
    g.lastAnchor = f.anchor;
    g.firings++;
    if (SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(g.severity)) g.severity = f.severity;
    mergeFacts(g, f, o.values);
    for (const v of f.events) {
      const id = v.norm.id;
      if (o.ids.size < MAX_COUNTED) o.ids.add(id);
      if (o.views.size < MAX_VIEWS && !o.views.has(id)) o.views.set(id, v);
    }
  }

  private close(key: string, o: OpenGroup): void {
    this.open.delete(key);
    const g = o.g;
    g.events = [...o.views.values()].sort((a, b) => compareEvents(a.norm, b.norm));
    g.eventCount = o.ids.size;
    if (o.values.size > 1) g.facts.values = [...o.values];
    // The subject as named by the latest event that names it.
    let s: Subject = { id: key, name: null, email: null };
    for (const v of g.events) {
      const x = this.rule.subjectOf(v);
      if (x.id) s = { id: x.id, name: x.name ?? s.name, email: x.email ?? s.email };
    }
    g.subject = s;
    this.emit(g);
  }

  /**
   * Close the alerts no future firing can join: `earliest(key)` is the earliest anchor a firing of that key not yet
   * added could have.
   */
  sweep(earliest: (key: string) => number): void {
    for (const [key, o] of this.open) if (earliest(key) - o.g.lastAnchor > this.rule.suppress) this.close(key, o);
  }

  /** Close every alert of days up to `period`: no firing can join them any more. */
  closeThrough(period: number): void {
    for (const [key, o] of [...this.open]) if (o.g.period <= period) this.close(key, o);
  }

  flush(): void {
    for (const [key, o] of [...this.open]) this.close(key, o);
  }
}
