import type { StoredEvent } from './schema.ts';

/**
 * The channel of an event whose entity is a message (`entity.message.channel`, docs/slack-api.md 2.2: for example
 * `private_message_forwarded`, `message_flagged`); null for other entities. The store indexes the same path
 * (`events.channel_id`); only message events pay for reading the raw text here.
 *
 * @example messageChannel(ev) // 'C0123ABCD'
 */
export function messageChannel(e: StoredEvent): string | null {
  if (e.norm.entityType !== 'message') return null;
  try {
    const c = (JSON.parse(e.raw) as { entity?: { message?: { channel?: unknown } } })?.entity?.message?.channel;
    return typeof c === 'string' && c !== '' ? c : null;
  } catch {
    return null;
  }
}
