/**
 * One idempotent append on PostgreSQL: the ids go into `event_ids` first (ON CONFLICT DO NOTHING tells which are new,
 * whatever month their first copy fell in), then the new events, their reasons, the read models and the checkpoint,
 * all in one transaction. Appends are serialised by a transaction-level advisory lock, so sequence numbers are
 * committed in increasing order and `eventsAfterSeq` never skips an event that commits late.
 *
 * The events go in by COPY (about 4x the rows per second of a multi-row INSERT here), streamed a chunk at a time
 * (`copy-text.ts`): while PostgreSQL parses and indexes one chunk, the next is encoded here and its rows counted into
 * the read models (hourly volume, actors, people: `read-models.ts`), so the JavaScript side costs the append little
 * more than its round trips. Measured at 100k events: docs/postgres.md.
 */
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { messageChannel } from '../../events/message-channel.ts';
import { ipKeyHex } from '../sqlite/ip-key.ts';
import type { AppendResult, Checkpoint, IncomingEvent } from '../types.ts';
import { writeCheckpoint } from './checkpoints.ts';
import { copyRows } from './copy-text.ts';
import { monthOf, type Partitions } from './partitions.ts';
import { APPEND_LOCK, FoldBatch, foldOnAppend, readModelsLive } from './read-models.ts';

const COLUMNS = [
  'seq', 'id', 'ts', 'action', 'actor_id', 'actor_name', 'actor_email', 'entity_type', 'entity_id', 'entity_name', 'ip',
  'session_id', 'ua', 'reasons', 'action_ts_ms', 'location_id', 'ingested_at', 'raw', 'ip_key', 'channel_id',
] as const;

const COPY_EVENTS = `COPY events (${COLUMNS.join(', ')}) FROM STDIN`;

/** A hex key as a bytea literal (`\\x...`; COPY's escaping then doubles the backslash). */
const pgBytea = (hex: string | null) => (hex === null ? null : `\\x${hex}`);

/**
 * @example await appendBatch(client, partitions, batch, checkpoint) // { inserted, duplicates, insertedIds }
 */
export async function appendBatch(c: pg.ClientBase, parts: Partitions, batch: readonly IncomingEvent[], cp?: Checkpoint, retried = false): Promise<AppendResult> {
  const months = batch.map((e) => monthOf(e.norm.ts));
  await parts.ensure(c, months);
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
    const insertedIds = rows.map((e) => e.norm.id);
    if (rows.length) {
      // A non-string raw cannot be the received text: refuse the batch (the transaction rolls back, ids included).
      const bad = rows.find((e) => typeof e.raw !== 'string');
      if (bad) throw new TypeError(`event ${bad.norm.id}: raw must be the received JSON text`);
      const seqs = (await c.query<{ s: number }>("SELECT nextval('events_seq') AS s FROM generate_series(1, $1)", [rows.length])).rows.map((r) => r.s).sort((a, b) => a - b);
      const fold = (await readModelsLive(c)) ? new FoldBatch() : null;
      const reasons: [string[], number[], number[]] = [[], [], []];
      const now = Date.now();
      // Encoded as the connection takes them; each row's reasons and read-model counts are noted on the way.
      await pipeline(copyRows(rows.length, (i) => {
        const { raw, norm: n } = rows[i]!;
        const seq = seqs[i]!;
        for (const r of new Set(n.reasons)) (reasons[0].push(r), reasons[1].push(n.ts), reasons[2].push(seq));
        fold?.add({ seq, ts: n.ts, action: n.action, actorId: n.actorId, actorName: n.actorName, actorEmail: n.actorEmail, entityType: n.entityType,
          entityId: n.entityId, entityName: n.entityName, userRaw: raw });
        return [seq, n.id, n.ts, n.action, n.actorId, n.actorName, n.actorEmail, n.entityType, n.entityId, n.entityName, n.ip,
          n.sessionId, n.ua, n.reasons.length ? n.reasons.join(',') : null, n.actionTimestampMs, n.locationId, now, raw,
          pgBytea(ipKeyHex(n.ip)), messageChannel({ seq: 0, raw, norm: n })];
      }), c.query(copyFrom(COPY_EVENTS)));
      if (reasons[0].length) await c.query('INSERT INTO event_reasons (reason, ts, seq) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])', reasons);
      // The UI's volume and directories move with the events, so no server ever rebuilds them at start.
      if (fold) await foldOnAppend(c, fold);
    }
    if (cp) await writeCheckpoint(c, cp);
    await c.query('COMMIT');
    return { inserted: insertedIds.length, duplicates: batch.length - insertedIds.length, insertedIds };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    // "no partition of relation events found for row": `gridwatch prune` dropped a month this process still thought
    // existed (an old event arriving after the prune). Forget the months, make them again and retry once.
    if ((e as { code?: string }).code === '23514' && !retried) {
      parts.forget(months);
      return appendBatch(c, parts, batch, cp, true);
    }
    throw e;
  }
}
