/**
 * Versioned schema migrations for the PostgreSQL store, each applied in its own transaction under an advisory lock
 * (two processes opening a new database at once apply each version once). Append new versions; never edit one.
 *
 * The events table mirrors SQLite's (`sqlite/migrations.ts`: the same normalised columns, the exact received text in
 * `raw`, the same investigation indexes), partitioned by month of `ts` (`date_create`, Unix seconds; `partitions.ts`
 * creates them). A unique constraint on a partitioned table must contain the partition key, so the id alone cannot be
 * unique there; `event_ids` holds every stored id once, with the event's `ts` (to find its partition): Slack may
 * re-send an event with the same id, and it must count as a duplicate whatever month it falls in.
 */
import type pg from 'pg';
import { leaseMigrations } from '../leases/postgres.ts';
import { readModelMigrations } from './read-models-schema.ts';
import { stateMigrations } from './state-schema.ts';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Investigation indexes, declared on the partitioned table (each partition gets its own). */
export const PG_EVENT_INDEXES = [
  'CREATE INDEX IF NOT EXISTS events_ts ON events (ts, seq)',
  'CREATE INDEX IF NOT EXISTS events_seq ON events (seq)',
  'CREATE INDEX IF NOT EXISTS events_action_ts ON events (action, ts)',
  'CREATE INDEX IF NOT EXISTS events_actor_ts ON events (actor_id, ts)',
  'CREATE INDEX IF NOT EXISTS events_entity_ts ON events (entity_id, ts)',
  'CREATE INDEX IF NOT EXISTS events_ip_ts ON events (ip, ts) WHERE ip IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS events_session_ts ON events (session_id, ts) WHERE session_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS events_ip_key_ts ON events (ip_key, ts) WHERE ip_key IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS events_channel_ts ON events (channel_id, ts) WHERE channel_id IS NOT NULL',
];

export const pgMigrations: PgMigration[] = [
  {
    version: 1,
    name: 'events (partitioned by month), event ids, reasons, quarantine, checkpoints, state',
    sql: `
      CREATE SEQUENCE events_seq AS bigint;
      CREATE TABLE events (
        seq          bigint NOT NULL,
        id           text NOT NULL,
        ts           bigint NOT NULL,
        action       text NOT NULL,
        actor_id     text,
        actor_name   text,
        actor_email  text,
        entity_type  text,
        entity_id    text,
        entity_name  text,
        ip           text,
        session_id   text,
        ua           text,
        reasons      text,            -- comma-joined anomaly reasons, NULL when none
        action_ts_ms bigint,
        location_id  text,
        ingested_at  bigint NOT NULL,
        raw          text NOT NULL,   -- the exact JSON text received (text, not jsonb: jsonb reorders and respaces)
        ip_key       bytea,           -- the IP as bytes that sort like the address (sqlite/ip-key.ts): CIDR = a range
        channel_id   text,            -- entity.message.channel of a message entity (events/message-channel.ts)
        PRIMARY KEY (ts, seq)
      ) PARTITION BY RANGE (ts);
      ${PG_EVENT_INDEXES.map((s) => `${s};`).join('\n      ')}
      CREATE TABLE event_ids (
        id text PRIMARY KEY,
        ts bigint NOT NULL
      );
      CREATE TABLE event_reasons (
        reason text NOT NULL,
        ts     bigint NOT NULL,
        seq    bigint NOT NULL,
        PRIMARY KEY (reason, ts, seq)
      );
      CREATE TABLE quarantine (
        id         bigserial PRIMARY KEY,
        source     text NOT NULL,
        position   text NOT NULL,
        reason     text NOT NULL,
        raw        bytea NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE TABLE checkpoints (
        key        text PRIMARY KEY,
        filters    text NOT NULL,
        low        bigint NOT NULL,
        high       bigint NOT NULL,
        updated_at bigint NOT NULL,
        last_run   text
      );
      CREATE TABLE state (
        key   text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  ...stateMigrations,
  ...readModelMigrations,
  ...leaseMigrations,
];

/** Advisory lock key of schema changes (migrations, partition creation): an arbitrary constant. */
export const SCHEMA_LOCK = 0x67726477; // 'grdw'

/**
 * Apply the migrations not yet recorded in `schema_migrations`.
 *
 * @example await migratePg(client) // on a fresh database: creates every table
 */
export async function migratePg(c: pg.ClientBase): Promise<void> {
  await c.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
  try {
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
    const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of [...pgMigrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
      }
    }
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);
  }
}
