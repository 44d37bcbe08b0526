/**
 * The one mapping from an `events` row to a stored event: the store's own reads, the detection reads and the
 * server's batch reads all select these columns and go through `normOfRow`.
 */
import type { NormalisedEvent, StoredEvent } from '../../events/schema.ts';

/** Every normalised column (`SELECT ${NORM_COLUMNS} FROM events ...` gives `NormRow`s). */
export const NORM_COLUMNS =
  'seq, id, ts, action, actor_id, actor_name, actor_email, entity_type, entity_id, entity_name, ip, session_id, ua, reasons, action_ts_ms, location_id';

/** The columns `rowToEvent` reads (`SELECT ${EVENT_COLUMNS} FROM events ...`): the normalised ones and the raw text. */
export const EVENT_COLUMNS = `${NORM_COLUMNS}, raw`;

/** One row of the `events` table, as selected with `NORM_COLUMNS`. */
export interface NormRow {
  seq: number;
  id: string;
  ts: number;
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_email: string | null;
  entity_type: string | null;
  entity_id: string | null;
  entity_name: string | null;
  ip: string | null;
  session_id: string | null;
  ua: string | null;
  reasons: string | null;
  action_ts_ms: number | null;
  location_id: string | null;
}

/** One row of the `events` table, as selected with `EVENT_COLUMNS`. */
export interface EventRow extends NormRow {
  raw: string;
}

/** Shared by every event without reasons (most of them): one allocation less per event. Never mutated. */
export const NO_REASONS: string[] = [];

/**
 * The normalised event of a row selected with `NORM_COLUMNS` (or `EVENT_COLUMNS`).
 *
 * @example normOfRow(db.prepare(`SELECT ${NORM_COLUMNS} FROM events WHERE id = ?`).get(id) as NormRow).action
 */
export function normOfRow(r: NormRow): NormalisedEvent {
  return {
    id: r.id,
    ts: r.ts,
    action: r.action,
    actorType: null,
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorEmail: r.actor_email,
    entityType: r.entity_type,
    entityId: r.entity_id,
    entityName: r.entity_name,
    ip: r.ip,
    sessionId: r.session_id,
    ua: r.ua,
    locationId: r.location_id,
    reasons: r.reasons ? r.reasons.split(',') : NO_REASONS,
    actionTimestampMs: r.action_ts_ms,
  };
}

/**
 * The stored event of a row selected with `EVENT_COLUMNS`.
 *
 * @example rowToEvent(db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id) as EventRow).norm.action
 */
export function rowToEvent(r: EventRow): StoredEvent {
  return { seq: r.seq, raw: r.raw, norm: normOfRow(r) };
}
