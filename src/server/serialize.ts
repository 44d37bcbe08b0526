/**
 * The JSON shapes the API returns for events. The list carries the normalised fields only; one event also carries
 * the exact raw text received from Slack (the browser pretty-prints it without re-serialising numbers).
 */
import { messageChannel } from '../events/message-channel.ts';
import type { StoredEvent } from '../events/schema.ts';
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
    channel: messageChannel(e),
    ip: n.ip,
    session_id: n.sessionId,
    ua: n.ua,
    reasons: n.reasons,
  };
}
