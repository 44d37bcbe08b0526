/**
 * The one quarantine rule for the collector and the file importer: what a bad entry is kept as, and when a bad entry
 * seen again is the same one (stored once) or another one (stored again).
 *
 * - From the API (`'api'`), an entry is identified by its bytes alone. Overlap re-reads, cursor restarts and shifted
 *   windows serve the same entry again at another page and index, so the position cannot tell it apart; the first
 *   position seen is kept.
 * - From a file (`'file'`), an entry is identified by source, position and bytes. Two identical bad lines at different
 *   positions are two lines to fix, so both are kept (and the counts add up: stored + duplicates + quarantined =
 *   entries read); importing the same file again finds each at the same position and stores none of them twice.
 *
 * Summaries still count every bad entry read, as they count duplicates of good ones; only storage is deduplicated.
 */
import { createHash } from 'node:crypto';
import type { QuarantineItem, Store } from '../store/types.ts';

export type QuarantineOrigin = 'api' | 'file';

/**
 * The record to keep for input that failed validation: the exact bytes (text is stored as its UTF-8 bytes).
 *
 * @example
 * quarantineItem('events.jsonl', 'line 3', 'not JSON: ...', '{"id": ')
 */
export function quarantineItem(source: string, position: string, reason: string, raw: Buffer | string): QuarantineItem {
  return { source, position, reason, raw: typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw) };
}

/**
 * The identity of a quarantined entry under the origin's rule, as a store state key (two items with the same key are
 * the same bad entry). The API key is the one the collector has always used, so existing stores keep deduplicating.
 *
 * @example
 * quarantineKey(item, 'api') === quarantineKey({ ...item, position: 'window 1-2 page 9 entry 0' }, 'api') // true
 */
export function quarantineKey(item: QuarantineItem, origin: QuarantineOrigin): string {
  if (origin === 'api') return 'collector:quarantined:' + createHash('sha256').update(item.raw).digest('hex');
  const h = createHash('sha256');
  // Length-prefixed, so that no split of the same characters between source and position can collide.
  for (const part of [item.source, item.position]) h.update(`${Buffer.byteLength(part)}:${part}`);
  return 'quarantined:' + h.update(item.raw).digest('hex');
}

/**
 * Store the items not already quarantined under the origin's rule (against the store and within `items`); returns
 * those stored. The state key is written after the items, so a crash in between can only store one again, never lose one.
 *
 * @example
 * await quarantineOnce(store, bad, 'api', Date.now());
 */
export async function quarantineOnce(
  store: Pick<Store, 'quarantine' | 'getState' | 'putState'>,
  items: QuarantineItem[],
  origin: QuarantineOrigin,
  nowMs: number,
): Promise<QuarantineItem[]> {
  const fresh = new Map<string, QuarantineItem>();
  for (const item of items) {
    const key = quarantineKey(item, origin);
    if (fresh.has(key) || (await store.getState(key)) !== null) continue;
    fresh.set(key, item);
  }
  if (fresh.size === 0) return [];
  await store.quarantine([...fresh.values()]);
  for (const key of fresh.keys()) await store.putState(key, String(nowMs));
  return [...fresh.values()];
}
