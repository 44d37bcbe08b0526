// Inserting a packed batch of events (see packed.ts): shared by the store's own connection and the write worker
// (write-worker.mjs). Plain JavaScript so the worker can load it without the TypeScript loader.
import { BatchRollup, prepareRollupWrite } from './rollup-write.mjs';

/** The text columns of a packed batch, in order; `reasons` is the comma-joined list, `ip_key` hex (see ip-key.ts). */
export const TEXT_COLUMNS = [
  'id', 'action', 'actor_id', 'actor_name', 'actor_email', 'entity_type', 'entity_id', 'entity_name', 'ip',
  'session_id', 'ua', 'reasons', 'location_id', 'ip_key',
];

// ON CONFLICT (id), not OR IGNORE: only a known id is skipped; any other constraint failure is an error, never a
// silently dropped event.
const INSERT_EVENT_SQL = `INSERT INTO events (id, action, actor_id, actor_name, actor_email, entity_type,
  entity_id, entity_name, ip, session_id, ua, reasons, location_id, ip_key, ts, action_ts_ms, ingested_at, raw)
  VALUES (${Array(13).fill('?').join(', ')}, unhex(?), ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
const INSERT_REASON_SQL = 'INSERT OR IGNORE INTO event_reasons (seq, reason, ts) VALUES (?, ?, ?)';

/** Prepared statements for `insertPacked` on one connection. */
export function prepareInsert(db) {
  return { event: db.prepare(INSERT_EVENT_SQL), reason: db.prepare(INSERT_REASON_SQL), rollup: prepareRollupWrite(db) };
}

/**
 * Insert every event of a packed batch and count the new ones into the UI rollups (rollup-write.mjs). Call inside an
 * IMMEDIATE transaction: the rollup marker is read before the first insert, and a deferred transaction that reads
 * first could not take the write lock once another connection has committed. Returns one byte per event: 1 when it
 * was new, 0 when its id was already stored.
 */
export function insertPacked(stmts, p, now) {
  const cols = TEXT_COLUMNS.length;
  const inserted = new Uint8Array(p.n);
  const params = new Array(cols + 4);
  let textAt = 0;
  let rawAt = 0;
  const rollup = BatchRollup.begin(stmts.rollup);
  for (let i = 0; i < p.n; i++) {
    for (let c = 0; c < cols; c++) {
      const k = i * cols + c;
      const end = p.textEnds[k];
      if (end < 0) {
        params[c] = null;
      } else {
        params[c] = p.text.slice(textAt, end);
        textAt = end;
      }
    }
    const ts = p.nums[i * 2];
    const ms = p.nums[i * 2 + 1];
    params[cols] = ts;
    params[cols + 1] = Number.isNaN(ms) ? null : ms;
    params[cols + 2] = now;
    params[cols + 3] = p.raw.slice(rawAt, p.rawEnds[i]);
    rawAt = p.rawEnds[i];
    const info = stmts.event.run(params);
    if (info.changes === 0) continue;
    inserted[i] = 1;
    rollup?.add(Number(info.lastInsertRowid), ts, params[1], params[2], params[3], params[4]);
    const reasons = params[11];
    if (reasons !== null) for (const r of reasons.split(',')) stmts.reason.run(info.lastInsertRowid, r, ts);
  }
  rollup?.commit();
  return inserted;
}
