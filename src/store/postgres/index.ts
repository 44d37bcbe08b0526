/**
 * The PostgreSQL store (issue #13): the events part of `Store` (append with checkpoint, queries, scans, checkpoints,
 * state, quarantine) on a month-partitioned `events` table, the read models, and alerts, incidents, the action log,
 * the sinks' outbox and web accounts (`alerts.ts`, `incidents.ts`, `actions.ts`, `outbox.ts`, `accounts.ts`).
 */
import type pg from 'pg';
import type { StoredEvent } from '../../events/schema.ts';
import type { AccountStore } from '../accounts.ts';
import type { ActionLog } from '../actions.ts';
import type { DetectionReads } from '../detection-reads.ts';
import type { EntityReads } from '../entity-reads.ts';
import type { OutboxStore } from '../outbox.ts';
import type { ResponderReads } from '../responder-reads.ts';
import type { EventSearch } from '../search.ts';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../sqlite/event-rows.ts';
import type { AppendResult, BackgroundWriter, Checkpoint, EventQuery, IncomingEvent, QuarantineItem, Store } from '../types.ts';
import type { UiReads, UiRollups } from '../ui-reads.ts';
import type { AlertStore } from '../../alerts/types.ts';
import type { IncidentStore } from '../../incidents/types.ts';
import { appendBatch } from './append.ts';
import { mergingWriter } from './background-writer.ts';
import { rowToCheckpoint, type CheckpointRow } from '../checkpoint-row.ts';
import { writeCheckpoint } from './checkpoints.ts';
import { openPool, redactUrl } from './connect.ts';
import { migratePg } from './migrations.ts';
import { ParentStats } from './parent-stats.ts';
import { Partitions } from './partitions.ts';
import { pgEventPage, pgEventWhere } from './query.ts';
import { PgAccountStore } from './accounts.ts';
import { PgActionLog } from './actions.ts';
import { PgAlertStore } from './alerts.ts';
import { PgIncidentStore } from './incidents.ts';
import { PgOutboxStore } from './outbox.ts';
import { pgEntityReads } from './entity-reads.ts';
import { pgDetectionReads, type PgDetectionReads } from './detection-reads.ts';
import { pgResponderReads } from './responder-reads.ts';
import { pgEventSearch } from './search.ts';
import { pgUiReads, pgUiRollups } from './ui-reads.ts';

const PREFIXED = EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ');

export class PostgresStore implements Store {
  private reads: PgDetectionReads | undefined;
  private search: EventSearch | undefined;
  /** Planner statistics of the partitioned parent, which autovacuum never analyses (`parent-stats.ts`). */
  readonly stats: ParentStats;

  constructor(readonly pool: pg.Pool, private readonly parts: Partitions) {
    this.stats = new ParentStats(pool);
  }

  async appendEvents(batch: IncomingEvent[], checkpoint?: Checkpoint): Promise<AppendResult> {
    const c = await this.pool.connect();
    let r: AppendResult;
    try {
      r = await appendBatch(c, this.parts, batch, checkpoint);
    } finally {
      c.release();
    }
    this.stats.appended(r.inserted);
    return r;
  }

  /** A large import: the parent's statistics are brought up to date before the first queries plan on them. */
  async bulkLoad<T>(_expectedEvents: number, f: () => Promise<T>): Promise<T> {
    const r = await f();
    await this.stats.analyzeNow();
    return r;
  }

  /** Batches handed over while one commits are stored together, in order (`background-writer.ts`). */
  async openBackgroundWriter(): Promise<BackgroundWriter> {
    return mergingWriter((batch) => this.appendEvents(batch));
  }

  async quarantine(items: QuarantineItem[]): Promise<void> {
    if (!items.length) return;
    await this.pool.query(
      'INSERT INTO quarantine (source, position, reason, raw, created_at) SELECT s, p, r, w, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) AS t(s, p, r, w)',
      [items.map((q) => q.source), items.map((q) => q.position), items.map((q) => q.reason), items.map((q) => q.raw), Date.now()],
    );
  }

  async quarantineCount(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM quarantine')).rows[0]!.n;
  }

  async listQuarantine(limit = 100) {
    const r = await this.pool.query<{ id: number; source: string; position: string; reason: string; raw: Buffer; created_at: number }>(
      'SELECT id, source, position, reason, raw, created_at FROM quarantine ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return r.rows.map((x) => ({ id: x.id, source: x.source, position: x.position, reason: x.reason, raw: x.raw, createdAt: x.created_at }));
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    const { sql, params } = pgEventPage(q, PREFIXED);
    const r = await this.pool.query<EventRow>(sql, params);
    return r.rows.map(rowToEvent);
  }

  async getEvent(id: string): Promise<StoredEvent | null> {
    return (await this.getEvents([id]))[0] ?? null;
  }

  async getEvents(ids: readonly string[]): Promise<StoredEvent[]> {
    if (!ids.length) return [];
    // event_ids gives each id's ts, so the lookup reaches only the partitions that hold them.
    const r = await this.pool.query<EventRow>(
      `SELECT ${PREFIXED} FROM event_ids i JOIN events e ON e.ts = i.ts AND e.id = i.id WHERE i.id = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(r.rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [rowToEvent(row)] : [];
    });
  }

  async countEvents(q: EventQuery = {}): Promise<number> {
    const { where, params } = pgEventWhere(q);
    return (await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM events e ${where}`, params)).rows[0]!.n;
  }

  async *scanEvents(q: { since?: number; until?: number; batchSize?: number }): AsyncIterable<StoredEvent[]> {
    const size = q.batchSize ?? 5000;
    let last: [number, number] = [-1, -1];
    for (;;) {
      const r = await this.pool.query<EventRow>(
        `SELECT ${PREFIXED} FROM events e WHERE e.ts >= $1 AND e.ts <= $2 AND (e.ts, e.seq) > ($3, $4) ORDER BY e.ts, e.seq LIMIT $5`,
        [q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER, last[0], last[1], size],
      );
      if (!r.rows.length) return;
      const tail = r.rows[r.rows.length - 1]!;
      last = [tail.ts, tail.seq];
      yield r.rows.map(rowToEvent);
      if (r.rows.length < size) return;
    }
  }

  async eventsAfterSeq(seq: number, limit: number): Promise<StoredEvent[]> {
    const r = await this.pool.query<EventRow>(`SELECT ${PREFIXED} FROM events e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`, [seq, limit]);
    return r.rows.map(rowToEvent);
  }

  async maxSeq(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT coalesce(max(seq), 0) AS n FROM events')).rows[0]!.n;
  }

  async allIds(): Promise<Set<string>> {
    return new Set((await this.pool.query<{ id: string }>('SELECT id FROM event_ids')).rows.map((r) => r.id));
  }

  detectionReads(): DetectionReads {
    // The workers of the detection reads open their own connections, to the pool's URL.
    this.reads ??= pgDetectionReads(this.pool, (this.pool as unknown as { options: { connectionString: string } }).options.connectionString);
    return this.reads;
  }

  async newestEventTime(): Promise<number | null> {
    return (await this.pool.query<{ t: number | null }>('SELECT max(ts) AS t FROM events')).rows[0]!.t;
  }

  async topCounts(by: 'action' | 'actor' | 'reason', limit: number, q: EventQuery = {}) {
    const { where, params } = pgEventWhere(q);
    const lim = `$${params.push(limit)}`;
    const sql =
      by === 'reason'
        ? `SELECT r.reason AS key, NULL AS label, count(*) AS count FROM event_reasons r JOIN events e ON e.ts = r.ts AND e.seq = r.seq
           ${where} GROUP BY r.reason ORDER BY count DESC, key LIMIT ${lim}`
        : by === 'actor'
          ? `SELECT e.actor_id AS key, max(e.actor_name) AS label, count(*) AS count FROM events e
             ${where ? `${where} AND` : 'WHERE'} e.actor_id IS NOT NULL GROUP BY e.actor_id ORDER BY count DESC, key LIMIT ${lim}`
          : `SELECT e.action AS key, NULL AS label, count(*) AS count FROM events e ${where}
             GROUP BY e.action ORDER BY count DESC, key LIMIT ${lim}`;
    return (await this.pool.query<{ key: string; label: string | null; count: number }>(sql, params)).rows;
  }

  async getCheckpoint(key: string): Promise<Checkpoint | null> {
    const r = await this.pool.query<CheckpointRow>('SELECT * FROM checkpoints WHERE key = $1', [key]);
    return r.rows[0] ? rowToCheckpoint(r.rows[0]) : null;
  }

  async putCheckpoint(cp: Checkpoint): Promise<void> {
    await writeCheckpoint(this.pool, cp);
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return (await this.pool.query<CheckpointRow>('SELECT * FROM checkpoints ORDER BY key')).rows.map(rowToCheckpoint);
  }

  async getState(key: string): Promise<string | null> {
    return (await this.pool.query<{ value: string }>('SELECT value FROM state WHERE key = $1', [key])).rows[0]?.value ?? null;
  }

  async putState(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  // The read models (read-models.ts keeps them up to date as events are appended).
  uiReads(): UiReads {
    return pgUiReads(this.pool);
  }
  uiRollups(): UiRollups {
    return pgUiRollups(this.pool);
  }
  eventSearch(): EventSearch {
    // One per store: it keeps the trigram sample its searches choose by.
    this.search ??= pgEventSearch(this.pool);
    return this.search;
  }
  entityReads(): EntityReads {
    return pgEntityReads(this.pool);
  }
  responderReads(): ResponderReads {
    return pgResponderReads(this.pool, () => this.alertStore());
  }

  // Alerts, incidents, the action log, the outbox and accounts (migrations 10–14), on the same pool.
  outboxStore(): OutboxStore {
    return new PgOutboxStore(this.pool);
  }
  actionLog(): ActionLog {
    return new PgActionLog(this.pool);
  }
  alertStore(): AlertStore {
    return new PgAlertStore(this.pool);
  }
  accountStore(): AccountStore {
    return new PgAccountStore(this.pool);
  }
  incidentStore(): IncidentStore {
    return new PgIncidentStore(this.pool);
  }

  async close(): Promise<void> {
    await this.reads?.close();
    await this.stats.close();
    await this.pool.end();
  }
}

/**
 * Open (creating and migrating if needed) a PostgreSQL store; the partitions of this month and the next two are made.
 *
 * @example const store = await openPostgresStore('postgres://gw@db.internal/gridwatch?sslmode=require');
 */
export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const pool = openPool(url);
  const parts = new Partitions();
  try {
    const c = await pool.connect();
    try {
      await migratePg(c);
      await parts.load(c);
      await parts.ensure(c, parts.ahead());
    } finally {
      c.release();
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw new Error(`cannot open PostgreSQL ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
  }
  const store = new PostgresStore(pool, parts);
  await store.stats.atOpen().catch(async (e: Error) => {
    await pool.end().catch(() => {});
    throw new Error(`cannot open PostgreSQL ${redactUrl(url)}: ${e.message}`, { cause: e });
  });
  return store;
}
