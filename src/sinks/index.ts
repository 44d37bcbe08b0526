/**
 * Alert delivery: build the configured sinks and put the durable outbox in front of them.
 *
 * Everything goes through the outbox, stdout and file sinks included, so "the alert was raised" and "the alert was
 * handed on" are separate, recorded facts, and one slow or broken destination never holds up the others.
 */
import type { Writable } from 'node:stream';
import type { OutboxStore } from '../store/outbox.ts';
import { parseSinkConfigs, resolveSecret, sinkName, type SinkConfig, type SinkConfigInput } from './config.ts';
import { createFileSink } from './file.ts';
import type { FetchLike } from './http.ts';
import { Outbox, type BackoffOptions, type FlushResult, type OutboxRow, type OutboxStatus } from './outbox.ts';
import { createSlackSink } from './slack.ts';
import { createStdoutSink } from './stdout.ts';
import type { Clock, DeliverableAlert, Sink } from './types.ts';
import { createWebhookSink } from './webhook.ts';

export { SinkConfigSchema, SinkConfigError, parseSinkConfigs, type SinkConfig, type SinkConfigInput } from './config.ts';
export type { DeliverableAlert, Sink, Severity } from './types.ts';
export type { FlushResult, OutboxRow, OutboxStatus, BackoffOptions } from './outbox.ts';
export { signWebhookBody, verifyWebhookSignature } from './webhook.ts';

export interface CreateSinksOptions {
  /** Milliseconds since the epoch (default `Date.now`). Drives retry scheduling and webhook timestamps. */
  clock?: Clock;
  /** HTTP client for webhook and Slack sinks (default global `fetch`). */
  fetch?: FetchLike;
  /** Stream for `stdout` sinks (default `process.stdout`). */
  stdout?: Writable;
  /** Where `secret_env` / `webhook_url_env` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** One line per delivery failure; never contains secrets. */
  log?: (message: string) => void;
  backoff?: BackoffOptions;
}

export interface Sinks {
  readonly sinks: readonly Sink[];
  /** Queue alerts (durably) and try to deliver everything due. Never rejects for a delivery failure: it is retried. */
  deliver(alerts: readonly DeliverableAlert[]): Promise<void>;
  /** Deliver everything due now. */
  flush(): Promise<FlushResult>;
  /** Rows waiting for delivery. */
  pending(): Promise<number>;
  /** Put dead rows (of one sink, or all) back in the queue; returns how many. */
  retryDead(sink?: string): Promise<number>;
  list(filter?: { status?: OutboxStatus; sink?: string; alertId?: string; limit?: number }): Promise<OutboxRow[]>;
  /** Flush every `intervalMs` in the background (timer does not keep the process alive) until `close`. */
  startAutoFlush(intervalMs: number): void;
  /** Stop the timer and wait for a running flush. The store stays open: its owner closes it. */
  close(): Promise<void>;
}

function buildSink(c: SinkConfig, index: number, opts: Required<Pick<CreateSinksOptions, 'clock' | 'fetch' | 'stdout' | 'env'>>): Sink {
  const field = `sinks[${index}]`;
  switch (c.type) {
    case 'stdout':
      return createStdoutSink(c, opts.stdout);
    case 'file':
      return createFileSink(c);
    case 'webhook': {
      const secret = resolveSecret(c.secret, c.secret_env, opts.env, `${field}.secret_env`);
      return createWebhookSink(c, secret, { fetch: opts.fetch, clock: opts.clock });
    }
    case 'slack': {
      const url = resolveSecret(c.webhook_url, c.webhook_url_env, opts.env, `${field}.webhook_url_env`);
      if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
        // Say which variable is wrong without echoing its (secret) content.
        throw new Error(`${field}.webhook_url_env: ${c.webhook_url_env} does not hold an http(s) URL`);
      }
      return createSlackSink(c, url, { fetch: opts.fetch });
    }
  }
}

/**
 * Validate the sink configs, resolve their secrets and put the durable outbox (`store`) in front of them. Throws
 * `SinkConfigError` for bad configuration.
 *
 * @example
 * const store = await openSqliteStore('gridwatch.db');
 * const sinks = createSinks(config.sinks, store.outboxStore(), { log: (m) => console.error(m) });
 * sinks.startAutoFlush(30_000);
 * await sinks.deliver(newAlerts);
 */
export function createSinks(
  configs: readonly SinkConfigInput[],
  store: OutboxStore,
  opts: CreateSinksOptions = {},
): Sinks {
  const parsed = parseSinkConfigs(configs);
  const deps = {
    clock: opts.clock ?? Date.now,
    fetch: opts.fetch ?? globalThis.fetch,
    stdout: opts.stdout ?? process.stdout,
    env: opts.env ?? process.env,
  };
  const sinks = parsed.map((c, i) => buildSink(c, i, deps));
  const outbox = new Outbox(store, sinks, { backoff: opts.backoff, log: opts.log });
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const flush = (): Promise<FlushResult> => outbox.flush(deps.clock());

  return {
    sinks,
    async deliver(alerts) {
      if (closed) throw new Error('sinks are closed');
      await outbox.enqueue(alerts, deps.clock());
      await flush();
    },
    flush,
    pending: () => outbox.pending(),
    retryDead: (sink) => outbox.retryDead(deps.clock(), sink),
    list: (filter) => outbox.list(filter),
    startAutoFlush(intervalMs) {
      if (timer || closed) return;
      timer = setInterval(() => {
        flush().catch((e: unknown) => opts.log?.(`outbox flush failed: ${(e as Error).message}`));
      }, intervalMs);
      timer.unref();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      await outbox.idle();
    },
  };
}

export { sinkName };
