/**
 * Fault injection for `/logs`: the failures a collector must survive. Each kind of fault draws from its own seeded
 * stream, so with sequential requests the same `faultSeed` gives the same faults on the same requests, and turning
 * one fault on does not move the others.
 */
import { createRng, type Rng } from './random.ts';

export interface FaultOptions {
  /** Probability of a 500, 502 or 503 instead of an answer. */
  errorRate?: number;
  /** Probability of waiting `slowMs` before answering. */
  slowRate?: number;
  /** Default 2000. */
  slowMs?: number;
  /** Probability of a body cut mid-JSON (see `truncateMode`). */
  truncateRate?: number;
  /**
   * `destroy`: the correct Content-Length is announced, part of the body is sent, then the socket is destroyed.
   * `short`: a lying Content-Length (the length of the part) and a clean end, so the client reads a complete response
   * that is not JSON. `mixed` (default): either, at random.
   */
  truncateMode?: 'destroy' | 'short' | 'mixed';
  /** Probability that a page also carries an entry already served on an earlier page or window. */
  duplicateRate?: number;
  /** Cursors older than this many seconds (simulator clock) are `invalid_cursor`. Default: never. */
  cursorExpirySec?: number;
  /** Probability that a valid cursor is rejected (and forgotten) as `invalid_cursor`. */
  cursorInvalidRate?: number;
  /** Fraction of events that arrive late (never the story's). Default 0. */
  lateFraction?: number;
  /** Delay of late events after their `date_create`, seconds. Default 1800. */
  lateDelaySec?: number;
  /** Seed of the fault streams. Default 1. */
  faultSeed?: number;
}

/** A canned 5xx response. */
export interface ErrorFault {
  status: 500 | 502 | 503;
  contentType: string;
  body: string;
}

/**
 * Decides, request by request, which faults happen.
 *
 * @example
 * const f = new FaultInjector({ errorRate: 0.1, faultSeed: 3 });
 * const err = f.error(); // null 90 % of the time
 */
export class FaultInjector {
  private readonly streams: Record<'error' | 'slow' | 'truncate' | 'duplicate' | 'cursor' | 'pick', Rng>;
  readonly counts: Record<string, number> = {};

  constructor(private readonly opts: FaultOptions = {}) {
    const root = createRng(opts.faultSeed ?? 1);
    this.streams = {
      error: root.fork('error'),
      slow: root.fork('slow'),
      truncate: root.fork('truncate'),
      duplicate: root.fork('duplicate'),
      cursor: root.fork('cursor'),
      pick: root.fork('pick'),
    };
    for (const k of ['errorRate', 'slowRate', 'truncateRate', 'duplicateRate', 'cursorInvalidRate', 'lateFraction'] as const) {
      const v = opts[k];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`faults.${k} must be between 0 and 1, got ${v}`);
    }
  }

  /** Count one occurrence of a fault kind (for `stats.faults`). */
  record(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  /** A 5xx to send instead of the answer, or null. 502 comes as an HTML page, as a gateway would send it. */
  error(): ErrorFault | null {
    const rng = this.streams.error;
    if (!rng.chance(this.opts.errorRate ?? 0)) return null;
    const status = rng.pick([500, 502, 503] as const);
    this.record(`error_${status}`);
    if (status === 502) {
      return { status, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n' };
    }
    const code = status === 500 ? 'internal_error' : 'service_unavailable';
    return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ ok: false, error: code }) };
  }

  /** Milliseconds to wait before answering (0 most of the time). */
  delayMs(): number {
    if (!this.streams.slow.chance(this.opts.slowRate ?? 0)) return 0;
    this.record('slow');
    return this.opts.slowMs ?? 2000;
  }

  /** How to truncate this response's body, or null to send it whole. */
  truncation(): 'destroy' | 'short' | null {
    const rng = this.streams.truncate;
    if (!rng.chance(this.opts.truncateRate ?? 0)) return null;
    const mode = this.opts.truncateMode ?? 'mixed';
    const m = mode === 'mixed' ? rng.pick(['destroy', 'short'] as const) : mode;
    this.record(`truncate_${m}`);
    return m;
  }

  /** Where to cut a body of `length` characters: never 0, never the whole. */
  cutPoint(length: number): number {
    return Math.max(1, Math.min(length - 1, Math.floor(length * (0.2 + 0.6 * this.streams.truncate.next()))));
  }

  /** Whether this page should carry a duplicate. */
  duplicate(): boolean {
    return this.streams.duplicate.chance(this.opts.duplicateRate ?? 0);
  }

  /** A random index below `n`, from the duplicate-picking stream. */
  pickIndex(n: number): number {
    return this.streams.pick.int(0, n - 1);
  }

  /** Whether to reject this (valid) cursor. */
  loseCursor(): boolean {
    const lose = this.streams.cursor.chance(this.opts.cursorInvalidRate ?? 0);
    if (lose) this.record('cursor_invalid');
    return lose;
  }
}
