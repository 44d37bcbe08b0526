/**
 * PostgreSQL schema of the analyst-facing state (migrations 10–19): alerts and their status log, the sinks' outbox,
 * web accounts and sessions, the append-only action log, incidents. Tables, columns and meanings mirror SQLite's
 * (`sqlite/migrations.ts` versions 2–6); the differences are PostgreSQL's:
 * - text that listings sort or group by is `COLLATE "C"`, so ties and facet order are SQLite's byte order whatever
 *   the database's locale;
 * - account names are unique without case through an index on `lower(name)` (under "C", ASCII letters only, as
 *   SQLite's NOCASE);
 * - JSON stays text (event_ids, tags, context, targets…): written once, read whole, and a tampered action record must
 *   still read back as stored;
 * - the action log refuses UPDATE, DELETE and TRUNCATE by triggers (SQLite has no TRUNCATE).
 */
import type { PgMigration } from './migrations.ts';

export const stateMigrations: PgMigration[] = [
  {
    version: 10,
    name: 'alerts (detection engine) and their status log',
    sql: `
      CREATE TABLE alerts (
        id             text COLLATE "C" PRIMARY KEY,
        rule           text COLLATE "C" NOT NULL,
        severity       text COLLATE "C" NOT NULL,
        severity_rank  integer NOT NULL,
        title          text NOT NULL,
        status         text COLLATE "C" NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'acknowledged', 'resolved', 'false_positive')),
        status_note    text,
        status_by      text,
        user_id        text COLLATE "C",
        user_name      text COLLATE "C",
        user_email     text COLLATE "C",
        key            text COLLATE "C" NOT NULL,
        period         integer NOT NULL,
        anchor         bigint NOT NULL,
        first_ts       bigint NOT NULL,
        last_ts        bigint NOT NULL,
        event_ids      text NOT NULL,      -- JSON array, oldest first
        event_count    integer NOT NULL,
        tags           text NOT NULL,      -- JSON array
        context        text NOT NULL,      -- JSON object
        version        integer NOT NULL,
        notify_pending smallint NOT NULL DEFAULT 0,
        created_at     text NOT NULL,
        updated_at     text NOT NULL
      );
      CREATE INDEX alerts_scope ON alerts (rule, period, key);
      CREATE INDEX alerts_key_last ON alerts (key, last_ts);
      CREATE INDEX alerts_last ON alerts (last_ts, id);
      CREATE INDEX alerts_status ON alerts (status, last_ts);
      CREATE INDEX alerts_user ON alerts (user_id, last_ts);
      CREATE INDEX alerts_notify ON alerts (first_ts, id) WHERE notify_pending = 1;
      CREATE TABLE alert_status_log (
        id       bigserial PRIMARY KEY,
        alert_id text NOT NULL,
        status   text NOT NULL,
        note     text,
        "by"     text,
        at       text NOT NULL
      );
      CREATE INDEX alert_status_log_alert ON alert_status_log (alert_id, id);
    `,
  },
  {
    version: 11,
    name: 'alert outbox (sinks)',
    sql: `
      CREATE TABLE alert_outbox (
        id              bigserial PRIMARY KEY,
        alert_id        text NOT NULL,
        sink            text COLLATE "C" NOT NULL,
        payload         text NOT NULL,
        payload_hash    text NOT NULL,
        severity        text,
        status          text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'delivered', 'dead', 'superseded')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        last_error      text,
        created_at      bigint NOT NULL,
        updated_at      bigint NOT NULL,
        delivered_at    bigint
      );
      CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at, id);
      CREATE INDEX alert_outbox_alert ON alert_outbox (alert_id, sink, id);
    `,
  },
  {
    version: 12,
    name: 'web UI: local accounts and sessions',
    sql: `
      CREATE TABLE web_users (
        id            bigserial PRIMARY KEY,
        name          text COLLATE "C" NOT NULL,
        role          text NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
        password_hash text NOT NULL,
        must_change   smallint NOT NULL DEFAULT 0,
        created_at    bigint NOT NULL,
        updated_at    bigint NOT NULL,
        last_login_at bigint
      );
      CREATE UNIQUE INDEX web_users_name ON web_users (lower(name));
      CREATE TABLE web_sessions (
        token_hash   text PRIMARY KEY,
        user_id      bigint NOT NULL,
        csrf         text NOT NULL,
        created_at   bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        expires_at   bigint NOT NULL,
        ip           text,
        ua           text
      );
      CREATE INDEX web_sessions_user ON web_sessions (user_id);
      CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
    `,
  },
  {
    version: 13,
    name: 'action log (respond, allowlist): append-only hash chain',
    sql: `
      CREATE TABLE action_log (
        id          bigint PRIMARY KEY,
        time        text NOT NULL,
        actor       text NOT NULL,
        action      text NOT NULL,
        targets     text NOT NULL,
        arguments   text NOT NULL,
        reason      text,
        alert_id    text,
        status      text NOT NULL,
        slack       text,
        slack_error text,
        message     text,
        diff        text,
        prev_hash   text NOT NULL,
        hash        text NOT NULL
      );
      CREATE INDEX action_log_time ON action_log (time);
      CREATE INDEX action_log_alert ON action_log (alert_id) WHERE alert_id IS NOT NULL;
      CREATE FUNCTION action_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'action_log is append-only'; END $$;
      CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log FOR EACH ROW EXECUTE FUNCTION action_log_append_only();
      CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log FOR EACH ROW EXECUTE FUNCTION action_log_append_only();
      CREATE TRIGGER action_log_no_truncate BEFORE TRUNCATE ON action_log FOR EACH STATEMENT EXECUTE FUNCTION action_log_append_only();
    `,
  },
  {
    version: 14,
    name: 'incidents: grouped alerts, their comments and changes',
    sql: `
      CREATE TABLE incidents (
        id            text COLLATE "C" PRIMARY KEY,
        user_id       text COLLATE "C" NOT NULL,
        user_name     text,
        user_email    text,
        severity      text NOT NULL,
        severity_rank integer NOT NULL,
        status        text NOT NULL,
        assignee      text COLLATE "C",
        first_ts      bigint NOT NULL,
        last_ts       bigint NOT NULL,
        alert_ids     text NOT NULL,    -- JSON array, oldest first
        rules         text NOT NULL,    -- JSON array
        title         text NOT NULL,
        created_at    text NOT NULL,
        updated_at    text NOT NULL
      );
      CREATE INDEX incidents_user ON incidents (user_id);
      CREATE INDEX incidents_activity ON incidents (last_ts DESC, severity_rank DESC, id);
      CREATE TABLE incident_alerts (
        alert_id    text PRIMARY KEY,
        incident_id text NOT NULL
      );
      CREATE INDEX incident_alerts_incident ON incident_alerts (incident_id);
      CREATE TABLE incident_comments (
        id          bigserial PRIMARY KEY,
        incident_id text NOT NULL,
        author      text NOT NULL,
        at          text NOT NULL,
        text        text NOT NULL
      );
      CREATE INDEX incident_comments_incident ON incident_comments (incident_id);
      CREATE TABLE incident_log (
        id          bigserial PRIMARY KEY,
        incident_id text NOT NULL,
        field       text NOT NULL,
        value       text,
        note        text,
        "by"        text,
        at          text NOT NULL
      );
      CREATE INDEX incident_log_incident ON incident_log (incident_id);
    `,
  },
];
