/**
 * The size limit of the values the stores index as keys: the event id, action, actor id and e-mail, entity id, IP,
 * session id, message channel and anomaly reasons. Slack's are short (an id is about 11 characters, an event id 36,
 * an address at most 45, an e-mail at most 254); a kilobyte of any of them is not Slack's data but a broken or
 * hostile export. PostgreSQL cannot index it either: a B-tree entry holds at most 2,704 bytes (less once compressed
 * text runs out of repetition), and one such value failed the whole batch it came in, good events with it. So the
 * event is quarantined with the reason, on both backends alike; names, user agents, file names and every other field
 * stay unbounded (only the whole event's size is limited).
 */
import { messageChannel } from './message-channel.ts';
import type { NormalisedEvent } from './schema.ts';

/** Most bytes (UTF-8) of one indexed identifier. */
export const IDENTIFIER_MAX_BYTES = 1024;

/**
 * Why an event (its normalised view and raw text) cannot be stored for an overlong identifier, or null when every
 * identifier fits.
 *
 * @example overlongIdentifier(normalise(ev), raw) // 'id is 2000 bytes, over the 1024-byte limit of an identifier'
 */
export function overlongIdentifier(n: NormalisedEvent, raw: string): string | null {
  const fields: [string, string | null][] = [
    ['id', n.id], ['action', n.action], ['actor id', n.actorId], ['actor email', n.actorEmail],
    ['entity id', n.entityId], ['context.ip_address', n.ip], ['context.session_id', n.sessionId],
  ];
  for (const r of n.reasons) fields.push(['details.reason', r]);
  if (n.entityType === 'message') fields.push(['entity.message.channel', messageChannel({ seq: 0, raw, norm: n })]);
  for (const [name, v] of fields) {
    // A UTF-16 unit is at most 3 UTF-8 bytes: most values are settled without counting.
    if (v === null || v.length * 3 <= IDENTIFIER_MAX_BYTES) continue;
    const bytes = Buffer.byteLength(v);
    if (bytes > IDENTIFIER_MAX_BYTES) return `${name} is ${bytes} bytes, over the ${IDENTIFIER_MAX_BYTES}-byte limit of an identifier`;
  }
  return null;
}
