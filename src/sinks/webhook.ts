/**
 * Generic webhook sink: POSTs each alert as JSON, signed so the receiver can check it came from gridwatch and was
 * not replayed.
 *
 * Wire format:
 * - Body: `{"kind":"gridwatch.alert","delivery_id":"<id>","alert":{...}}`. `delivery_id` is the same on every retry of
 *   one alert version to one sink: receivers should drop a `delivery_id` they have already accepted (delivery is at
 *   least once: a crash between the receiver's 2xx and our commit resends).
 * - `X-Gridwatch-Timestamp`: Unix seconds when this attempt was signed.
 * - `X-Gridwatch-Signature`: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, computed over the exact body
 *   bytes. Like Slack's own request signing (`v0:<ts>:<body>`), the timestamp is inside the signed string so an
 *   old request cannot be replayed with a fresh timestamp; receivers should reject timestamps more than 5 minutes
 *   away from their clock (`verifyWebhookSignature` does).
 * - `X-Gridwatch-Delivery`: the delivery id again, for receivers that dedupe before parsing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookSinkConfig } from './config.ts';
import { postWithTimeout, type FetchLike } from './http.ts';
import type { Clock, DeliverableAlert, Sink } from './types.ts';

export const SIGNATURE_HEADER = 'X-Gridwatch-Signature';
export const TIMESTAMP_HEADER = 'X-Gridwatch-Timestamp';
export const DELIVERY_HEADER = 'X-Gridwatch-Delivery';
const DEFAULT_TIMEOUT_MS = 10_000;
const RESERVED = new Set(['content-type', 'user-agent', SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER].map((h) => h.toLowerCase()));

/**
 * The signature header value for a body sent at `timestamp` (Unix seconds).
 *
 * @example
 * signWebhookBody('s3cret-s3cret-s3cret', 1700000000, '{"a":1}') // 'sha256=5f0c…'
 */
export function signWebhookBody(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Check a received webhook (for receivers and tests): signature over `<timestamp>.<body>`, compared in constant time,
 * and a timestamp within `toleranceSec` of `nowSec`.
 *
 * @example
 * const ok = verifyWebhookSignature(secret, req.headers['x-gridwatch-timestamp'], req.headers['x-gridwatch-signature'], rawBody);
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | string[] | undefined,
  signature: string | string[] | undefined,
  body: string,
  opts: { nowSec?: number; toleranceSec?: number } = {},
): boolean {
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * The body sent for one delivery (exported so tests and receivers can reproduce it).
 *
 * @example
 * webhookBody(alert, 'd-42') // '{"kind":"gridwatch.alert","delivery_id":"d-42","alert":{...}}'
 */
export function webhookBody(alert: DeliverableAlert, deliveryId: string): string {
  return JSON.stringify({ kind: 'gridwatch.alert', delivery_id: deliveryId, alert });
}

/**
 * Create a webhook sink. `secret` is the resolved signing secret (see `resolveSecret`).
 *
 * @example
 * const sink = createWebhookSink(cfg, secret, { fetch, clock: Date.now });
 * await sink.send(alert, 'delivery-1');
 */
export function createWebhookSink(cfg: WebhookSinkConfig, secret: string, deps: { fetch: FetchLike; clock: Clock }): Sink {
  const name = cfg.name ?? 'webhook';
  const host = new URL(cfg.url).host;
  return {
    name,
    type: 'webhook',
    minSeverity: cfg.min_severity,
    describe: () => `webhook ${name} → ${host}`,
    async send(alert, deliveryId) {
      const body = webhookBody(alert, deliveryId);
      const ts = Math.floor(deps.clock() / 1000);
      // Configured headers may not override (in any letter case) the content type or the signing headers.
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(cfg.headers ?? {})) if (!RESERVED.has(k.toLowerCase())) headers[k] = v;
      Object.assign(headers, {
        'Content-Type': 'application/json',
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: signWebhookBody(secret, ts, body),
        [DELIVERY_HEADER]: deliveryId,
        'User-Agent': 'gridwatch-webhook/1',
      });
      await postWithTimeout({ url: cfg.url, body, headers, timeoutMs: cfg.timeout_ms ?? DEFAULT_TIMEOUT_MS, fetch: deps.fetch, redact: [secret] });
    },
  };
}
