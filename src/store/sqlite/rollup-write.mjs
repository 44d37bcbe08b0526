// The UI rollups (`ui_volume_hourly`, `ui_actors`; see ui-reads.ts) kept up to date by the transaction that stores
// the events: the batch is counted in JavaScript as it is inserted and the counts are upserted once per batch, so a
// server never has to fold millions of events at start. Shared by the store's connection and the write worker
// (insert-packed.mjs); plain JavaScript for the same reason.

/** The `state` key holding the sequence number folded into the rollups so far. */
export const ROLLUP_STATE_KEY = 'ui.rollup_seq';

const UPSERT_VOLUME_SQL =
  'INSERT INTO ui_volume_hourly (hour, action, n) VALUES (?, ?, ?) ON CONFLICT (hour, action) DO UPDATE SET n = n + excluded.n';

// name and email: the newer side's unless it has none.
const UPSERT_ACTOR_SQL = `INSERT INTO ui_actors (actor_id, name, email, first_ts, last_ts, n) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (actor_id) DO UPDATE SET
    name = CASE WHEN excluded.last_ts >= ui_actors.last_ts THEN coalesce(excluded.name, ui_actors.name) ELSE coalesce(ui_actors.name, excluded.name) END,
    email = CASE WHEN excluded.last_ts >= ui_actors.last_ts THEN coalesce(excluded.email, ui_actors.email) ELSE coalesce(ui_actors.email, excluded.email) END,
    first_ts = min(ui_actors.first_ts, excluded.first_ts),
    last_ts = max(ui_actors.last_ts, excluded.last_ts),
    n = ui_actors.n + excluded.n`;

const SET_POSITION_SQL = 'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/** Prepared statements for `BatchRollup` on one connection. */
export function prepareRollupWrite(db) {
  return {
    position: db.prepare('SELECT value FROM state WHERE key = ?').pluck(),
    maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
    setPosition: db.prepare(SET_POSITION_SQL),
    volume: db.prepare(UPSERT_VOLUME_SQL),
    actor: db.prepare(UPSERT_ACTOR_SQL),
  };
}

/**
 * The rollup counts of the events one transaction inserts. Begin it before the first insert (inside the write
 * transaction): when the rollups lag the events (a store written by an older version, or just reset) it stays
 * inactive and leaves the backlog, this batch included, to `catchUp()`, which folds by sequence number. Otherwise it
 * counts each inserted event (`add`) and `commit` upserts the counts and moves the marker past the batch, so the
 * marker and the tables never disagree.
 *
 * @example
 * const r = BatchRollup.begin(stmts); // in the transaction
 * r?.add(seq, ts, action, actorId, name, email); // per inserted event
 * r?.commit();
 */
export class BatchRollup {
  /** @returns null when the rollups lag the events. */
  static begin(stmts) {
    const position = Number(stmts.position.get(ROLLUP_STATE_KEY) ?? 0);
    return position >= stmts.maxSeq.get() ? new BatchRollup(stmts, position) : null;
  }

  /** Counts starting after sequence number `position` (`catchUp` counts a backlog with it too). */
  constructor(stmts, position) {
    this.stmts = stmts;
    this.lastSeq = position;
    /** hour → action → count */
    this.volume = new Map();
    /** actor id → { id, name, email, first, last, n, nameTs, emailTs } */
    this.actors = new Map();
  }

  add(seq, ts, action, actorId, name, email) {
    if (seq > this.lastSeq) this.lastSeq = seq;
    // ts is a non-negative integer: the same hour as SQLite's integer division.
    const hour = Math.floor(ts / 3600);
    let perAction = this.volume.get(hour);
    if (!perAction) this.volume.set(hour, (perAction = new Map()));
    perAction.set(action, (perAction.get(action) ?? 0) + 1);
    if (actorId === null) return;
    const a = this.actors.get(actorId);
    if (!a) {
      this.actors.set(actorId, { id: actorId, name, email, first: ts, last: ts, n: 1, nameTs: ts, emailTs: ts });
      return;
    }
    a.n++;
    if (ts < a.first) a.first = ts;
    if (ts > a.last) a.last = ts;
    // The newest name and email (a later event of the same second wins), as the upsert does across batches.
    if (name !== null && (a.name === null || ts >= a.nameTs)) (a.name = name), (a.nameTs = ts);
    if (email !== null && (a.email === null || ts >= a.emailTs)) (a.email = email), (a.emailTs = ts);
  }

  commit() {
    const s = this.stmts;
    for (const [hour, perAction] of this.volume) for (const [action, n] of perAction) s.volume.run(hour, action, n);
    for (const a of this.actors.values()) s.actor.run(a.id, a.name, a.email, a.first, a.last, a.n);
    if (this.volume.size) s.setPosition.run(ROLLUP_STATE_KEY, String(this.lastSeq));
  }
}
