/**
 * One idempotent append on PostgreSQL: the ids go into `event_ids` first (ON CONFLICT DO NOTHING tells which are new,
 * whatever month their first copy fell in), then the new events, their reasons and the checkpoint, all in one
 * transaction. Appends are serialised by a transaction-level advisory lock, so sequence numbers are committed in
 * increasing order and `eventsAfterSeq` never skips an event that commits late. The ids and reasons go in as arrays
 * (`unnest`), the events by COPY (about 4x the rows per second of a multi-row INSERT of the same batch here), and the
 * read models (hourly volume, actors, people: `read-models.ts`) are folded in by the same transaction.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { messageChannel } from '../../events/message-channel.ts';
import { ipKeyHex } from '../sqlite/ip-key.ts';
import type { AppendResult, Checkpoint, IncomingEvent } from '../types.ts';
import { writeCheckpoint } from './checkpoints.ts';
import { monthOf, type Partitions } from './partitions.ts';
import { APPEND_LOCK, foldOnAppend, pgText, userEmailOf, type FoldRow } from './read-models.ts';

const COLUMNS = [
  ['seq', 'bigint'], ['id', 'text'], ['ts', 'bigint'], ['action', 'text'], ['actor_id', 'text'], ['actor_name', 'text'],
  ['actor_email', 'text'], ['entity_type', 'text'], ['entity_id', 'text'], ['entity_name', 'text'], ['ip', 'text'],
  ['session_id', 'text'], ['ua', 'text'], ['reasons', 'text'], ['action_ts_ms', 'bigint'], ['location_id', 'text'],
  ['ingested_at', 'bigint'], ['raw', 'text'], ['ip_key', 'bytea'], ['channel_id', 'text'],
] as const;

const COPY_EVENTS = `COPY events (${COLUMNS.map((c) => c[0]).join(', ')}) FROM STDIN`;

/**
 * A value in COPY's text format: `\N` for null; backslash, tab, newline and carriage return escaped. PostgreSQL text
 * cannot hold U+0000: a NUL decoded from a `\u0000` escape in a normalised column becomes U+FFFD (the raw text keeps
 * the escape, so the event itself is unchanged).
 */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  let s = pgText(String(v));
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r')) : s;
}

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
    const insertedIds: string[] = [];
    if (rows.length) {
      const seqs = (await c.query<{ s: number }>("SELECT nextval('events_seq') AS s FROM generate_series(1, $1)", [rows.length])).rows.map((r) => r.s).sort((a, b) => a - b);
      const now = Date.now();
      const lines: string[] = new Array(rows.length);
      const reasons: [string[], number[], number[]] = [[], [], []];
      const folded: FoldRow[] = new Array(rows.length);
      rows.forEach((e, i) => {
        const n = e.norm;
        // A non-string raw cannot be the received text: refuse the batch (the transaction rolls back, ids included).
        if (typeof e.raw !== 'string') throw new TypeError(`event ${n.id}: raw must be the received JSON text`);
        const v = [seqs[i], n.id, n.ts, n.action, n.actorId, n.actorName, n.actorEmail, n.entityType, n.entityId, n.entityName, n.ip,
          n.sessionId, n.ua, n.reasons.length ? n.reasons.join(',') : null, n.actionTimestampMs, n.locationId, now, e.raw,
          pgBytea(ipKeyHex(n.ip)), messageChannel({ seq: 0, raw: e.raw, norm: n })];
        lines[i] = v.map(copyField).join('\t');
        for (const r of new Set(n.reasons)) (reasons[0].push(r), reasons[1].push(n.ts), reasons[2].push(seqs[i]!));
        insertedIds.push(n.id);
        folded[i] = { seq: seqs[i]!, ts: n.ts, action: n.action, actorId: n.actorId, actorName: n.actorName, actorEmail: n.actorEmail, entityType: n.entityType,
          entityId: n.entityId, entityName: n.entityName, userEmail: n.entityType === 'user' && n.entityId !== null ? userEmailOf(e.raw) : null };
      });
      // COPY rather than INSERT: the rows stream in PostgreSQL's own text format, no per-value array encoding.
      await pipeline(Readable.from([`${lines.join('\n')}\n`]), c.query(copyFrom(COPY_EVENTS)));
      if (reasons[0].length) await c.query('INSERT INTO event_reasons (reason, ts, seq) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])', reasons);
      // The UI's volume and directories move with the events, so no server ever rebuilds them at start.
      await foldOnAppend(c, folded);
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
