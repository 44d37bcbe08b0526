/**
 * The event as rules see it: the normalised columns read directly (cheap), the raw JSON parsed only when a rule asks
 * for a raw field, at most once per event. Most built-in rules never parse the raw text, which is what makes replay
 * fast.
 *
 * A view may stand for one *signal* of an anomaly: the same event restricted to one group of paired reasons (see
 * `signals.ts`), so `reasons` is a field of the view, not of the event.
 */
import type { NormalisedEvent, StoredEvent } from '../events/schema.ts';

export class EventView {
  readonly norm: NormalisedEvent;
  /** Anomaly reasons this view stands for (all of the event's unless it is one signal of it). */
  readonly reasons: string[];
  /** Parsed raw event: undefined until asked for, null when unparseable. Signal views defer to their event's. */
  private parsed: Record<string, unknown> | null | undefined;

  /**
   * @example
   * const v = new EventView(stored);
   * v.norm.action; v.rawPath(['details', 'previous_ua'])
   */
  constructor(
    readonly stored: StoredEvent,
    reasons?: string[],
    private readonly base?: EventView,
  ) {
    this.norm = stored.norm;
    this.reasons = reasons ?? stored.norm.reasons;
  }

  /** The parsed raw event ({} when the stored text is not an object, which validation prevents). */
  get raw(): Record<string, unknown> {
    if (this.base) return this.base.raw;
    if (this.parsed === undefined) {
      try {
        const v = JSON.parse(this.stored.raw) as unknown;
        this.parsed = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      } catch {
        this.parsed = null;
      }
    }
    return this.parsed ?? {};
  }

  /**
   * The same event standing for a subset of its reasons (one signal); shares the parsed raw object.
   *
   * @example view.withReasons(['user_agent', 'unexpected_user_agent'])
   */
  withReasons(reasons: string[]): EventView {
    return new EventView(this.stored, reasons, this.base ?? this);
  }

  /**
   * A raw field by dotted path (`details.previous_ua`, `entity.file.name`, `details.reason.0`).
   *
   * @example view.rawPath(['context', 'ua'])
   */
  rawPath(path: readonly string[]): unknown {
    let cur: unknown = this.raw;
    for (const seg of path) {
      if (cur === null || cur === undefined) return undefined;
      if (Array.isArray(cur)) {
        const i = Number(seg);
        cur = Number.isInteger(i) ? cur[i] : undefined;
      } else if (typeof cur === 'object') {
        cur = (cur as Record<string, unknown>)[seg];
      } else {
        return undefined;
      }
    }
    return cur;
  }
}
