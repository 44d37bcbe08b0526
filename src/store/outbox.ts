/**
 * The storage behind the sinks' durable outbox (`sinks/outbox.ts` holds the delivery rules: backoff, superseding,
 * one sink at a time). Async so a backend whose driver is asynchronous (PostgreSQL) implements it as well as SQLite.
 */

export type OutboxStatus = 'pending' | 'delivered' | 'dead' | 'superseded';

export interface OutboxRow {
  id: number;
  alert_id: string;
  sink: string;
  severity: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** A row due for delivery, with what the sink is sent. */
export interface DueRow extends OutboxRow {
  payload: string;
  payload_hash: string;
}

/** One (alert version, sink) delivery to queue. */
export interface OutboxEntry {
  alertId: string;
  sink: string;
  payload: string;
  payloadHash: string;
  severity: string | null;
}

export interface OutboxStore {
  /**
   * Queue entries in one transaction. An entry whose payload hash equals the latest row of its (alert, sink) is
   * skipped; otherwise older pending or dead rows of that (alert, sink) become `superseded`. Returns rows added.
   */
  enqueue(entries: readonly OutboxEntry[], now: number): Promise<number>;
  /** Pending rows of a sink due at `now`, after row `afterId`, oldest first. */
  due(sink: string, now: number, afterId: number, limit: number): Promise<DueRow[]>;
  markDelivered(id: number, now: number): Promise<void>;
  /** Record a failed attempt: the row stays `pending` (retried at `nextAttemptAt`) or becomes `dead`. */
  markFailed(id: number, f: { status: 'pending' | 'dead'; attempts: number; nextAttemptAt: number; error: string }, now: number): Promise<void>;
  /** Pending rows per sink name. */
  pendingBySink(): Promise<Array<{ sink: string; n: number }>>;
  /** Dead rows (of one sink, or all) back to pending, due now, attempts reset. Returns the count. */
  retryDead(now: number, sink?: string): Promise<number>;
  /** Rows newest first (default limit 100). */
  list(filter?: { status?: OutboxStatus; sink?: string; alertId?: string; limit?: number }): Promise<OutboxRow[]>;
}
