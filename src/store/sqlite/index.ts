import Database from 'better-sqlite3';
import type { StoredEvent } from '../../events/schema.ts';
import { rowToCheckpoint, type CheckpointRow } from '../checkpoint-row.ts';
import { genericDetectionReads, type DetectionReads } from '../detection-reads.ts';
import type { EntityReads } from '../entity-reads.ts';
import type { AccountStore } from '../accounts.ts';
import type { ActionLog } from '../actions.ts';
import type { AlertStore } from '../../alerts/types.ts';
import type { IncidentStore } from '../../incidents/types.ts';
import type { OutboxStore } from '../outbox.ts';
import type { ResponderReads } from '../responder-reads.ts';
import type { EventSearch } from '../search.ts';
import type { UiReads, UiRollups } from '../ui-reads.ts';
import type { AppendResult, BackgroundWriter, Checkpoint, EventQuery, IncomingEvent, QuarantineItem, Store } from '../types.ts';
import { SqliteAccountStore } from './accounts.ts';
import { SqliteActionLog } from './actions.ts';
import { SqliteAlertStore } from './alerts.ts';
import { SqliteIncidentStore } from './incidents.ts';
import { sqliteDetectionReads } from './detection-reads.ts';
import { sqliteEntityReads } from './entity-reads.ts';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from './event-rows.ts';
import { insertPacked, prepareInsert, type InsertStatements } from './insert-packed.mjs';
import { EVENT_INDEXES, migrations, registerMigrationFunctions } from './migrations.ts';
import { appendResultOf, packEvents } from './packed.ts';
import { SqliteOutboxStore } from './outbox.ts';
import { sqliteResponderReads } from './responder-reads.ts';
import { buildEventWhere } from './query.ts';
import { sqliteUiReads, sqliteUiRollups } from './ui-reads.ts';
import { sqliteEventSearch } from './search.ts';
import { openWriteWorker } from './write-worker.ts';
import { writeTx } from './write-tx.ts';

export { EVENT_COLUMNS, rowToEvent, type EventRow } from './event-rows.ts';

/** Set on every connection to the store, the write worker's included. */
const CONNECTION_PRAGMAS = [
  'journal_mode = WAL',
  // NORMAL in WAL mode is durable against process crashes (kill -9); only an OS crash can lose the last commits.
  'synchronous = NORMAL',
  'busy_timeout = 10000',
  'cache_size = -131072',
  'temp_store = MEMORY',
  // Reads (replay, queries) go through the OS page cache instead of copying pages: about a third faster scans.
  'mmap_size = 2147483648',
  // Fewer, larger checkpoints: bulk imports dirty many index pages per transaction.
  'wal_autocheckpoint = 10000',
];

/** Batches a background writer commits between two checkpoints. */
const CHECKPOINT_EVERY = 4;

/** Imports smaller than this keep the indexes up to date row by row. */
const BULK_MIN_EVENTS = 100_000;

/**
 * Apply every migration not yet applied, each in its own transaction. Applied versions are recorded one by one
 * (not as a single high-water mark), so a migration numbered below one already applied still runs.
 */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    writeTx(db, () => {
      // Checked again under the write lock: two processes opening a new store at once must not both apply it.
      if (isApplied.get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
}

/**
 * The embedded store: one SQLite file in WAL mode, through better-sqlite3.
 * Methods are async only to share the `Store` interface with the PostgreSQL backend.
 *
 * @example
 * const store = await openSqliteStore('./gridwatch.db');
 * await store.appendEvents([{ raw, norm: normalise(JSON.parse(raw)) }]);
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly insert: InsertStatements;
  private readonly upsertCheckpoint: Database.Statement;
  private readonly appendTx: Database.Transaction<(batch: IncomingEvent[], cp?: Checkpoint) => AppendResult>;
  private reads: DetectionReads | undefined;
  private entities: EntityReads | undefined;
  private outbox: OutboxStore | undefined;
  private actions: ActionLog | undefined;
  private alerts: AlertStore | undefined;
  private accounts: AccountStore | undefined;
  private incidents: IncidentStore | undefined;
  private ui: UiReads | undefined;
  private rollups: UiRollups | undefined;
  private search: EventSearch | undefined;

  constructor(readonly path: string) {
    this.db = new Database(path);
    for (const p of CONNECTION_PRAGMAS) this.db.pragma(p);
    registerMigrationFunctions(this.db);
    migrate(this.db);
    // A crash during a bulk import can leave indexes dropped: put back any that are missing (a no-op otherwise).
    for (const i of EVENT_INDEXES) this.db.exec(i.sql);
    this.insert = prepareInsert(this.db);
    this.upsertCheckpoint = this.db.prepare(
      `INSERT INTO checkpoints (key, filters, low, high, updated_at, last_run) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET filters = excluded.filters, low = excluded.low, high = excluded.high,
         updated_at = excluded.updated_at, last_run = excluded.last_run`,
    );
    this.appendTx = this.db.transaction((batch: IncomingEvent[], cp?: Checkpoint) => {
      const inserted = insertPacked(this.insert, packEvents(batch), Date.now());
      if (cp) this.writeCheckpoint(cp);
      return appendResultOf(batch, inserted);
    });
  }

  private writeCheckpoint(cp: Checkpoint): void {
    this.upsertCheckpoint.run(cp.key, JSON.stringify(cp.filters), cp.low, cp.high, cp.updatedAt,
      cp.lastRun ? JSON.stringify(cp.lastRun) : null);
  }

  async appendEvents(batch: IncomingEvent[], checkpoint?: Checkpoint): Promise<AppendResult> {
    // IMMEDIATE: insertPacked reads the rollup marker before it writes (see insert-packed.mjs).
    return this.appendTx.immediate(batch, checkpoint);
  }

  /**
   * Around an import that at least doubles the table (and is large), drop the high-cardinality investigation indexes
   * and rebuild them once at the end: one sorted pass is cheaper than keeping those b-trees up to date row by row.
   * The unique `id` key stays, so deduplication is unchanged.
   */
  async bulkLoad<T>(expectedEvents: number, f: () => Promise<T>): Promise<T> {
    const rows = (this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM events').get() as { n: number }).n;
    if (expectedEvents < BULK_MIN_EVENTS || expectedEvents < rows) return f();
    const suspended = EVENT_INDEXES.filter((i) => i.bulkRebuild);
    for (const i of suspended) this.db.exec(`DROP INDEX IF EXISTS ${i.name}`);
    try {
      return await f();
    } finally {
      this.db.pragma('threads = 2');
      for (const i of suspended) this.db.exec(i.sql);
      this.db.pragma('threads = 0');
    }
  }

  /** A write worker on the same file; null for an in-memory database, which another connection cannot see. */
  async openBackgroundWriter(): Promise<BackgroundWriter | null> {
    if (this.db.memory) return null;
    // The worker only inserts; this connection copies its commits from the WAL into the database file (a passive
    // checkpoint never blocks the writer) while the caller would otherwise wait for the next batch.
    const worker = await openWriteWorker(this.path, [...CONNECTION_PRAGMAS, 'wal_autocheckpoint = 0']);
    let appended = 0;
    return {
      append: async (batch) => {
        const r = await worker.append(batch);
        // Not after every batch: index pages written by several batches in a row are then copied once.
        if (++appended % CHECKPOINT_EVERY === 0) this.db.pragma('wal_checkpoint(PASSIVE)');
        return r;
      },
      close: async () => {
        await worker.close();
        this.db.pragma('wal_checkpoint(PASSIVE)');
      },
    };
  }

  async quarantine(items: QuarantineItem[]): Promise<void> {
    if (!items.length) return;
    const stmt = this.db.prepare('INSERT INTO quarantine (source, position, reason, raw, created_at) VALUES (?, ?, ?, ?, ?)');
    const now = Date.now();
    writeTx(this.db, () => {
      for (const q of items) stmt.run(q.source, q.position, q.reason, q.raw, now);
    })();
  }

  async quarantineCount(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n;
  }

  async listQuarantine(limit = 100) {
    const rows = this.db
      .prepare('SELECT id, source, position, reason, raw, created_at FROM quarantine ORDER BY id DESC LIMIT ?')
      .all(limit) as Array<{ id: number; source: string; position: string; reason: string; raw: Buffer; created_at: number }>;
    return rows.map((r) => ({ id: r.id, source: r.source, position: r.position, reason: r.reason, raw: r.raw, createdAt: r.created_at }));
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    const limit = q.limit && q.limit > 0 ? ` LIMIT ${Math.floor(q.limit)}` : '';
    if (q.reason !== undefined) return this.queryByReason(q, limit);
    const { where, params } = buildEventWhere(q);
    const sql = `SELECT ${EVENT_COLUMNS} FROM events e ${where} ORDER BY e.ts DESC, e.seq DESC${limit}`;
    return (this.db.prepare(sql).all(params) as EventRow[]).map(rowToEvent);
  }

  /**
   * A page of one anomaly reason's events, read from `event_reasons` (primary key reason, ts, seq) newest first and
   * joined to `events`: the page reads its own rows, where `seq IN (reason's events)` sorted every match (10M-event
   * bench, 20,000 events a reason: p95 315 ms). The time bounds and cursor are repeated on the reasons' columns
   * (equal to the event's) so they narrow that index range.
   */
  private queryByReason(q: EventQuery, limit: string): StoredEvent[] {
    const { where, params } = buildEventWhere({ ...q, reason: undefined });
    const on = ['r.reason = @reason'];
    params.reason = q.reason;
    if (q.since !== undefined) on.push('r.ts >= @since');
    if (q.until !== undefined) on.push('r.ts <= @until');
    if (q.before) on.push('(r.ts, r.seq) < (@bts, @bseq)');
    const columns = EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ');
    const filters = where ? ` AND ${where.slice('WHERE '.length)}` : '';
    const sql = `SELECT ${columns} FROM event_reasons r CROSS JOIN events e ON e.seq = r.seq
      WHERE ${on.join(' AND ')}${filters} ORDER BY r.ts DESC, r.seq DESC${limit}`;
    return (this.db.prepare(sql).all(params) as EventRow[]).map(rowToEvent);
  }

  async getEvent(id: string): Promise<StoredEvent | null> {
    const row = this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id) as EventRow | undefined;
    return row ? rowToEvent(row) : null;
  }

  async getEvents(ids: readonly string[]): Promise<StoredEvent[]> {
    // One statement instead of one lookup per id keeps an alert with hundreds of events fast.
    const rows = this.db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as EventRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [rowToEvent(r)] : [];
    });
  }

  async countEvents(q: EventQuery = {}): Promise<number> {
    const { where, params } = buildEventWhere(q);
    return (this.db.prepare(`SELECT count(*) AS n FROM events e ${where}`).get(params) as { n: number }).n;
  }

  async *scanEvents(q: { since?: number; until?: number; batchSize?: number }): AsyncIterable<StoredEvent[]> {
    const size = q.batchSize ?? 5000;
    const stmt = this.db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ts >= ? AND ts <= ? AND (ts > ? OR (ts = ? AND seq > ?))
       ORDER BY ts, seq LIMIT ?`,
    );
    let lastTs = -1;
    let lastSeq = -1;
    for (;;) {
      const rows = stmt.all(q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER, lastTs, lastTs, lastSeq, size) as EventRow[];
      if (!rows.length) return;
      const last = rows[rows.length - 1]!;
      lastTs = last.ts;
      lastSeq = last.seq;
      yield rows.map(rowToEvent);
      if (rows.length < size) return;
    }
  }

  async eventsAfterSeq(seq: number, limit: number): Promise<StoredEvent[]> {
    const rows = this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).all(seq, limit);
    return (rows as EventRow[]).map(rowToEvent);
  }

  async maxSeq(): Promise<number> {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM events').get() as { n: number }).n;
  }

  async allIds(): Promise<Set<string>> {
    return new Set(this.db.prepare('SELECT id FROM events').pluck().all() as string[]);
  }

  detectionReads(): DetectionReads {
    // A database whose table layout the lean reads do not know (a prepare failure) is read through this interface.
    this.reads ??= sqliteDetectionReads(this.db) ?? genericDetectionReads(this);
    return this.reads;
  }

  outboxStore(): OutboxStore {
    this.outbox ??= new SqliteOutboxStore(this.db);
    return this.outbox;
  }

  actionLog(): ActionLog {
    this.actions ??= new SqliteActionLog(this.db);
    return this.actions;
  }

  alertStore(): AlertStore {
    this.alerts ??= new SqliteAlertStore(this.db);
    return this.alerts;
  }

  accountStore(): AccountStore {
    this.accounts ??= new SqliteAccountStore(this.db);
    return this.accounts;
  }

  incidentStore(): IncidentStore {
    this.incidents ??= new SqliteIncidentStore(this.db);
    return this.incidents;
  }

  responderReads(): ResponderReads {
    return sqliteResponderReads(this.db);
  }

  entityReads(): EntityReads {
    this.entities ??= sqliteEntityReads(this.db);
    return this.entities;
  }

  uiReads(): UiReads {
    this.ui ??= sqliteUiReads(this.db);
    return this.ui;
  }

  uiRollups(): UiRollups {
    this.rollups ??= sqliteUiRollups(this.db);
    return this.rollups;
  }

  eventSearch(): EventSearch {
    this.search ??= sqliteEventSearch(this.db, this.path, CONNECTION_PRAGMAS);
    return this.search;
  }

  async newestEventTime(): Promise<number | null> {
    return (this.db.prepare('SELECT max(ts) AS t FROM events').get() as { t: number | null }).t;
  }

  async topCounts(by: 'action' | 'actor' | 'reason', limit: number, q: EventQuery = {}) {
    const { where, params } = buildEventWhere(q);
    const sql =
      by === 'reason'
        ? `SELECT r.reason AS key, NULL AS label, count(*) AS count FROM event_reasons r JOIN events e ON e.seq = r.seq
           ${where} GROUP BY r.reason ORDER BY count DESC, key LIMIT @lim`
        : by === 'actor'
          ? `SELECT e.actor_id AS key, max(e.actor_name) AS label, count(*) AS count FROM events e
             ${where ? `${where} AND` : 'WHERE'} e.actor_id IS NOT NULL GROUP BY e.actor_id ORDER BY count DESC, key LIMIT @lim`
          : `SELECT e.action AS key, NULL AS label, count(*) AS count FROM events e ${where}
             GROUP BY e.action ORDER BY count DESC, key LIMIT @lim`;
    return this.db.prepare(sql).all({ ...params, lim: limit }) as Array<{ key: string; label: string | null; count: number }>;
  }

  async getCheckpoint(key: string): Promise<Checkpoint | null> {
    const r = this.db.prepare('SELECT * FROM checkpoints WHERE key = ?').get(key) as CheckpointRow | undefined;
    return r ? rowToCheckpoint(r) : null;
  }

  async putCheckpoint(cp: Checkpoint): Promise<void> {
    this.writeCheckpoint(cp);
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return (this.db.prepare('SELECT * FROM checkpoints ORDER BY key').all() as CheckpointRow[]).map(rowToCheckpoint);
  }

  async getState(key: string): Promise<string | null> {
    const r = this.db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  async putState(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async close(): Promise<void> {
    await this.search?.close();
    if (this.db.open) this.db.close();
  }
}

/**
 * Open (creating and migrating if needed) a SQLite store.
 *
 * @example
 * const store = await openSqliteStore(process.env.GRIDWATCH_DB ?? './gridwatch.db');
 */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  return new SqliteStore(path);
}
