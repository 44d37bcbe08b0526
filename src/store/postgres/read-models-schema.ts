/**
 * PostgreSQL schema of the read models (migrations 20–29): the UI's hourly volume per action and directory of actors,
 * the people directory of search, the state of their fold (`read_models`), and the trigram index of free text.
 * Unlike SQLite, these are kept up to date by the append itself (`read-models.ts`), so a server starts in constant
 * time whatever the store's size.
 */
import type { PgMigration } from './migrations.ts';

/**
 * The searched fields of an event as one text, a line per field (`search.ts` SEARCHED_FIELDS plus the reasons), so a
 * term does not match across two fields unless it holds a newline (the per-field check weeds those out). The same
 * expression text in the index and the query lets the planner use the index; `||` and `coalesce` are immutable.
 */
export const SEARCH_TEXT = ['actor_name', 'actor_email', 'actor_id', 'entity_name', 'entity_id', 'ip', 'ua', 'action', 'reasons']
  .map((c) => `coalesce(${c}, '')`)
  .join(" || E'\\n' || ");

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
];
