/**
 * Pruning a PostgreSQL store: the monthly partitions of `events` that lie wholly before the cut are dropped (no row
 * by row delete, no table bloat), after their ids leave `event_ids`, their reasons `event_reasons` and their counts
 * the UI rollups; the events of the month holding the cut are deleted in bounded transactions. Their rows of
 * the free-text table (`event_search`) go in the same transaction, under the search fold's lock, so a fold running
 * meanwhile cannot put them back.
 */
import type pg from 'pg';
import { inTransaction } from '../postgres/tx.ts';
import { monthPartition } from '../postgres/partitions.ts';
import { SEARCH_LOCK } from '../postgres/search-fold.ts';
import { rollupDeltas, type PruneOptions, type PrunedRow, type PruneSummary } from './types.ts';

interface Part {
  name: string;
  from: number;
  to: number;
}

async function partitionsOf(pool: pg.Pool): Promise<Part[]> {
  const r = await pool.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'",
  );
  return r.rows
    .flatMap(({ name }) => {
      const m = /^events_(m?)(\d+)_(\d\d)$/.exec(name);
      if (!m) return [];
      const month = (m[1] ? -Number(m[2]) : Number(m[2])) * 12 + Number(m[3]) - 1 - 1970 * 12;
      return [{ ...monthPartition(month), name }];
    })
    .sort((a, b) => a.from - b.from);
}

async function exists(c: pg.ClientBase | pg.Pool, table: string): Promise<boolean> {
  return (await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]!.t !== null;
}

/**
 * @example const s = await prunePostgres(store.pool, { cut: nowSec - 400 * 86400, includeAlerts: false, dryRun: true });
 */
export async function prunePostgres(pool: pg.Pool, opts: PruneOptions): Promise<PruneSummary> {
  const summary: PruneSummary = { cut: opts.cut, events: 0, partitionsDropped: [], alerts: 0, incidents: 0, dryRun: opts.dryRun };
  const whole = (await partitionsOf(pool)).filter((p) => p.to <= opts.cut);
  const alertsKept = opts.includeAlerts && (await exists(pool, 'alerts'));
  const incidentsKept = opts.includeAlerts && (await exists(pool, 'incidents'));
  if (opts.dryRun) {
    summary.events = (await pool.query<{ n: number }>('SELECT count(*) AS n FROM events WHERE ts < $1', [opts.cut])).rows[0]!.n;
    summary.partitionsDropped = whole.map((p) => p.name);
    if (alertsKept) summary.alerts = (await pool.query<{ n: number }>('SELECT count(*) AS n FROM alerts WHERE last_ts < $1', [opts.cut])).rows[0]!.n;
    if (incidentsKept) summary.incidents = (await pool.query<{ n: number }>('SELECT count(*) AS n FROM incidents WHERE last_ts < $1', [opts.cut])).rows[0]!.n;
    return summary;
  }
  const rollups = await exists(pool, 'read_models');
  const searched = await exists(pool, 'event_search');
  for (const p of whole) {
    summary.events += await inTransaction(pool, (c) => dropPartition(c, p, rollups, searched));
    summary.partitionsDropped.push(p.name);
    opts.onProgress?.(summary.events);
  }
  for (;;) {
    const n = await inTransaction(pool, (c) => deleteBatch(c, opts.cut, opts.batchSize ?? 5000, rollups, searched));
    if (n === 0) break;
    summary.events += n;
    opts.onProgress?.(summary.events);
  }
  if (alertsKept || incidentsKept) Object.assign(summary, await inTransaction(pool, (c) => deleteAlerts(c, opts.cut, alertsKept, incidentsKept)));
  return summary;
}


/** The sequence number the rollups have folded up to, locked for the transaction (a catch-up waits for us). */
async function folded(c: pg.ClientBase, rollups: boolean): Promise<number> {
  if (!rollups) return -1;
  return (await c.query<{ seq: number }>('SELECT seq FROM read_models WHERE id = 1 FOR UPDATE')).rows[0]?.seq ?? -1;
}

async function subtract(c: pg.ClientBase, d: ReturnType<typeof rollupDeltas>): Promise<void> {
  if (d.volume.length) {
    await c.query(
      `UPDATE ui_volume_hourly v SET n = v.n - d.n FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS d(hour, action, n)
       WHERE v.hour = d.hour AND v.action = d.action`,
      [d.volume.map((v) => v[0]), d.volume.map((v) => v[1]), d.volume.map((v) => v[2])],
    );
    await c.query('DELETE FROM ui_volume_hourly WHERE n <= 0');
  }
  if (d.actors.length) {
    await c.query('UPDATE ui_actors a SET n = a.n - d.n FROM unnest($1::text[], $2::bigint[]) AS d(id, n) WHERE a.actor_id = d.id', [
      d.actors.map((a) => a[0]),
      d.actors.map((a) => a[1]),
    ]);
    await c.query('DELETE FROM ui_actors WHERE actor_id = ANY($1::text[]) AND n <= 0', [d.actors.map((a) => a[0])]);
  }
}

/** Wait for a search fold in progress and keep the next out until we commit (it must not fold what we delete). */
async function lockSearch(c: pg.ClientBase, searched: boolean): Promise<void> {
  if (searched) await c.query('SELECT pg_advisory_xact_lock($1)', [SEARCH_LOCK]);
}

async function dropPartition(c: pg.ClientBase, p: Part, rollups: boolean, searched: boolean): Promise<number> {
  const upTo = await folded(c, rollups);
  await lockSearch(c, searched);
  if (rollups) {
    // Grouped in the database: a month can hold millions of events.
    await c.query(
      `UPDATE ui_volume_hourly v SET n = v.n - d.n FROM (SELECT ts / 3600 AS hour, action, count(*) AS n FROM ${p.name} WHERE seq <= $1 GROUP BY 1, 2) d
       WHERE v.hour = d.hour AND v.action = d.action`,
      [upTo],
    );
    await c.query(
      `UPDATE ui_actors a SET n = a.n - d.n FROM (SELECT actor_id, count(*) AS n FROM ${p.name} WHERE seq <= $1 AND actor_id IS NOT NULL GROUP BY 1) d
       WHERE a.actor_id = d.actor_id`,
      [upTo],
    );
    await c.query('DELETE FROM ui_volume_hourly WHERE n <= 0');
    await c.query('DELETE FROM ui_actors WHERE n <= 0');
  }
  await c.query(`DELETE FROM event_ids i USING ${p.name} e WHERE i.id = e.id`);
  if (searched) await c.query(`DELETE FROM event_search s USING ${p.name} e WHERE s.seq = e.seq`);
  await c.query('DELETE FROM event_reasons WHERE ts >= $1 AND ts < $2', [p.from, p.to]);
  const n = (await c.query<{ n: number }>(`SELECT count(*) AS n FROM ${p.name}`)).rows[0]!.n;
  await c.query(`DROP TABLE ${p.name}`);
  return n;
}

async function deleteBatch(c: pg.ClientBase, cut: number, size: number, rollups: boolean, searched: boolean): Promise<number> {
  const upTo = await folded(c, rollups);
  await lockSearch(c, searched);
  const r = await c.query<PrunedRow & { id: string }>(
    `DELETE FROM events WHERE (ts, seq) IN (SELECT ts, seq FROM events WHERE ts < $1 ORDER BY ts, seq LIMIT $2)
     RETURNING seq, ts, action, actor_id, reasons, id`,
    [cut, size],
  );
  if (!r.rows.length) return 0;
  if (rollups) await subtract(c, rollupDeltas(r.rows, upTo));
  await c.query('DELETE FROM event_ids WHERE id = ANY($1::text[])', [r.rows.map((x) => x.id)]);
  if (searched) await c.query('DELETE FROM event_search WHERE seq = ANY($1::bigint[])', [r.rows.map((x) => x.seq)]);
  const reasons = r.rows.flatMap((x) => (x.reasons ? x.reasons.split(',').map((reason) => [reason, x.ts, x.seq] as const) : []));
  if (reasons.length) {
    await c.query('DELETE FROM event_reasons r USING unnest($1::text[], $2::bigint[], $3::bigint[]) AS d(reason, ts, seq) WHERE r.reason = d.reason AND r.ts = d.ts AND r.seq = d.seq', [
      reasons.map((x) => x[0]),
      reasons.map((x) => x[1]),
      reasons.map((x) => x[2]),
    ]);
  }
  return r.rows.length;
}

/** The same rows as on SQLite (`sqlite.ts`), for whichever of the alert and incident tables exist. */
async function deleteAlerts(c: pg.ClientBase, cut: number, alerts: boolean, incidents: boolean): Promise<{ alerts: number; incidents: number }> {
  const out = { alerts: 0, incidents: 0 };
  if (alerts) {
    for (const t of ['alert_status_log', 'alert_outbox', 'incident_alerts']) {
      if (await exists(c, t)) await c.query(`DELETE FROM ${t} WHERE alert_id IN (SELECT id FROM alerts WHERE last_ts < $1)`, [cut]);
    }
    out.alerts = (await c.query('DELETE FROM alerts WHERE last_ts < $1', [cut])).rowCount ?? 0;
  }
  if (incidents) {
    for (const t of ['incident_alerts', 'incident_comments', 'incident_log']) {
      if (await exists(c, t)) await c.query(`DELETE FROM ${t} WHERE incident_id IN (SELECT id FROM incidents WHERE last_ts < $1)`, [cut]);
    }
    out.incidents = (await c.query('DELETE FROM incidents WHERE last_ts < $1', [cut])).rowCount ?? 0;
  }
  return out;
}
