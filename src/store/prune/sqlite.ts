/**
 * Pruning a SQLite store: events deleted in bounded transactions (each a short write lock, so a collector writing to
 * the same file waits milliseconds, not minutes), together with their anomaly reasons, their free-text index entries
 * and their counts in the UI rollups. `people` and `ui_actors`' first-seen times are kept: a person is still known.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { ROLLUP_STATE_KEY } from '../sqlite/rollup-write.mjs';
import { SEARCH_STATE_KEY } from '../sqlite/search-fold.mjs';
import { rollupDeltas, type PruneOptions, type PrunedRow, type PruneSummary } from './types.ts';

/**
 * @example const s = await pruneSqlite(store.db, { cut: nowSec - 400 * 86400, includeAlerts: false, dryRun: false });
 */
export async function pruneSqlite(db: BetterSqlite3.Database, opts: PruneOptions): Promise<PruneSummary> {
  const summary: PruneSummary = { cut: opts.cut, events: 0, partitionsDropped: [], alerts: 0, incidents: 0, dryRun: opts.dryRun };
  if (opts.dryRun) {
    summary.events = db.prepare('SELECT count(*) FROM events WHERE ts < ?').pluck().get(opts.cut) as number;
    if (opts.includeAlerts) {
      summary.alerts = db.prepare('SELECT count(*) FROM alerts WHERE last_ts < ?').pluck().get(opts.cut) as number;
      summary.incidents = db.prepare('SELECT count(*) FROM incidents WHERE last_ts < ?').pluck().get(opts.cut) as number;
    }
    return summary;
  }
  const batch = deleteBatch(db, opts.batchSize ?? 5000);
  for (;;) {
    const n = batch.immediate(opts.cut);
    summary.events += n;
    if (n === 0) break;
    opts.onProgress?.(summary.events);
    // Let a collector's transaction in between batches.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (opts.includeAlerts) Object.assign(summary, db.transaction(() => deleteAlerts(db, opts.cut)).immediate());
  return summary;
}

function deleteBatch(db: BetterSqlite3.Database, size: number) {
  const pick = db.prepare('SELECT seq, ts, action, actor_id, reasons FROM events WHERE ts < ? ORDER BY ts, seq LIMIT ?');
  const position = db.prepare('SELECT value FROM state WHERE key = ?').pluck();
  const vol = db.prepare('UPDATE ui_volume_hourly SET n = n - ? WHERE hour = ? AND action = ?');
  const volGone = db.prepare('DELETE FROM ui_volume_hourly WHERE hour = ? AND action = ? AND n <= 0');
  const actor = db.prepare('UPDATE ui_actors SET n = n - ? WHERE actor_id = ?');
  const actorGone = db.prepare('DELETE FROM ui_actors WHERE actor_id = ? AND n <= 0');
  const fts = db.prepare('DELETE FROM events_fts WHERE rowid = ?');
  const reason = db.prepare('DELETE FROM event_reasons WHERE reason = ? AND ts = ? AND seq = ?');
  const event = db.prepare('DELETE FROM events WHERE seq = ?');
  return db.transaction((cut: number): number => {
    const rows = pick.all(cut, size) as PrunedRow[];
    if (!rows.length) return 0;
    const d = rollupDeltas(rows, Number(position.get(ROLLUP_STATE_KEY) ?? 0));
    for (const [hour, action, n] of d.volume) {
      vol.run(n, hour, action);
      volGone.run(hour, action);
    }
    for (const [id, n] of d.actors) {
      actor.run(n, id);
      actorGone.run(id);
    }
    const searched = Number(position.get(SEARCH_STATE_KEY) ?? 0);
    for (const r of rows) {
      // Only what the search fold has indexed has an entry (contentless_delete lets FTS5 remove it by row id).
      if (r.seq <= searched) fts.run(r.seq);
      for (const x of r.reasons ? r.reasons.split(',') : []) reason.run(x, r.ts, r.seq);
      event.run(r.seq);
    }
    return rows.length;
  });
}

/** Alerts whose last event is before the cut (with their history and outbox rows) and incidents likewise. */
function deleteAlerts(db: BetterSqlite3.Database, cut: number): { alerts: number; incidents: number } {
  const oldAlerts = 'SELECT id FROM alerts WHERE last_ts < ?';
  db.prepare(`DELETE FROM alert_status_log WHERE alert_id IN (${oldAlerts})`).run(cut);
  db.prepare(`DELETE FROM alert_outbox WHERE alert_id IN (${oldAlerts})`).run(cut);
  db.prepare(`DELETE FROM incident_alerts WHERE alert_id IN (${oldAlerts})`).run(cut);
  const alerts = db.prepare('DELETE FROM alerts WHERE last_ts < ?').run(cut).changes;
  const oldIncidents = 'SELECT id FROM incidents WHERE last_ts < ?';
  for (const t of ['incident_alerts', 'incident_comments', 'incident_log']) db.prepare(`DELETE FROM ${t} WHERE incident_id IN (${oldIncidents})`).run(cut);
  const incidents = db.prepare('DELETE FROM incidents WHERE last_ts < ?').run(cut).changes;
  return { alerts, incidents };
}
