import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { validateEventBytes, validateEventText } from '../events/validate.ts';
import { quarantineItem, quarantineOnce } from '../events/quarantine.ts';
import type { AppendResult, BackgroundWriter, IncomingEvent, QuarantineItem, Store } from '../store/types.ts';
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
  /** Events per store transaction (default 5000: with a background writer, small batches overlap parsing and writing best). */
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
  const batchSize = opts.batchSize ?? 5000;
  let batch: IncomingEvent[] = [];
  let quarantine: QuarantineItem[] = [];
  const writer = new BatchWriter(opts);
  const flush = async () => {
    if (quarantine.length) {
      // A re-import finds its bad lines at the same positions: each is stored once (events/quarantine.ts).
      await quarantineOnce(opts.store, quarantine, 'file', Date.now());
      quarantine = [];
    }
    if (!batch.length) return;
    const b = batch;
    batch = [];
    const r = await writer.write(b).catch((e: unknown) => {
      throw new WriteFailure(e);
    });
    summary.ingested += r.inserted;
    summary.duplicates += r.duplicates;
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
          batch.push({ raw: v.raw, norm: v.norm });
        } else {
          const item = quarantineItem(source, c.position, v.reason, c.bytes ?? c.text ?? '');
          quarantine.push(item);
          summary.quarantined++;
          opts.onQuarantine?.(item);
        }
      }
      if (batch.length >= batchSize) await flush();
    }
  } catch (e) {
    // The store failing is the caller's error, not something wrong with the input.
    if (e instanceof WriteFailure) {
      await writer.close();
      throw e.cause;
    }
    // A broken stream (bad gzip, read error) is itself kept and reported: what came before it is still stored.
    const item = quarantineItem(source, 'stream', `cannot read input: ${(e as Error).message}`, Buffer.alloc(0));
    quarantine.push(item);
    summary.quarantined++;
    opts.onQuarantine?.(item);
  }
  try {
    await flush();
    const r = await writer.finish();
    summary.ingested += r.inserted;
    summary.duplicates += r.duplicates;
  } finally {
    await writer.close();
  }
  return summary;
}

/**
 * A rough event count from a file's size (about 600 bytes per event, gzip about 8:1): enough to decide whether a bulk
 * load pays off.
 *
 * @example estimateEvents('export.jsonl.gz', 75_000_000) // 1000000
 */
export function estimateEvents(path: string, bytes: number): number {
  return Math.floor((path.endsWith('.gz') ? bytes * 8 : bytes) / 600);
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
  return opts.store.bulkLoad(estimateEvents(path, (await stat(path)).size), run);
}

/** A store write that failed inside the read loop (told apart from a broken input stream). */
class WriteFailure extends Error {
  constructor(readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Batches written since the last report: the writes of a pipelined writer land one call later. */
type Landed = Pick<AppendResult, 'inserted' | 'duplicates'>;

/**
 * Writes batches in order. The first goes through `appendEvents`; once the input proves long (a second batch), the
 * store's background writer takes over when it has one, and one batch is committed on its thread while the next is
 * parsed here. Write errors surface on the next call, never as an unhandled rejection.
 */
class BatchWriter {
  private background: BackgroundWriter | null | undefined;
  /** Batches handed to the background writer and not yet reported, oldest first. */
  private inFlight: Array<Promise<Landed>> = [];
  private batches = 0;

  constructor(private readonly opts: IngestOptions) {}

  /** Hand over a batch; resolves with what landed meanwhile (this batch's own figures when written in place). */
  async write(batch: IncomingEvent[]): Promise<Landed> {
    if (++this.batches === 2 && this.opts.store.openBackgroundWriter) {
      // No thread to spare (or no worker support): writing in place is slower, never wrong.
      this.background = await this.opts.store.openBackgroundWriter().catch(() => null);
    }
    if (!this.background) return this.stored(await this.opts.store.appendEvents(batch));
    const write = this.background.append(batch).then((r) => this.stored(r));
    write.catch(() => {}); // awaited below or by a later call; this only keeps the rejection from counting as unhandled
    this.inFlight.push(write);
    // Two batches queued keep the writer busy while the next one is parsed here.
    const landed = { inserted: 0, duplicates: 0 };
    while (this.inFlight.length > BATCHES_IN_FLIGHT) add(landed, await this.inFlight.shift()!);
    return landed;
  }

  /** Wait for every batch in flight; their figures. */
  async finish(): Promise<Landed> {
    const landed = { inserted: 0, duplicates: 0 };
    while (this.inFlight.length) add(landed, await this.inFlight.shift()!);
    return landed;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await this.background?.close();
  }

  private async stored(r: AppendResult): Promise<Landed> {
    if (this.opts.onStored && r.insertedIds.length) await this.opts.onStored(r.insertedIds);
    return { inserted: r.inserted, duplicates: r.duplicates };
  }
}

const BATCHES_IN_FLIGHT = 2;

function add(to: Landed, r: Landed): void {
  to.inserted += r.inserted;
  to.duplicates += r.duplicates;
}
