import type { AlertStore } from '../alerts/types.ts';
import type { NormalisedEvent, StoredEvent } from '../events/schema.ts';
import type { IncidentStore } from '../incidents/types.ts';
import type { AccountStore } from './accounts.ts';
import type { ActionLog } from './actions.ts';
import type { DetectionReads } from './detection-reads.ts';
import type { EntityReads } from './entity-reads.ts';
import type { OutboxStore } from './outbox.ts';
import type { ResponderReads } from './responder-reads.ts';
import type { EventSearch } from './search.ts';
import type { UiReads, UiRollups } from './ui-reads.ts';

/** One validated event ready to store: its exact received text and its normalised view. */
export interface IncomingEvent {
  raw: string;
  norm: NormalisedEvent;
}

/** Input that is not a valid audit event, kept verbatim with the reason. */
export interface QuarantineItem {
  /** Where it came from: a file path, `stdin`, or `api:<url>`. */
  source: string;
  /** Position in the source: `line 12`, `element 3`, `page 4 entry 7`, `offset 1024`. */
  position: string;
  reason: string;
  /** The bytes as received (possibly invalid UTF-8). */
  raw: Buffer;
}

/** Collection progress for one filter set (see collector). Times are Unix seconds, inclusive. */
export interface Checkpoint {
  /** Stable key of the filter set, e.g. `all` or `action=anomaly`. */
  key: string;
  /** The filters, as sent on every request. */
  filters: Record<string, string>;
  /** Oldest second fully collected (start of the contiguous covered range). */
  low: number;
  /** Newest second fully collected (end of the contiguous covered range). */
  high: number;
  updatedAt: number;
  /** Figures of the last run, as the collector reported them. */
  lastRun?: Record<string, unknown>;
}

/** See `Store.openBackgroundWriter`. */
export interface BackgroundWriter {
  append(batch: readonly IncomingEvent[]): Promise<AppendResult>;
  /** Wait for the batches in flight, then release the thread. */
  close(): Promise<void>;
}

export interface AppendResult {
  inserted: number;
  duplicates: number;
  /** For each inserted event, its id (duplicates are left out). */
  insertedIds: string[];
}

/** Inclusive time range, Unix seconds. */
export interface TimeWindow {
  since: number;
  until: number;
}

/** An inclusive range of addresses: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint (see `enrich/ip.ts`). */
export type IpKeyRange = { family: 4; start: number; end: number } | { family: 6; start: bigint; end: bigint };

/** Filters shared by the CLI, the HTTP API and the engine. All optional; arrays mean "any of". */
export interface EventQuery {
  actions?: string[];
  actor?: string;
  /** Actor ids, any of these (a name the Actor filter resolved to several people); an empty list matches no event. */
  actors?: string[];
  entity?: string;
  /** Context IP exactly as stored. */
  ip?: string;
  /** Context IP inside any of these inclusive ranges (CIDR blocks, bare addresses), compared as addresses. */
  ipRanges?: IpKeyRange[];
  /** Context IP exactly as stored, any of these; an empty list matches no event. */
  ips?: string[];
  /** Channel of a message entity (`entity.message.channel`). */
  channel?: string;
  session?: string;
  reason?: string;
  /** Inclusive bounds, Unix seconds. */
  since?: number;
  until?: number;
  /** Max rows (0 or undefined with `all` = no limit). */
  limit?: number;
  /** Continue after this position (newest-first order): `{ts, seq}` of the last row seen. */
  before?: { ts: number; seq: number };
}

/**
 * The storage the rest of gridwatch depends on. SQLite is the embedded default; a PostgreSQL backend implements the
 * same interface, so every method is async even where SQLite is synchronous.
 */
export interface Store {
  /**
   * Store a batch idempotently (events whose `id` is already stored are counted as duplicates) and, in the same
   * transaction, update a collection checkpoint, so a crash can never separate the two.
   */
  appendEvents(batch: IncomingEvent[], checkpoint?: Checkpoint): Promise<AppendResult>;
  /**
   * Optional hint around a large import of about `expectedEvents`: a backend may suspend index upkeep and rebuild
   * once at the end. Results are identical; only speed differs.
   */
  bulkLoad?<T>(expectedEvents: number, f: () => Promise<T>): Promise<T>;
  /**
   * Optional: a writer for long imports that commits batches on another thread while the caller prepares the next
   * ones (null when the backend cannot). Same results as `appendEvents`, batch for batch, in order.
   */
  openBackgroundWriter?(): Promise<BackgroundWriter | null>;
  quarantine(items: QuarantineItem[]): Promise<void>;
  quarantineCount(): Promise<number>;
  listQuarantine(limit?: number): Promise<Array<QuarantineItem & { id: number; createdAt: number }>>;

  /** Events matching the filters, newest first (ties by newest insertion). */
  queryEvents(q: EventQuery): Promise<StoredEvent[]>;
  getEvent(id: string): Promise<StoredEvent | null>;
  /** Many events by id (an alert's triggering events), in the order of `ids`; unknown ids are skipped. */
  getEvents(ids: readonly string[]): Promise<StoredEvent[]>;
  countEvents(q?: EventQuery): Promise<number>;
  /** Events in time order (oldest first), in batches, for replay. */
  scanEvents(q: { since?: number; until?: number; batchSize?: number }): AsyncIterable<StoredEvent[]>;
  /** Events stored after a sequence number, in insertion order, for incremental processing. */
  eventsAfterSeq(seq: number, limit: number): Promise<StoredEvent[]>;
  /** Largest sequence number stored (0 when empty). */
  maxSeq(): Promise<number>;
  /** Every stored id (for tests and exact-set checks). */
  allIds(): Promise<Set<string>>;
  /** The reads detection makes (replay scan, history, users' windows), possibly faster than the methods above. */
  detectionReads(): DetectionReads;
  /** The web UI's read models (volume per hour, directory of actors) and the histogram's counts, when the backend keeps them. */
  uiReads?(): UiReads;
  /** Upkeep of the web UI's read models (`uiReads`): fold in new events. */
  uiRollups?(): UiRollups;
  /** Free-text index and people directory (`search.ts`), when the backend keeps them. */
  eventSearch?(): EventSearch;
  /** The user and IP pages' summaries, when the backend keeps the UI's actor rollup. */
  entityReads?(): EntityReads;
  /** Newest `date_create` stored, or null. */
  newestEventTime(): Promise<number | null>;
  /** Counts grouped by a normalised column (action, actor, reason) for summaries. */
  topCounts(by: 'action' | 'actor' | 'reason', limit: number, q?: EventQuery): Promise<Array<{ key: string; label: string | null; count: number }>>;

  getCheckpoint(key: string): Promise<Checkpoint | null>;
  putCheckpoint(cp: Checkpoint): Promise<void>;
  listCheckpoints(): Promise<Checkpoint[]>;

  /** A small key/value area for components' durable state (detection engine, outbox cursors...). */
  getState(key: string): Promise<string | null>;
  putState(key: string, value: string): Promise<void>;

  /** The sinks' durable outbox, when the backend keeps one (without it, alerts are not handed to sinks). */
  outboxStore?(): OutboxStore;

  /** The append-only, hash-chained record of responses and allowlist changes, when the backend keeps one. */
  actionLog?(): ActionLog;

  /** Alerts and their status history in the same database, when the backend keeps them. */
  alertStore?(): AlertStore;

  /** The web UI's accounts and sessions, when the backend keeps them. */
  accountStore?(): AccountStore;

  /** Incidents (alerts grouped per user), their comments and changes, when the backend keeps them. */
  incidentStore?(): IncidentStore;

  /** What a responder is shown before acting on a user (last seen, AER resets, per-session facts). */
  responderReads?(): ResponderReads;

  close(): Promise<void>;
}
