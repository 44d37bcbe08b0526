/**
 * Events out, in bulk: keyset paging over a store query, the CSV layout of `gridwatch events --format csv`, and the
 * streamed export body of `GET /api/v1/events/export` (CSV or JSON Lines), shared by the CLI and the server.
 */
import type { EventQuery, Store } from '../store/types.ts';
import { csvRow } from '../util/csv.ts';
import { isoSeconds } from '../util/time.ts';
import type { StoredEvent } from './schema.ts';

/**
 * Every event matching `q`, newest first, page by page (keyset pagination), so `--limit 0` over millions of
 * events streams in constant memory.
 *
 * @example
 * for await (const page of pagedEvents(store, { actions: ['anomaly'] }, 0)) ...
 */
export async function* pagedEvents(store: Store, q: EventQuery, limit: number, pageSize = 5000): AsyncGenerator<StoredEvent[]> {
  let remaining = limit > 0 ? limit : Infinity;
  let before: EventQuery['before'];
  while (remaining > 0) {
    const page = await store.queryEvents({ ...q, before, limit: Math.min(pageSize, remaining) });
    if (!page.length) return;
    yield page;
    remaining -= page.length;
    const last = page[page.length - 1]!;
    before = { ts: last.norm.ts, seq: last.seq };
    if (page.length < Math.min(pageSize, remaining + page.length)) return;
  }
}

/** The CSV columns (CLI and export alike). */
export const EVENT_CSV_HEADER = ['id', 'time', 'action', 'actor_id', 'actor_name', 'actor_email', 'entity_type', 'entity_id', 'entity_name', 'ip', 'session_id', 'ua', 'reasons'];

/**
 * One event as a CSV record (formula-looking cells are quoted by `csvRow`).
 *
 * @example eventCsv(ev) // 'a1b2...,2026-01-01T09:00:00Z,file_downloaded,W0MATT0001,...\r\n'
 */
export function eventCsv(e: StoredEvent): string {
  const n = e.norm;
  return csvRow([n.id, isoSeconds(n.ts), n.action, n.actorId, n.actorName, n.actorEmail, n.entityType, n.entityId, n.entityName, n.ip, n.sessionId, n.ua, n.reasons.join(' ')]);
}

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportOptions {
  /** Keep only events for which this is true (the free-text filter); applied page by page. */
  keep?: (e: StoredEvent) => boolean;
  pageSize?: number;
  /** Called once at the end with the number of events written (for the log). */
  onDone?: (events: number) => void;
}

/**
 * The export body: one chunk per page of events, read only when the consumer asks for more (`pull`), so the memory
 * held is one page whatever the size of the export. JSON Lines are the exact raw texts received, one per line (as
 * `gridwatch events --format json`); CSV starts with the header.
 *
 * @example new Response(exportStream(store, { actions: ['file_downloaded'] }, 'csv'), { headers: { 'Content-Type': 'text/csv' } })
 */
export function exportStream(store: Store, q: EventQuery, format: ExportFormat, opts: ExportOptions = {}): ReadableStream<Uint8Array> {
  const pages = pagedEvents(store, q, 0, opts.pageSize ?? 2000);
  const utf8 = new TextEncoder();
  let header = format === 'csv';
  let written = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (header) {
          header = false;
          controller.enqueue(utf8.encode(csvRow(EVENT_CSV_HEADER)));
          return;
        }
        // A page whose events the text filter all drops gives no chunk: read on until one does, or the end.
        for (;;) {
          const next = await pages.next();
          if (next.done) {
            opts.onDone?.(written);
            controller.close();
            return;
          }
          const events = opts.keep ? next.value.filter(opts.keep) : next.value;
          if (!events.length) continue;
          written += events.length;
          controller.enqueue(utf8.encode(format === 'csv' ? events.map(eventCsv).join('') : events.map((e) => `${e.raw}\n`).join('')));
          return;
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    // Nothing read ahead: the next page is fetched when the previous chunk has been taken.
    { highWaterMark: 0 },
  );
}
