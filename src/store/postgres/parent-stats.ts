/**
 * Planner statistics of the partitioned `events` table. Autovacuum analyses each monthly partition but never the
 * partitioned parent (PostgreSQL does not process partitioned tables), and the plans of the investigation filters
 * that join through the parent need the parent's own statistics: after a 1M-event ingest the anomaly-reason filter
 * took 550 ms a page and actor + action 26 ms (103 ms p95), against 3 ms and 2 ms once `ANALYZE events` had run.
 * So the store analyses the parent itself: at the end of a bulk load, when it opens a store whose parent was never
 * analysed, and in the background once a tenth more events (at least `MIN_CHANGE`) have been appended since.
 */
import type pg from 'pg';

/** Appended events, at least, before the parent is analysed again. */
const MIN_CHANGE = 10_000;
/** ... and at least this share of the events there were at the last analysis (autovacuum's own default). */
const CHANGE_SHARE = 0.1;
/** The events the partitions hold as their statistics last counted them (cheap: no scan). */
const ESTIMATED_ROWS = `coalesce((SELECT sum(c.reltuples) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'events'::regclass AND c.reltuples > 0), 0)::float8`;

/**
 * @example
 * const stats = new ParentStats(pool);
 * await stats.atOpen(); // analyses in the background if the parent has no statistics yet
 * stats.appended(result.inserted);
 * await stats.analyzeNow(); // after a bulk load
 */
export class ParentStats {
  private pending = 0;
  private base = 0;
  private running: Promise<void> | null = null;
  private pid: number | null = null;

  constructor(private readonly pool: pg.Pool) {}

  /** Start an analysis in the background when the parent has never been analysed but holds events. */
  async atOpen(): Promise<void> {
    const r = await this.pool.query<{ analysed: boolean; rows: number }>(
      `SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'events') AS analysed,
              ${ESTIMATED_ROWS} AS rows`,
    );
    const { analysed, rows } = r.rows[0]!;
    this.base = rows;
    if (!analysed && (rows > 0 || (await this.pool.query('SELECT 1 FROM events LIMIT 1')).rowCount)) void this.start();
  }

  /** Count appended events; past the threshold an analysis starts in the background. */
  appended(n: number): void {
    this.pending += n;
    if (this.pending >= Math.max(MIN_CHANGE, this.base * CHANGE_SHARE)) void this.start();
  }

  /** Analyse now and wait for it (after a bulk load, so the first queries are planned on the new data). */
  async analyzeNow(): Promise<void> {
    await this.running;
    await this.start();
  }

  /** Cancel an analysis in progress (a closing store does not wait seconds for statistics). */
  async close(): Promise<void> {
    if (!this.running) return;
    if (this.pid !== null) await this.pool.query('SELECT pg_cancel_backend($1)', [this.pid]).catch(() => {});
    await this.running;
  }

  private start(): Promise<void> {
    if (this.running) return this.running;
    const counted = this.pending;
    this.running = (async () => {
      const c = await this.pool.connect();
      try {
        this.pid = (c as unknown as { processID: number }).processID ?? null;
        await c.query('ANALYZE events');
        this.pending -= counted;
        this.base = Number((await c.query<{ n: number }>(`SELECT ${ESTIMATED_ROWS} AS n`)).rows[0]?.n ?? 0);
      } finally {
        this.pid = null;
        c.release();
      }
    })()
      // Statistics are a planner hint: a failed or cancelled analysis leaves the old ones, and the next threshold
      // tries again. Nothing is lost; the store's own operations report their errors themselves.
      .catch(() => {})
      .finally(() => (this.running = null));
    return this.running;
  }
}
