/**
 * A batch of events packed for a cheap hand-over to another thread: every text value in one string with end offsets,
 * numbers in a Float64Array. Copying one long string and a few typed arrays between threads costs a fraction of
 * cloning thousands of small objects, which is what makes a write worker pay off.
 */
import type { AppendResult, IncomingEvent } from '../types.ts';
import { TEXT_COLUMNS } from './insert-packed.mjs';
import { ipKeyHex } from './ip-key.ts';

export interface PackedBatch {
  n: number;
  /** All text columns (`TEXT_COLUMNS` order) of all events, concatenated. */
  text: string;
  /** End offset in `text` of each (event, column), -1 for NULL: n × TEXT_COLUMNS.length entries. */
  textEnds: Int32Array;
  /** Per event: ts, action timestamp in ms (NaN for NULL). */
  nums: Float64Array;
  /** The raw JSON texts, concatenated, and where each ends. */
  raw: string;
  rawEnds: Int32Array;
}

const TEXT_COLUMN_COUNT = TEXT_COLUMNS.length;

/**
 * Pack a batch (the order of text values must follow `TEXT_COLUMNS` in insert-packed.mjs).
 *
 * @example const p = packEvents([{ raw, norm: normalise(JSON.parse(raw)) }]); p.n // 1
 */
export function packEvents(batch: readonly IncomingEvent[]): PackedBatch {
  const n = batch.length;
  const textEnds = new Int32Array(n * TEXT_COLUMN_COUNT);
  const nums = new Float64Array(n * 2);
  const rawEnds = new Int32Array(n);
  const parts: string[] = [];
  const raws = new Array<string>(n);
  let at = 0;
  let rawAt = 0;
  let k = 0;
  const put = (v: string | null) => {
    if (v === null) {
      textEnds[k++] = -1;
      return;
    }
    parts.push(v);
    at += v.length;
    textEnds[k++] = at;
  };
  for (let i = 0; i < n; i++) {
    const { raw, norm: e } = batch[i]!;
    // Joining would turn anything into text: refuse what the store must never hold, as SQLite binding did.
    if (typeof raw !== 'string' || typeof e.id !== 'string') throw new TypeError(`event ${i} of the batch has no raw text or id`);
    put(e.id);
    put(e.action);
    put(e.actorId);
    put(e.actorName);
    put(e.actorEmail);
    put(e.entityType);
    put(e.entityId);
    put(e.entityName);
    put(e.ip);
    put(e.sessionId);
    put(e.ua);
    put(e.reasons.length ? e.reasons.join(',') : null);
    put(e.locationId);
    put(ipKeyHex(e.ip));
    nums[i * 2] = e.ts;
    nums[i * 2 + 1] = e.actionTimestampMs ?? NaN;
    raws[i] = raw;
    rawAt += raw.length;
    rawEnds[i] = rawAt;
  }
  return { n, text: parts.join(''), textEnds, nums, raw: raws.join(''), rawEnds };
}

/**
 * The append result of a batch from the per-event "was new" bytes `insertPacked` returns.
 *
 * @example appendResultOf(batch, new Uint8Array([1, 0])) // { inserted: 1, duplicates: 1, insertedIds: [batch[0].norm.id] }
 */
export function appendResultOf(batch: readonly IncomingEvent[], inserted: Uint8Array): AppendResult {
  const insertedIds: string[] = [];
  for (let i = 0; i < batch.length; i++) if (inserted[i]) insertedIds.push(batch[i]!.norm.id);
  return { inserted: insertedIds.length, duplicates: batch.length - insertedIds.length, insertedIds };
}
