/**
 * The durable alert outbox: alerts are written to the store (`OutboxStore`; SQLite: table `alert_outbox`) before any
 * delivery is tried, and a row leaves the "to do" set only when its sink accepted it. A crash, a receiver outage or a restart
 * therefore never loses an alert; it is retried with capped exponential backoff.
 *
 * Rules:
 * - `enqueue` writes one row per (alert, sink that accepts its severity), all in one transaction. Enqueueing an alert
 *   identical to the latest queued version for that sink is a no-op; a changed alert (same id) is queued again and
 *   marks the older, still undelivered version `superseded`: the receiver gets the current state, not a backlog.
 * - `flush` delivers due rows. Sinks run concurrently; within a sink rows go one at a time, oldest first, and the
 *   first failure stops that sink for this flush, so a dead receiver costs one timeout per flush, not one per row.
 * - A failed row is retried after min(maxMs, baseMs · 2^(attempts-1)); after `maxAttempts` failures it becomes
 *   `dead`: kept and listed, no longer retried automatically, revived by `retryDead`.
 * - Delivery is at least once (a crash between the receiver's 2xx and our commit resends); the delivery id passed
 *   to the sink is derived from (alert id, sink, payload) so receivers can drop the duplicate.
 */
import { createHash } from 'node:crypto';
import type { DueRow, OutboxEntry, OutboxRow, OutboxStatus, OutboxStore } from '../store/outbox.ts';
import { meetsMinSeverity, type DeliverableAlert, type Sink } from './types.ts';

export interface BackoffOptions {
  /** Delay after the first failure, ms (default 30 s). */
  baseMs?: number;
  /** Longest delay between attempts, ms (default 1 h). */
  maxMs?: number;
  /** Failures after which a row is `dead` (default 20, about 13 hours with the defaults). */
  maxAttempts?: number;
}

export interface OutboxOptions {
  backoff?: BackoffOptions;
  /** Rows read per query during a flush (default 100). */
  batchSize?: number;
  /** Receives one line per failure; lines never contain secrets (sinks redact them). */
  log?: (message: string) => void;
}

export type { OutboxRow, OutboxStatus } from '../store/outbox.ts';

export interface FlushResult {
  /** Rows delivered by this flush. */
  delivered: number;
  /** Failed attempts in this flush (each row at most once). */
  failed: number;
  /** Rows still pending for configured sinks afterwards (due later or not reached). */
  pending: number;
}

/**
 * Delay before the next attempt after `attempts` failures.
 *
 * @example
 * backoffDelay(1) // 30000
 * backoffDelay(10) // 3600000 (capped)
 */
export function backoffDelay(attempts: number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 30_000;
  const max = o.maxMs ?? 3_600_000;
  return Math.min(max, base * 2 ** Math.max(0, Math.min(attempts - 1, 40)));
}

/**
 * Stable id of one (alert version, sink) delivery: the same on every retry and after a restart.
 *
 * @example
 * deliveryIdOf('alert-1', 'siem', payloadHash) // '3f1c…' (32 hex characters)
 */
export function deliveryIdOf(alertId: string, sink: string, payloadHash: string): string {
  return createHash('sha256').update(`${alertId}\n${sink}\n${payloadHash}`).digest('hex').slice(0, 32);
}

export class Outbox {
  private readonly sinks: Map<string, Sink>;
  private readonly backoff: BackoffOptions;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly log: (message: string) => void;
  private running: Promise<unknown> = Promise.resolve();

  /**
   * @example
   * const outbox = new Outbox(store.outboxStore(), [createStdoutSink({}, process.stdout)]);
   * await outbox.enqueue(alerts, Date.now());
   * await outbox.flush(Date.now());
   */
  constructor(private readonly store: OutboxStore, sinks: readonly Sink[], opts: OutboxOptions = {}) {
    this.sinks = new Map(sinks.map((s) => [s.name, s]));
    this.backoff = opts.backoff ?? {};
    this.maxAttempts = opts.backoff?.maxAttempts ?? 20;
    this.batchSize = opts.batchSize ?? 100;
    this.log = opts.log ?? (() => {});
  }

  /**
   * Queue alerts for every configured sink whose `min_severity` they meet (one transaction). Returns rows added.
   *
   * @example
   * await outbox.enqueue([alert], Date.now()) // 2 with two matching sinks; 0 when called again with the same alert
   */
  async enqueue(alerts: readonly DeliverableAlert[], now: number): Promise<number> {
    for (const a of alerts) {
      if (typeof a?.id !== 'string' || a.id === '') throw new Error('cannot enqueue an alert without a string id');
    }
    const entries: OutboxEntry[] = [];
    for (const alert of alerts) {
      const payload = JSON.stringify(alert);
      const payloadHash = createHash('sha256').update(payload).digest('hex');
      for (const sink of this.sinks.values()) {
        if (meetsMinSeverity(String(alert.severity ?? ''), sink.minSeverity)) {
          entries.push({ alertId: alert.id, sink: sink.name, payload, payloadHash, severity: alert.severity ?? null });
        }
      }
    }
    return await this.store.enqueue(entries, now);
  }

  /**
   * Deliver every due row. Calls are serialised: a flush started while another runs waits for it.
   *
   * @example
   * const { delivered, failed, pending } = await outbox.flush(Date.now());
   */
  flush(now: number): Promise<FlushResult> {
    const run = this.running.then(() => this.flushNow(now));
    this.running = run.catch(() => {});
    return run;
  }

  private async flushNow(now: number): Promise<FlushResult> {
    const results = await Promise.all([...this.sinks.values()].map((s) => this.flushSink(s, now)));
    return {
      delivered: results.reduce((n, r) => n + r.delivered, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      pending: await this.pending(),
    };
  }

  private async flushSink(sink: Sink, now: number): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    let lastId = 0;
    for (;;) {
      const rows = await this.store.due(sink.name, now, lastId, this.batchSize);
      if (rows.length === 0) return { delivered, failed: 0 };
      for (const row of rows) {
        lastId = row.id;
        try {
          const alert = JSON.parse(row.payload) as DeliverableAlert;
          await sink.send(alert, deliveryIdOf(row.alert_id, row.sink, row.payload_hash));
        } catch (e) {
          await this.recordFailure(sink, row, e, now);
          return { delivered, failed: 1 };
        }
        await this.store.markDelivered(row.id, now);
        delivered++;
      }
    }
  }

  private async recordFailure(sink: Sink, row: DueRow, e: unknown, now: number): Promise<void> {
    const attempts = row.attempts + 1;
    const message = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    const dead = attempts >= this.maxAttempts;
    const next = dead ? now : now + backoffDelay(attempts, this.backoff);
    await this.store.markFailed(row.id, { status: dead ? 'dead' : 'pending', attempts, nextAttemptAt: next, error: message }, now);
    this.log(
      dead
        ? `${sink.describe()}: alert ${row.alert_id} failed ${attempts} times, marked dead (retry with retryDead): ${message}`
        : `${sink.describe()}: alert ${row.alert_id} attempt ${attempts} failed, retry at ${new Date(next).toISOString()}: ${message}`,
    );
  }

  /**
   * Rows waiting for delivery to configured sinks (rows of sinks no longer configured are kept but not counted).
   *
   * @example
   * if ((await outbox.pending()) > 0) console.log('alerts waiting for delivery');
   */
  async pending(): Promise<number> {
    let n = 0;
    for (const r of await this.store.pendingBySink()) if (this.sinks.has(r.sink)) n += r.n;
    return n;
  }

  /**
   * Put `dead` rows (of one sink, or all) back in the queue, due now, with a fresh attempt budget. Returns the count.
   *
   * @example
   * await outbox.retryDead(Date.now(), 'siem') // 3
   */
  async retryDead(now: number, sink?: string): Promise<number> {
    return await this.store.retryDead(now, sink);
  }

  /**
   * Outbox rows for inspection (CLI, UI), newest first.
   *
   * @example
   * await outbox.list({ status: 'dead' })
   */
  async list(filter: { status?: OutboxStatus; sink?: string; alertId?: string; limit?: number } = {}): Promise<OutboxRow[]> {
    return await this.store.list(filter);
  }

  /** Wait for a running flush to finish. */
  async idle(): Promise<void> {
    await this.running;
  }
}
