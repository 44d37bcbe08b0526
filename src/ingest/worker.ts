import { parentPort, workerData } from 'node:worker_threads';
import { normalise } from '../events/normalise.ts';
import { validateEventBytes } from '../events/validate.ts';
import type { IncomingEvent, QuarantineItem } from '../store/types.ts';
import { splitCandidates } from './split.ts';
import type { FromWorker, ToWorker } from './parallel.ts';

/**
 * The parsing half of a parallel import: split, validate and normalise on this thread while the main thread writes
 * to SQLite. Chunks arrive by message; batches leave by message, each acknowledged before more than two are in flight.
 */
const port = parentPort!;
const { source, maxEventBytes, batchSize } = workerData as { source: string; maxEventBytes?: number; batchSize: number };

const chunks: Buffer[] = [];
let ended = false;
let wake: (() => void) | null = null;
let acked = 0;
let sent = 0;
let ackWake: (() => void) | null = null;

port.on('message', (m: ToWorker) => {
  if (m.type === 'chunk') chunks.push(Buffer.from(m.data));
  else if (m.type === 'end') ended = true;
  else if (m.type === 'ack') {
    acked++;
    ackWake?.();
  }
  wake?.();
});

async function* input(): AsyncGenerator<Buffer> {
  for (;;) {
    if (chunks.length) {
      const c = chunks.shift()!;
      port.postMessage({ type: 'consumed' } satisfies FromWorker);
      yield c;
    } else if (ended) return;
    else await new Promise<void>((r) => (wake = r));
  }
}

let events: IncomingEvent[] = [];
let quarantine: QuarantineItem[] = [];
async function send(): Promise<void> {
  while (sent - acked >= 2) await new Promise<void>((r) => (ackWake = r));
  port.postMessage({ type: 'batch', events, quarantine } satisfies FromWorker);
  sent++;
  events = [];
  quarantine = [];
}

try {
  for await (const c of splitCandidates(input())) {
    const v = c.error ? ({ ok: false, reason: c.error } as const) : validateEventBytes(c.bytes, { maxBytes: maxEventBytes });
    if (v.ok) events.push({ raw: v.raw, norm: normalise(v.event) });
    else quarantine.push({ source, position: c.position, reason: v.reason, raw: Buffer.from(c.bytes) });
    if (events.length >= batchSize) await send();
  }
  await send();
  port.postMessage({ type: 'done' } satisfies FromWorker);
} catch (e) {
  port.postMessage({ type: 'error', message: (e as Error).message } satisfies FromWorker);
}
