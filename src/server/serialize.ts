/**
 * The JSON shapes the API returns for events. The list carries the normalised fields only; one event also carries
 * the exact raw text received from Slack (the browser pretty-prints it without re-serialising numbers).
 */
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../events/schema.ts';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../store/sqlite/index.ts';
import { isoSeconds } from '../util/time.ts';
import type { EventSummary } from './api-types.ts';

/**
 * @example eventSummary(await store.getEvent(id)).time // '2026-01-01T09:00:00Z'
 */
export function eventSummary(e: StoredEvent): EventSummary {
  const n = e.norm;
  return {
    id: n.id,
    seq: e.seq,
    ts: n.ts,
    time: isoSeconds(n.ts),
    action: n.action,
    actor: { id: n.actorId, name: n.actorName, email: n.actorEmail },
    entity: { type: n.entityType, id: n.entityId, name: n.entityName },
    ip: n.ip,
    session_id: n.sessionId,
    ua: n.ua,
    reasons: n.reasons,
  };
}

/**
 * Many events by id in one query (an alert's triggering events), in the order of `ids`; unknown ids are skipped.
 * One statement instead of one lookup per id keeps an alert with hundreds of events fast.
 *
 * @example eventsByIds(store.db, alert.event_ids).map((e) => eventSummary(e).time)
 */
export function eventsByIds(db: Database.Database, ids: readonly string[]): StoredEvent[] {
  const rows = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as EventRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [rowToEvent(r)] : [];
  });
}
