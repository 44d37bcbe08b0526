/**
 * Derived tables the UI reads instead of grouping millions of events (migration 4):
 * - `ui_volume_hourly`: events per action per hour, for the histogram and the action catalogue's counts;
 * - `ui_actors`: every actor with name, email, first and last seen, for the people search and page headers.
 *
 * They are kept in step with `events` by sequence number, not by hooking the store's insert path (which belongs to
 * the store): `catchUp()` folds in the events stored since the last call. Events are only ever appended, so a
 * sequence number high-water mark is exact, late events included (they get new sequence numbers, whatever their
 * time). The high-water mark is read and moved inside one IMMEDIATE transaction, so two processes sharing a
 * database never count the same events twice.
 */
import type Database from 'better-sqlite3';

const STATE_KEY = 'ui.rollup_seq';
/** Events folded per transaction: keeps each write lock short while a collector is writing too. */
const CHUNK = 250_000;

/**
 * @example
 * const rollups = new Rollups(store.db);
 * rollups.catchUp(); // first call folds in every stored event (about 1 s per million)
 */
export class Rollups {
  private readonly readSeq: Database.Statement;
  private readonly writeSeq: Database.Statement;
  private readonly maxSeq: Database.Statement;
  private readonly volumeOf: Database.Statement;
  private readonly actorsOf: Database.Statement;
  private readonly upVolume: Database.Statement;
  private readonly upActor: Database.Statement;
  private lastCheck = 0;

  constructor(private readonly db: Database.Database) {
    this.readSeq = db.prepare('SELECT value FROM state WHERE key = ?').pluck();
    this.writeSeq = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.maxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
    this.volumeOf = db.prepare('SELECT ts / 3600 AS hour, action, count(*) AS n FROM events WHERE seq > ? AND seq <= ? GROUP BY hour, action');
    this.actorsOf = db.prepare(
      `SELECT actor_id AS id, max(actor_name) AS name, max(actor_email) AS email, min(ts) AS first, max(ts) AS last, count(*) AS n
       FROM events WHERE seq > ? AND seq <= ? AND actor_id IS NOT NULL GROUP BY actor_id`,
    );
    this.upVolume = db.prepare(
      'INSERT INTO ui_volume_hourly (hour, action, n) VALUES (?, ?, ?) ON CONFLICT (hour, action) DO UPDATE SET n = n + excluded.n',
    );
    this.upActor = db.prepare(
      `INSERT INTO ui_actors (actor_id, name, email, first_ts, last_ts, n) VALUES (@id, @name, @email, @first, @last, @n)
       ON CONFLICT (actor_id) DO UPDATE SET
         name = CASE WHEN excluded.last_ts >= ui_actors.last_ts THEN coalesce(excluded.name, ui_actors.name) ELSE coalesce(ui_actors.name, excluded.name) END,
         email = CASE WHEN excluded.last_ts >= ui_actors.last_ts THEN coalesce(excluded.email, ui_actors.email) ELSE coalesce(ui_actors.email, excluded.email) END,
         first_ts = min(ui_actors.first_ts, excluded.first_ts),
         last_ts = max(ui_actors.last_ts, excluded.last_ts),
         n = ui_actors.n + excluded.n`,
    );
  }

  /** Sequence number folded in so far. */
  position(): number {
    return Number(this.readSeq.get(STATE_KEY) ?? 0);
  }

  /**
   * Fold in the events stored since the last call. Cheap when nothing is new (two indexed lookups); calls within
   * `minIntervalMs` of the previous one return at once, so a burst of requests does not repeat the check.
   * Returns the number of events folded in.
   */
  catchUp(minIntervalMs = 0, nowMs = Date.now()): number {
    if (minIntervalMs > 0 && nowMs - this.lastCheck < minIntervalMs) return 0;
    this.lastCheck = nowMs;
    let folded = 0;
    for (;;) {
      const n = this.db
        .transaction(() => {
          const from = Number(this.readSeq.get(STATE_KEY) ?? 0);
          const max = this.maxSeq.get() as number;
          if (max <= from) return 0;
          const to = Math.min(max, from + CHUNK);
          for (const r of this.volumeOf.all(from, to) as Array<{ hour: number; action: string; n: number }>) this.upVolume.run(r.hour, r.action, r.n);
          for (const r of this.actorsOf.all(from, to)) this.upActor.run(r);
          this.writeSeq.run(STATE_KEY, String(to));
          return to - from;
        })
        .immediate();
      if (n === 0) return folded;
      folded += n;
    }
  }

  /**
   * Forget the rollups so the next `catchUp()` rebuilds them from the events: needed only if events are ever
   * deleted (retention), since the rollups assume append-only events.
   */
  reset(): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM ui_volume_hourly; DELETE FROM ui_actors;');
      this.writeSeq.run(STATE_KEY, '0');
    })();
  }

  /** First and last hour with events (null when the store is empty). */
  extent(): { firstHour: number; lastHour: number } | null {
    const r = this.db.prepare('SELECT min(hour) AS a, max(hour) AS b FROM ui_volume_hourly').get() as { a: number | null; b: number | null };
    return r.a === null || r.b === null ? null : { firstHour: r.a, lastHour: r.b };
  }

  /** Events per action over all time, from the hourly rollup. */
  actionCounts(): Map<string, number> {
    const rows = this.db.prepare('SELECT action, sum(n) AS n FROM ui_volume_hourly GROUP BY action').all() as Array<{ action: string; n: number }>;
    return new Map(rows.map((r) => [r.action, r.n]));
  }
}
