/**
 * Blocking PostgreSQL queries, for the few reads that must answer synchronously: a scanned event's raw text or
 * detail columns, read on first access from a getter (`ScannedEvent`, shared with SQLite, where the lookup is a
 * synchronous better-sqlite3 statement). A worker thread holds its own connection; the caller posts the query on a
 * MessagePort and sleeps on a shared Int32Array (`Atomics.wait`) until the worker has posted the answer.
 *
 * Why not carry everything in the scan: the raw text is ~600 bytes an event and rules read it for a handful of
 * events (rare admin actions, alert subjects); the scan carries it for anomalies, the rest costs one lookup each.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { errorFromWorker, type PostedError } from './unreachable.ts';

/** A lookup that takes longer than this fails rather than hanging the process. */
const TIMEOUT_MS = 60_000;

export class SyncQuery {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flag: Int32Array | null = null;

  constructor(private readonly url: string) {}

  /**
   * Run one query and return its rows as arrays, blocking the thread until it answers.
   *
   * @example new SyncQuery(url).rows('SELECT raw FROM events WHERE seq = $1', [42])[0]?.[0]
   */
  rows(sql: string, params: unknown[]): unknown[][] {
    if (!this.worker) this.start();
    const flag = this.flag!;
    const port = this.port!;
    Atomics.store(flag, 0, 0);
    port.postMessage({ sql, params });
    // Until the worker sets the flag (after posting its answer). A wake-up alone proves nothing: the previous lookup's
    // notify can land after this one started waiting, when that lookup had seen the flag set and not waited.
    const deadline = Date.now() + TIMEOUT_MS;
    while (Atomics.load(flag, 0) === 0) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(flag, 0, 0, left) === 'timed-out') throw new Error(`PostgreSQL lookup timed out after ${TIMEOUT_MS / 1000} s`);
    }
    const m = receiveMessageOnPort(port)?.message as { rows: unknown[][] } | PostedError | undefined;
    if (!m) throw new Error('PostgreSQL lookup: no answer from the lookup worker');
    if ('error' in m) throw errorFromWorker(m, 'PostgreSQL lookup');
    return m.rows;
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    this.worker = new Worker(new URL('./sync-query-worker.mjs', import.meta.url), {
      execArgv: [],
      workerData: { url: this.url, port: port2, signal: this.flag.buffer },
      transferList: [port2],
    });
    // Idle between lookups: it must not keep the process alive.
    this.worker.unref();
    port1.unref();
    this.port = port1;
  }

  /** Stop the worker (and its connection). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.port?.close();
    this.port = null;
    if (w) await w.terminate();
  }
}
