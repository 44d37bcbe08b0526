import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { normalise } from '../events/normalise.ts';
import { validateEventBytes, validateEventText } from '../events/validate.ts';
import type { IncomingEvent, QuarantineItem, Store } from '../store/types.ts';
import { maybeGunzip } from './gunzip.ts';
import { splitCandidates } from './split.ts';

export interface IngestSummary {
  ingested: number;
  duplicates: number;
  quarantined: number;
}

export interface IngestOptions {
  store: Store;
  /** Per-event size limit in bytes (default 1 MiB). */
  maxEventBytes?: number;
  /** Events per store transaction (default 20000: larger transactions amortise index page writes). */
  batchSize?: number;
  /** Called for each quarantined input, e.g. to report it on stderr. */
  onQuarantine?: (item: QuarantineItem) => void;
  /** Called after each stored batch with the ids that were new (the detection engine hooks in here). */
  onStored?: (insertedIds: string[]) => void | Promise<void>;
}

/**
 * Import audit events from a byte stream (JSON Lines, JSON array, or saved `/logs` responses; gzip or plain).
 * Invalid candidates are quarantined with the reason and their position; the rest is stored idempotently.
 *
 * @example
 * const s = await ingestStream(fs.createReadStream('export.jsonl.gz'), 'export.jsonl.gz', { store });
 * console.log(s.ingested, s.duplicates, s.quarantined);
 */
export async function ingestStream(input: AsyncIterable<Buffer> | Readable, source: string, opts: IngestOptions): Promise<IngestSummary> {
  const summary: IngestSummary = { ingested: 0, duplicates: 0, quarantined: 0 };
  const batchSize = opts.batchSize ?? 20000;
  let batch: IncomingEvent[] = [];
  let quarantine: QuarantineItem[] = [];
  const flush = async () => {
    if (quarantine.length) {
      await opts.store.quarantine(quarantine);
      quarantine = [];
    }
    if (!batch.length) return;
    const r = await opts.store.appendEvents(batch);
    summary.ingested += r.inserted;
    summary.duplicates += r.duplicates;
    batch = [];
    if (opts.onStored && r.insertedIds.length) await opts.onStored(r.insertedIds);
  };
  try {
    const limits = { maxBytes: opts.maxEventBytes };
    for await (const candidates of splitCandidates(maybeGunzip(input as AsyncIterable<Buffer>))) {
      for (const c of candidates) {
        const v = c.error
          ? ({ ok: false, reason: c.error } as const)
          : c.text !== undefined
            ? validateEventText(c.text, limits)
            : validateEventBytes(c.bytes!, limits);
        if (v.ok) {
          batch.push({ raw: v.raw, norm: normalise(v.event) });
        } else {
          const item = { source, position: c.position, reason: v.reason, raw: c.bytes ? Buffer.from(c.bytes) : Buffer.from(c.text ?? '') };
          quarantine.push(item);
          summary.quarantined++;
          opts.onQuarantine?.(item);
        }
      }
      if (batch.length >= batchSize) await flush();
    }
  } catch (e) {
    // A broken stream (bad gzip, read error) is itself kept and reported: what came before it is still stored.
    const item = { source, position: 'stream', reason: `cannot read input: ${(e as Error).message}`, raw: Buffer.alloc(0) };
    quarantine.push(item);
    summary.quarantined++;
    opts.onQuarantine?.(item);
  }
  await flush();
  return summary;
}

/**
 * Import one file (`-` for stdin).
 *
 * @example
 * await ingestFile('logs.json', { store });
 */
export async function ingestFile(path: string, opts: IngestOptions): Promise<IngestSummary> {
  const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  const source = path === '-' ? 'stdin' : path;
  const run = () => ingestStream(input, source, opts);
  if (path === '-' || !opts.store.bulkLoad) return run();
  // A rough count from the size (about 600 bytes per event, gzip about 8:1) decides whether a bulk load pays off.
  const bytes = (await stat(path)).size;
  const expected = Math.floor((path.endsWith('.gz') ? bytes * 8 : bytes) / 600);
  return opts.store.bulkLoad(expected, run);
}
