/**
 * Versioned schema migrations for the SQLite store, applied in order inside one transaction each.
 * Append new versions at the end; never edit a released one.
 *
 * Components that own tables (detection state, alerts, actions) add their own entries here.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
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
      CREATE INDEX events_ts ON events (ts, seq);
      CREATE INDEX events_action_ts ON events (action, ts);
      CREATE INDEX events_actor_ts ON events (actor_id, ts);
      CREATE INDEX events_entity_ts ON events (entity_id, ts);
      CREATE INDEX events_ip_ts ON events (ip, ts) WHERE ip IS NOT NULL;
      CREATE INDEX events_session_ts ON events (session_id, ts) WHERE session_id IS NOT NULL;
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
];
