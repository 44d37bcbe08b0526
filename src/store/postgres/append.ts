/**
 * One idempotent append on PostgreSQL: the ids go into `event_ids` first (ON CONFLICT DO NOTHING tells which are new,
 * whatever month their first copy fell in), then the new events, their reasons and the checkpoint, all in one
 * transaction. Appends are serialised by a transaction-level advisory lock, so sequence numbers are committed in
 * increasing order and `eventsAfterSeq` never skips an event that commits late. Each statement takes its columns as
 * arrays (`unnest`): one round trip per batch whatever its size.
 */
import type pg from 'pg';
import type { AppendResult, Checkpoint, IncomingEvent } from '../types.ts';
import { writeCheckpoint } from './checkpoints.ts';
import { monthOf, type Partitions } from './partitions.ts';

const APPEND_LOCK = 0x67726461; // 'grda'

const COLUMNS = [
  ['seq', 'bigint'], ['id', 'text'], ['ts', 'bigint'], ['action', 'text'], ['actor_id', 'text'], ['actor_name', 'text'],
  ['actor_email', 'text'], ['entity_type', 'text'], ['entity_id', 'text'], ['entity_name', 'text'], ['ip', 'text'],
  ['session_id', 'text'], ['ua', 'text'], ['reasons', 'text'], ['action_ts_ms', 'bigint'], ['location_id', 'text'],
  ['ingested_at', 'bigint'], ['raw', 'text'],
] as const;

const INSERT_EVENTS = `INSERT INTO events (${COLUMNS.map((c) => c[0]).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')})`;

/**
 * @example await appendBatch(client, partitions, batch, checkpoint) // { inserted, duplicates, insertedIds }
 */
export async function appendBatch(c: pg.ClientBase, parts: Partitions, batch: readonly IncomingEvent[], cp?: Checkpoint): Promise<AppendResult> {
  await parts.ensure(c, batch.map((e) => monthOf(e.norm.ts)));
  await c.query('BEGIN');
  try {
    await c.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const fresh = new Set(
      batch.length
        ? (await c.query<{ id: string }>('INSERT INTO event_ids (id, ts) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING id', [
            batch.map((e) => e.norm.id),
            batch.map((e) => e.norm.ts),
          ])).rows.map((r) => r.id)
        : [],
    );
    // The first copy of each new id, in batch order.
    const rows = batch.filter((e) => fresh.delete(e.norm.id));
    const insertedIds: string[] = [];
    if (rows.length) {
      const seqs = (await c.query<{ s: number }>("SELECT nextval('events_seq') AS s FROM generate_series(1, $1)", [rows.length])).rows.map((r) => r.s).sort((a, b) => a - b);
      const now = Date.now();
      const cols: unknown[][] = COLUMNS.map(() => new Array(rows.length));
      const reasons: [string[], number[], number[]] = [[], [], []];
      rows.forEach((e, i) => {
        const n = e.norm;
        // A non-string raw cannot be the received text: refuse the batch (the transaction rolls back, ids included).
        if (typeof e.raw !== 'string') throw new TypeError(`event ${n.id}: raw must be the received JSON text`);
        const v = [seqs[i], n.id, n.ts, n.action, n.actorId, n.actorName, n.actorEmail, n.entityType, n.entityId, n.entityName, n.ip,
          n.sessionId, n.ua, n.reasons.length ? n.reasons.join(',') : null, n.actionTimestampMs, n.locationId, now, e.raw];
        for (let k = 0; k < v.length; k++) cols[k]![i] = v[k];
        for (const r of new Set(n.reasons)) (reasons[0].push(r), reasons[1].push(n.ts), reasons[2].push(seqs[i]!));
        insertedIds.push(n.id);
      });
      await c.query(INSERT_EVENTS, cols);
      if (reasons[0].length) await c.query('INSERT INTO event_reasons (reason, ts, seq) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])', reasons);
    }
    if (cp) await writeCheckpoint(c, cp);
    await c.query('COMMIT');
    return { inserted: insertedIds.length, duplicates: batch.length - insertedIds.length, insertedIds };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
