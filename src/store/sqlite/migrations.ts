/**
 * Versioned schema migrations for the SQLite store, applied in order inside one transaction each.
 * Append new versions at the end; never edit a released one.
 *
 * Components that own tables (detection state, alerts, actions) add their own entries here.
 */

import type Database from 'better-sqlite3';
import { LEASE_TABLE_SQL } from '../leases/types.ts';
import { ipKeyBytes } from './ip-key.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The investigation indexes on `events`. Named here (not only inside migration 1) because a bulk import drops them
 * and rebuilds them in one sorted pass, and opening a store recreates any that a crash left missing.
 */
/**
 * The time index's columns: time order, then what a replay's scan reads of every event (`scanned-events.ts`). Each
 * table page holds three or four events, their raw text included; at 10M events the scan read 8 GB of them, mostly
 * through system calls (SQLite maps only the first 2 GB of a file), and spent half its time in the kernel. This index
 * holds the same events in about 250 bytes each: the scan alone went from 161,000 to 244,000 events/s.
 */
const SCAN_INDEX_COLUMNS = 'ts, seq, id, action, actor_id, ip, ua, reasons, entity_id, entity_name';

export const EVENT_INDEXES: ReadonlyArray<{ name: string; sql: string; bulkRebuild: boolean; addedIn?: number }> = [
  // Time and action keys grow almost in insertion order: cheap to keep up to date even in a bulk import.
  // It also holds every column a replay's scan reads (migration 10): the scan then reads this index, not the table.
  { name: 'events_ts', sql: `CREATE INDEX IF NOT EXISTS events_ts ON events (${SCAN_INDEX_COLUMNS})`, bulkRebuild: false },
  { name: 'events_action_ts', sql: 'CREATE INDEX IF NOT EXISTS events_action_ts ON events (action, ts)', bulkRebuild: false },
  // Thousands of distinct actors, entities, IPs and sessions: every row lands on a different page.
  { name: 'events_actor_ts', sql: 'CREATE INDEX IF NOT EXISTS events_actor_ts ON events (actor_id, ts)', bulkRebuild: true },
  { name: 'events_entity_ts', sql: 'CREATE INDEX IF NOT EXISTS events_entity_ts ON events (entity_id, ts)', bulkRebuild: true },
  { name: 'events_ip_ts', sql: 'CREATE INDEX IF NOT EXISTS events_ip_ts ON events (ip, ts) WHERE ip IS NOT NULL', bulkRebuild: true },
  { name: 'events_session_ts', sql: 'CREATE INDEX IF NOT EXISTS events_session_ts ON events (session_id, ts) WHERE session_id IS NOT NULL', bulkRebuild: true },
  // The address as sortable bytes (ip-key.ts): a CIDR block or a single address, whatever its spelling, is one range.
  { name: 'events_ip_key_ts', sql: 'CREATE INDEX IF NOT EXISTS events_ip_key_ts ON events (ip_key, ts) WHERE ip_key IS NOT NULL', bulkRebuild: true, addedIn: 7 },
];

/**
 * Register the SQL functions that migrations call (migration 7 backfills `events.ip_key` with `gridwatch_ip_key`).
 * Only the connection that runs migrations needs them: no index or trigger refers to them.
 *
 * @example
 * registerMigrationFunctions(db);
 * for (const m of migrations) db.exec(m.sql);
 */
export function registerMigrationFunctions(db: Database.Database): void {
  db.function('gridwatch_ip_key', { deterministic: true }, ipKeyBytes);
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'events, quarantine, checkpoints, state',
    sql: `
      CREATE TABLE events (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        ts           INTEGER NOT NULL,
        action       TEXT NOT NULL,
        actor_id     TEXT,
        actor_name   TEXT,
        actor_email  TEXT,
        entity_type  TEXT,
        entity_id    TEXT,
        entity_name  TEXT,
        ip           TEXT,
        session_id   TEXT,
        ua           TEXT,
        reasons      TEXT,            -- comma-joined anomaly reasons, NULL when none
        action_ts_ms INTEGER,
        location_id  TEXT,
        ingested_at  INTEGER NOT NULL,
        raw          TEXT NOT NULL     -- the exact JSON text received
      );
      ${EVENT_INDEXES.filter((i) => !i.addedIn).map((i) => `${i.sql};`).join('\n      ')}
      CREATE TABLE event_reasons (
        seq    INTEGER NOT NULL,
        reason TEXT NOT NULL,
        ts     INTEGER NOT NULL,
        PRIMARY KEY (reason, ts, seq)
      ) WITHOUT ROWID;
      CREATE TABLE quarantine (
        id         INTEGER PRIMARY KEY,
        source     TEXT NOT NULL,
        position   TEXT NOT NULL,
        reason     TEXT NOT NULL,
        raw        BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE checkpoints (
        key        TEXT PRIMARY KEY,
        filters    TEXT NOT NULL,
        low        INTEGER NOT NULL,
        high       INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_run   TEXT
      );
      CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'alert outbox (sinks)',
    // One row per (alert version, sink). Rows are never deleted by delivery: `status` moves pending → delivered,
    // or → dead after many failures (still listed, retried by an explicit retryDead), or → superseded when a newer
    // version of the same alert is queued for the same sink. Times are Unix milliseconds.
    sql: `
      CREATE TABLE alert_outbox (
        id              INTEGER PRIMARY KEY,
        alert_id        TEXT NOT NULL,
        sink            TEXT NOT NULL,
        payload         TEXT NOT NULL,      -- the alert as JSON, exactly as delivered
        payload_hash    TEXT NOT NULL,      -- sha256 of payload: an unchanged re-enqueue is a no-op
        severity        TEXT,
        status          TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'delivered', 'dead', 'superseded')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        delivered_at    INTEGER
      );
      CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at, id);
      CREATE INDEX alert_outbox_alert ON alert_outbox (alert_id, sink, id);
    `,
  },
  {
    version: 2,
    name: 'alerts (detection engine)',
    // One row per alert. Identity is (rule, key, anchor); `period` is the alert's day in the configured time zone, so
    // a recomputation replaces exactly the alerts of the days it owns. Times of events are Unix seconds; created_at /
    // updated_at are ISO 8601. `notify_pending` marks a version not yet handed to the sinks (set in the same
    // transaction as the change, cleared once the outbox has it), so a crash can delay a notification, never lose it.
    sql: `
      CREATE TABLE alerts (
        id             TEXT PRIMARY KEY,
        rule           TEXT NOT NULL,
        severity       TEXT NOT NULL,
        severity_rank  INTEGER NOT NULL,
        title          TEXT NOT NULL,
        status         TEXT NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'acknowledged', 'resolved', 'false_positive')),
        status_note    TEXT,
        status_by      TEXT,
        user_id        TEXT,
        user_name      TEXT,
        user_email     TEXT,
        key            TEXT NOT NULL,
        period         INTEGER NOT NULL,
        anchor         INTEGER NOT NULL,
        first_ts       INTEGER NOT NULL,
        last_ts        INTEGER NOT NULL,
        event_ids      TEXT NOT NULL,      -- JSON array, oldest first
        event_count    INTEGER NOT NULL,
        tags           TEXT NOT NULL,      -- JSON array
        context        TEXT NOT NULL,      -- JSON object
        version        INTEGER NOT NULL,
        notify_pending INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      );
      CREATE INDEX alerts_scope ON alerts (rule, period, key);
      CREATE INDEX alerts_key_last ON alerts (key, last_ts);
      CREATE INDEX alerts_last ON alerts (last_ts, id);
      CREATE INDEX alerts_status ON alerts (status, last_ts);
      CREATE INDEX alerts_user ON alerts (user_id, last_ts);
      CREATE INDEX alerts_notify ON alerts (notify_pending) WHERE notify_pending = 1;
      CREATE TABLE alert_status_log (
        id       INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL,
        status   TEXT NOT NULL,
        note     TEXT,
        by       TEXT,
        at       TEXT NOT NULL
      );
      CREATE INDEX alert_status_log_alert ON alert_status_log (alert_id, id);
    `,
  },
  {
    version: 4,
    name: 'web UI: local accounts, sessions, volume and people rollups (server)',
    // Accounts and sessions of `gridwatch serve`. Passwords are scrypt hashes; a session row keeps only the SHA-256
    // of its cookie value, so reading the database does not hand out live sessions. The two ui_* tables are derived
    // data the server keeps in step with `events` by sequence number (state key `ui.rollup_seq`): the histogram and
    // the people search read them instead of grouping millions of events. They can be dropped and rebuilt any time.
    sql: `
      CREATE TABLE web_users (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role          TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
        password_hash TEXT NOT NULL,
        must_change   INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        last_login_at INTEGER
      );
      CREATE TABLE web_sessions (
        token_hash   TEXT PRIMARY KEY,
        user_id      INTEGER NOT NULL,
        csrf         TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        ip           TEXT,
        ua           TEXT
      );
      CREATE INDEX web_sessions_user ON web_sessions (user_id);
      CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
      CREATE TABLE ui_volume_hourly (
        hour   INTEGER NOT NULL,   -- floor(ts / 3600)
        action TEXT NOT NULL,
        n      INTEGER NOT NULL,
        PRIMARY KEY (hour, action)
      ) WITHOUT ROWID;
      CREATE TABLE ui_actors (
        actor_id TEXT PRIMARY KEY,
        name     TEXT,
        email    TEXT,
        first_ts INTEGER NOT NULL,
        last_ts  INTEGER NOT NULL,
        n        INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'action log (respond, allowlist): append-only hash chain',
    // One row per action record (src/store/actions.ts). JSON columns hold the record's arrays and objects as written;
    // prev_hash/hash chain the rows in id order. The triggers make the table append-only for gridwatch itself; someone
    // with write access to the file can drop them, which is what the hash chain (`gridwatch actions verify`) detects.
    sql: `
      CREATE TABLE action_log (
        id          INTEGER PRIMARY KEY,
        time        TEXT NOT NULL,      -- ISO 8601 UTC with milliseconds
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        targets     TEXT NOT NULL,      -- JSON array of strings
        arguments   TEXT NOT NULL,      -- JSON object
        reason      TEXT,
        alert_id    TEXT,
        status      TEXT NOT NULL,
        slack       TEXT,               -- JSON object: Slack's answer (never the token)
        slack_error TEXT,
        message     TEXT,
        diff        TEXT,               -- JSON object: allowlist diff
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL
      );
      CREATE INDEX action_log_time ON action_log (time);
      CREATE INDEX action_log_alert ON action_log (alert_id) WHERE alert_id IS NOT NULL;
      CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END;
      CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END;
    `,
  },
  {
    version: 6,
    name: 'incidents: grouped alerts, their comments and changes',
    // One row per incident (src/incidents/). `incident_alerts` maps each alert to its one incident (regrouping after
    // detection finds the incidents of removed alerts through it). Comments and the status/assignee log follow an
    // incident absorbed by another (their incident_id is rewritten). Times are ISO 8601, `*_ts` Unix seconds.
    sql: `
      CREATE TABLE incidents (
        id            TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL,
        user_name     TEXT,
        user_email    TEXT,
        severity      TEXT NOT NULL,
        severity_rank INTEGER NOT NULL,
        status        TEXT NOT NULL,
        assignee      TEXT,
        first_ts      INTEGER NOT NULL,
        last_ts       INTEGER NOT NULL,
        alert_ids     TEXT NOT NULL,    -- JSON array, oldest first
        rules         TEXT NOT NULL,    -- JSON array
        title         TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE INDEX incidents_user ON incidents (user_id);
      CREATE INDEX incidents_activity ON incidents (last_ts DESC, severity_rank DESC, id);
      CREATE TABLE incident_alerts (
        alert_id    TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX incident_alerts_incident ON incident_alerts (incident_id);
      CREATE TABLE incident_comments (
        id          INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL,
        author      TEXT NOT NULL,
        at          TEXT NOT NULL,
        text        TEXT NOT NULL
      );
      CREATE INDEX incident_comments_incident ON incident_comments (incident_id);
      CREATE TABLE incident_log (
        id          INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL,
        field       TEXT NOT NULL,      -- status | assignee
        value       TEXT,
        note        TEXT,
        by          TEXT,
        at          TEXT NOT NULL
      );
      CREATE INDEX incident_log_incident ON incident_log (incident_id);
    `,
  },
  {
    version: 7,
    name: 'event filters: address key (CIDR, ASN) and message channel',
    // ip_key: the context IP as bytes that sort like the address (src/store/sqlite/ip-key.ts), written by the insert
    // and backfilled here through gridwatch_ip_key (registered on the migrating connection only: no index or trigger
    // calls it, so other connections need not know it). channel_id: the channel of a message entity, computed by
    // SQLite (a virtual column, nothing to backfill); json_valid guards the odd raw text json_extract would refuse.
    sql: `
      ALTER TABLE events ADD COLUMN ip_key BLOB;
      UPDATE events SET ip_key = gridwatch_ip_key(ip) WHERE ip IS NOT NULL;
      ${EVENT_INDEXES.filter((i) => i.addedIn === 7).map((i) => `${i.sql};`).join('\n      ')}
      ALTER TABLE events ADD COLUMN channel_id TEXT GENERATED ALWAYS AS (
        CASE WHEN entity_type = 'message' AND json_valid(raw) THEN json_extract(raw, '$.entity.message.channel') END
      ) VIRTUAL;
      CREATE INDEX events_channel_ts ON events (channel_id, ts) WHERE channel_id IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'search: free-text index (FTS5 trigram) and people directory',
    // Derived data, folded in from events by sequence number (state key `search.seq`, src/store/sqlite/search-fold.mjs)
    // after the insert, never in it: in the insert the index would more than double the cost of ingest. Existing
    // stores are indexed by the same catch-up (the server starts it on a worker thread). Both can be dropped and
    // rebuilt any time (delete the state key). *_lc columns are JavaScript's toLowerCase of the value.
    sql: `
      CREATE VIRTUAL TABLE events_fts USING fts5(t, tokenize = 'trigram', content = '', contentless_delete = 1, detail = none);
      CREATE TABLE people (
        id       TEXT PRIMARY KEY,
        name     TEXT,
        email    TEXT,
        last_ts  INTEGER NOT NULL,
        id_lc    TEXT NOT NULL,
        name_lc  TEXT,
        email_lc TEXT
      ) WITHOUT ROWID;
      CREATE INDEX people_id_lc ON people (id_lc);
      CREATE INDEX people_name_lc ON people (name_lc);
      CREATE INDEX people_email_lc ON people (email_lc);
    `,
  },
  {
    version: 9,
    name: "alerts found by the user's e-mail or name",
    // The alert filter by user matches id, e-mail, name or key in one OR: without an index on each, every alert is
    // read (100,000 alerts: 40 ms a user page).
    sql: `
      CREATE INDEX IF NOT EXISTS alerts_email ON alerts (user_email, last_ts);
      CREATE INDEX IF NOT EXISTS alerts_name ON alerts (user_name, last_ts);
    `,
  },
  {
    version: 10,
    name: "the time index holds the columns a replay's scan reads",
    // An existing store rebuilds it once (about a minute at 10M events); a new one made it in migration 1.
    sql: `
      DROP INDEX IF EXISTS events_ts;
      CREATE INDEX events_ts ON events (${SCAN_INDEX_COLUMNS});
    `,
  },
  {
    version: 40,
    name: 'collector leases: one collector per filter set (src/store/leases/)',
    sql: LEASE_TABLE_SQL,
  },
];
