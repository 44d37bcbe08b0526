/**
 * The JSON shapes the API returns for events. The list carries the normalised fields only; one event also carries
 * the exact raw text received from Slack (the browser pretty-prints it without re-serialising numbers).
 */
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../events/schema.ts';
import { isoSeconds } from '../util/time.ts';

export interface EventSummary {
  id: string;
  seq: number;
  ts: number;
  time: string;
  action: string;
  actor: { id: string | null; name: string | null; email: string | null };
  entity: { type: string | null; id: string | null; name: string | null };
  ip: string | null;
  session_id: string | null;
  ua: string | null;
  reasons: string[];
}

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

interface SummaryRow {
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
  raw: string;
}

/**
 * Many events by id in one query (an alert's triggering events), in the order of `ids`; unknown ids are skipped.
 * One statement instead of one lookup per id keeps an alert with hundreds of events fast.
 *
 * @example summariesByIds(store.db, alert.event_ids).map((e) => e.summary.time)
 */
export function summariesByIds(db: Database.Database, ids: readonly string[]): Array<{ summary: EventSummary; raw: string }> {
  const rows = db
    .prepare(
      `SELECT seq, id, ts, action, actor_id, actor_name, actor_email, entity_type, entity_id, entity_name, ip, session_id, ua, reasons, raw
       FROM events WHERE id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(ids)) as SummaryRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const summary: EventSummary = {
      id: r.id,
      seq: r.seq,
      ts: r.ts,
      time: isoSeconds(r.ts),
      action: r.action,
      actor: { id: r.actor_id, name: r.actor_name, email: r.actor_email },
      entity: { type: r.entity_type, id: r.entity_id, name: r.entity_name },
      ip: r.ip,
      session_id: r.session_id,
      ua: r.ua,
      reasons: r.reasons ? r.reasons.split(',') : [],
    };
    return [{ summary, raw: r.raw }];
  });
}
