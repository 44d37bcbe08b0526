/**
 * The simulator's audit log and the `/logs` query semantics of docs/slack-api.md 1.3-1.4: newest first (ties by id, also
 * descending, so the order is stable), inclusive `oldest`/`latest`, exact `action`/`actor`/`entity` filters, and pages
 * that overflow `limit` to finish the last second rather than split a tie.
 */
import type { SimEvent } from './builders.ts';

/** One held entry with the fields the filters use, extracted once. */
export interface Held {
  ts: number;
  id: string;
  action: string;
  actorId: string | null;
  entityId: string | null;
  sim: SimEvent;
}

export interface LogQuery {
  oldest?: number;
  latest?: number;
  /** From a cursor: only entries strictly older than this second. */
  beforeTs?: number;
  actions?: ReadonlySet<string>;
  actor?: string;
  entity?: string;
  limit: number;
}

export interface LogPage {
  entries: Held[];
  /** The position of the next page, or null when nothing further matches. */
  nextBeforeTs: number | null;
}

/** `holder[holder.type].id`: where actors and entities of every type (known or not) keep their id. */
function typedId(holder: unknown): string | null {
  if (holder === null || typeof holder !== 'object') return null;
  const h = holder as Record<string, unknown>;
  const part = typeof h.type === 'string' ? h[h.type] : undefined;
  if (part === null || typeof part !== 'object') return null;
  const id = (part as Record<string, unknown>).id;
  return typeof id === 'string' ? id : null;
}

/**
 * Extract what the filters need from an event. Malformed events are held too (tests inject them on purpose): a
 * missing or non-numeric `date_create` sorts as second 0.
 *
 * @example
 * hold(toSimEvent({ id: 'a', date_create: 5, action: 'user_login' })).ts // 5
 */
export function hold(sim: SimEvent): Held {
  const e = sim.event;
  const ts = typeof e.date_create === 'number' && Number.isFinite(e.date_create) ? e.date_create : 0;
  return {
    ts,
    id: typeof e.id === 'string' ? e.id : String(e.id ?? ''),
    action: typeof e.action === 'string' ? e.action : '',
    actorId: typeof e.actor === 'object' && e.actor !== null ? typedId(e.actor) : null,
    entityId: typedId(e.entity),
    sim,
  };
}

/** Newest first; within a second, larger id first. */
function newestFirst(a: Held, b: Held): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The held entries, kept in `/logs` order.
 *
 * @example
 * const log = new EventLog(generateOrg({ users: 20, days: 2 }).events);
 * const page = log.query({ limit: 100 }, () => true);
 */
export class EventLog {
  private held: Held[];
  private readonly actionSet = new Set<string>();

  constructor(events: SimEvent[] = []) {
    this.held = events.map(hold).sort(newestFirst);
    for (const h of this.held) this.actionSet.add(h.action);
  }

  /** Add entries (they take their place in the order at once). */
  add(events: SimEvent[]): void {
    const added = events.map(hold);
    for (const h of added) {
      this.held.push(h);
      this.actionSet.add(h.action);
    }
    this.held.sort(newestFirst);
  }

  /** Remove the entries that match (the simulator drops late anomalies an allowlist change suppresses); returns how many. */
  remove(pred: (h: Held) => boolean): number {
    const before = this.held.length;
    this.held = this.held.filter((h) => !pred(h));
    return before - this.held.length;
  }

  /** Everything held, newest first. */
  all(): Held[] {
    return this.held;
  }

  /** Distinct actions held: they are valid `action` filter values even when the catalogue lacks them. */
  actions(): ReadonlySet<string> {
    return this.actionSet;
  }

  /**
   * One page. `visible` hides late entries. A page ends after `limit` entries, except that it takes in every further
   * entry of its last second; `nextBeforeTs` is that second when anything older still matches.
   */
  query(q: LogQuery, visible: (h: Held) => boolean): LogPage {
    const upper = Math.min(q.latest ?? Infinity, q.beforeTs !== undefined ? q.beforeTs - 1 : Infinity);
    // Binary search for the first entry at or below `upper` (the array is sorted by ts descending).
    let lo = 0;
    let hi = this.held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.held[mid]!.ts > upper) lo = mid + 1;
      else hi = mid;
    }
    const entries: Held[] = [];
    let lastTs: number | null = null;
    for (let i = lo; i < this.held.length; i++) {
      const h = this.held[i]!;
      if (q.oldest !== undefined && h.ts < q.oldest) break;
      if (q.actions && !q.actions.has(h.action)) continue;
      if (q.actor !== undefined && h.actorId !== q.actor) continue;
      if (q.entity !== undefined && h.entityId !== q.entity) continue;
      if (!visible(h)) continue;
      if (entries.length >= q.limit && h.ts !== lastTs) return { entries, nextBeforeTs: lastTs };
      entries.push(h);
      lastTs = h.ts;
    }
    return { entries, nextBeforeTs: null };
  }
}
