/**
 * PostgreSQL schema of the read models (migrations 20–29): the UI's hourly volume per action and directory of actors,
 * the people directory of search, the state of their fold (`read_models`), and the free-text table of search.
 * Unlike SQLite, the UI's read models and the people are kept up to date by the append itself (`read-models.ts`), so
 * a server starts in constant time whatever the store's size. The free-text table is not: its trigram index would cost
 * the append ten times the rest of its work, so a catch-up fills it (`search-fold.ts`), as on SQLite.
 */
import type { PgMigration } from './migrations.ts';

/**
 * The searched fields of an event as one text, a line per field (`search.ts` SEARCHED_FIELDS plus the reasons), so a
 * term does not match across two fields unless it holds a newline (the per-field check weeds those out). Migration
 * 20 indexed this expression on `events`; since 21 the fold stores it in `event_search.t`.
 */
export const SEARCH_TEXT = ['actor_name', 'actor_email', 'actor_id', 'entity_name', 'entity_id', 'ip', 'ua', 'action', 'reasons']
  .map((c) => `coalesce(${c}, '')`)
  .join(" || E'\\n' || ");

/**
 * Bytes of what an address's lists show of one event. The queries repeat this exact text, so that PostgreSQL sees
 * which of migration 25's two partial indexes holds the rows they ask for.
 */
export const ADDRESS_ROW_WIDTH = ['ip', 'actor_id', 'actor_name', 'actor_email', 'ua'].map((c) => `coalesce(octet_length(${c}), 0)`).join(' + ');
/** Under the B-tree's 2,704 bytes an entry, with room for the timestamp and each value's header. */
export const ADDRESS_ROW_MAX = 2000;

export const readModelMigrations: PgMigration[] = [
  {
    version: 20,
    name: 'read models: hourly volume, actors, people, their fold state; trigram index of the searched fields',
    sql: `
      CREATE TABLE ui_volume_hourly (
        hour   bigint NOT NULL,
        action text NOT NULL,
        n      bigint NOT NULL,
        PRIMARY KEY (hour, action)
      );
      CREATE TABLE ui_actors (
        actor_id text PRIMARY KEY,
        name     text,
        email    text,
        first_ts bigint NOT NULL,
        last_ts  bigint NOT NULL,
        n        bigint NOT NULL
      );
      CREATE INDEX ui_actors_email ON ui_actors (lower(email));
      CREATE TABLE people (
        id       text PRIMARY KEY,
        name     text,
        email    text,
        last_ts  bigint NOT NULL,
        id_lc    text NOT NULL,
        name_lc  text,
        email_lc text
      );
      -- seq: every event up to it is folded in, none after. live: the append folds its own events (false after a
      -- reset, or when this migration meets stored events, until a catch-up has folded them all).
      CREATE TABLE read_models (
        id   integer PRIMARY KEY CHECK (id = 1),
        seq  bigint NOT NULL,
        live boolean NOT NULL
      );
      INSERT INTO read_models (id, seq, live) VALUES (1, 0, NOT EXISTS (SELECT 1 FROM events));
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX events_search ON events USING gin ((${SEARCH_TEXT}) gin_trgm_ops);
    `,
  },
  {
    version: 21,
    name: 'free text off the insert path: event_search (seq, ts, searched text) under a trigram index, filled by a catch-up',
    // An existing store keeps its events; the table starts empty at position 0 and the catch-up (server start, a
    // search) fills it while searches scan. The old index goes with all its partitions' copies.
    sql: `
      DROP INDEX IF EXISTS events_search;
      CREATE TABLE event_search (
        seq bigint PRIMARY KEY,
        ts  bigint NOT NULL,
        t   text NOT NULL
      );
      CREATE INDEX event_search_trgm ON event_search USING gin (t gin_trgm_ops);
      DELETE FROM state WHERE key = 'search.seq';
    `,
  },
  {
    version: 22,
    name: 'events: the sequence-number index migration 1 meant to make (its name was taken by the sequence); no duplicate of the primary key',
    // Migration 1's `CREATE INDEX IF NOT EXISTS events_seq` met the sequence `events_seq` and made nothing, so every
    // read by sequence number (the folds' chunks, a search's unfolded tail, max(seq), eventsAfterSeq) scanned every
    // partition. `events_ts` repeated the primary key (ts, seq): one index less to keep on each insert.
    sql: `
      CREATE INDEX IF NOT EXISTS events_by_seq ON events (seq);
      DROP INDEX IF EXISTS events_ts;
    `,
  },
  {
    version: 23,
    name: "alerts found by the user's e-mail or name",
    // The alert filter by user matches id, e-mail, name or key in one OR: without an index on each, every alert is
    // read (100,000 alerts at 10M events: 130-190 ms a user page). Covering indexes for the user and IP pages were
    // tried here and dropped: a B-tree entry holds at most 2,704 bytes, and the user agent, names and IPs they would
    // carry are whatever Slack (or a hostile file) sends, so one long value would fail the whole append.
    sql: `
      CREATE INDEX IF NOT EXISTS alerts_email ON alerts (user_email, last_ts);
      CREATE INDEX IF NOT EXISTS alerts_name ON alerts (user_name, last_ts);
    `,
  },
  {
    version: 24,
    name: "alerts and incidents found by user and key through hash indexes: a long name or key cannot fail a write",
    // A B-tree entry holds at most 2,704 bytes. The user's name is whatever the event or the directory says (a
    // 20,000-character name is valid), and a rule may group by any field (a user agent, a file name), which becomes
    // the alert's key and, without a user, its incident's user: one long value made the whole write of a replay's
    // alerts fail. Each is only ever compared for equality, and a hash index keeps 4 bytes whatever the value. The
    // scope's B-tree keeps rule and period (ids the rules define); the identifiers of events are bounded at ingest
    // (events/identifier-limit.ts).
    sql: `
      DROP INDEX IF EXISTS alerts_name;
      DROP INDEX IF EXISTS alerts_email;
      DROP INDEX IF EXISTS alerts_scope;
      DROP INDEX IF EXISTS alerts_key_last;
      DROP INDEX IF EXISTS incidents_user;
      CREATE INDEX alerts_name ON alerts USING hash (user_name);
      CREATE INDEX alerts_email ON alerts USING hash (user_email);
      CREATE INDEX alerts_key ON alerts USING hash (key);
      CREATE INDEX alerts_scope ON alerts (rule, period);
      CREATE INDEX incidents_user ON incidents USING hash (user_id);
    `,
  },
  {
    version: 25,
    name: "an address's people and user agents read from the index alone (events of ordinary width); the rare wide event from its own small index",
    // The IP page's lists come from the address's newest 20,000 events: through the plain (ip, ts) index, one heap
    // page for nearly every event (590 ms at 10M events, 20,000 pages). This index carries what the lists show, so
    // the read is index-only (25-50 ms), for every event whose shown values fit a B-tree entry (2,704 bytes). The
    // values are unbounded (a name, a user agent), so the wider events are left out and found by the second index;
    // the lists read both and merge (entity-reads.ts). About 250 bytes an event.
    sql: `
      CREATE INDEX IF NOT EXISTS events_ip_people ON events (ip, ts) INCLUDE (actor_id, actor_name, actor_email, ua)
        WHERE ip IS NOT NULL AND ${ADDRESS_ROW_WIDTH} < ${ADDRESS_ROW_MAX};
      CREATE INDEX IF NOT EXISTS events_ip_wide ON events (ip, ts) WHERE ip IS NOT NULL AND ${ADDRESS_ROW_WIDTH} >= ${ADDRESS_ROW_MAX};
    `,
  },
  {
    version: 26,
    name: 'alert contexts compressed with LZ4 where the server has it',
    // A context is a few kB of JSON, so PostgreSQL compresses each one it stores (pglz by default). Measured on the
    // 98,968 alerts of the 10M-event bench: inserting them took 1.70 s with pglz and 0.87 s with LZ4, for the same
    // 137 MB on disk; a replay stores every alert of its days. LZ4 needs a server built with it (PostgreSQL 14 and
    // later, as Debian's are): elsewhere the column keeps the default. Values already stored stay as they are.
    sql: `
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
          ALTER TABLE alerts ALTER COLUMN context SET COMPRESSION lz4;
        END IF;
      END $$;
    `,
  },
];
