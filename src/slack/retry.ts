/** Backoff, Retry-After and sleeping helpers of the Slack client. */

/** Sleep for `ms`; an implementation may also stop early when `signal` aborts (abortableSleep races it anyway). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface BackoffOptions {
  /** First delay ceiling in ms (default 500). */
  baseMs: number;
  /** Largest delay ceiling in ms (default 30 000). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** Real sleep on a timer; the timer is cleared when the signal aborts (so an aborted wait keeps no process alive). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Capped exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)).
 * `attempt` counts from 0 (the delay before the first retry).
 *
 * @example backoffDelay(3, { baseMs: 500, capMs: 30_000 }, () => 0.5) // 2000
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait a 429 asks for, in ms. `Retry-After` is delta-seconds (what Slack sends) or an HTTP date; absent or
 * unreadable means 1 s (Grove's and the SDKs' default).
 *
 * @example retryAfterMs('30', Date.now()) // 30000
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number, defaultSec = 1): number {
  if (header == null || header.trim() === '') return defaultSec * 1000;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isFinite(t)) return Math.max(0, t - nowMs);
  return defaultSec * 1000;
}

/** Sleep with an injected sleep function, rejecting early with the signal's reason when it aborts. */
export function abortableSleep(sleep: Sleep, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(signal.reason);
        else resolve();
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
