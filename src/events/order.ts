import type { NormalisedEvent } from './schema.ts';

/**
 * Compare two events for evaluation order: time, then id. Never the store's sequence number, which depends on the
 * order events arrived in; this is what makes detection results independent of arrival order.
 *
 * @example events.sort((a, b) => compareEvents(a.norm, b.norm))
 */
export function compareEvents(a: NormalisedEvent, b: NormalisedEvent): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
