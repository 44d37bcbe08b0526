import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookSink, signWebhookBody, verifyWebhookSignature, webhookBody } from './webhook.ts';
import { alert, startReceiver, type Receiver } from './test-support.ts';

const SECRET = 'test-secret-0123456789';
const NOW = Date.UTC(2024, 4, 1, 12, 10, 0);

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>"', () => {
    // Reference value computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac test-secret-0123456789
    expect(signWebhookBody(SECRET, 1700000000, '{"a":1}')).toBe('sha256=6e873f59dc6002f6de5f578e9bf3f90a7906473a2924651d6f4cc33d61aff598');
    expect(signWebhookBody(SECRET, 1700000000, '{"a":1}')).toBe(signWebhookBody(SECRET, '1700000000', '{"a":1}'));
    expect(signWebhookBody(SECRET, 1700000000, '{"a":1}')).not.toBe(signWebhookBody(SECRET, 1700000001, '{"a":1}'));
  });

  it('verifies, and rejects tampering, stale timestamps and malformed headers', () => {
    const body = '{"a":1}';
    const sig = signWebhookBody(SECRET, 1700000000, body);
    const opts = { nowSec: 1700000100 };
    expect(verifyWebhookSignature(SECRET, '1700000000', sig, body, opts)).toBe(true);
    expect(verifyWebhookSignature(SECRET, '1700000000', sig, '{"a":2}', opts)).toBe(false);
    expect(verifyWebhookSignature('another-secret-000000', '1700000000', sig, body, opts)).toBe(false);
    expect(verifyWebhookSignature(SECRET, '1700000001', sig, body, opts)).toBe(false); // timestamp is signed
    expect(verifyWebhookSignature(SECRET, '1700000000', sig, body, { nowSec: 1700001000 })).toBe(false); // too old
    expect(verifyWebhookSignature(SECRET, undefined, sig, body, opts)).toBe(false);
    expect(verifyWebhookSignature(SECRET, '1700000000', 'sha256=00', body, opts)).toBe(false);
    expect(verifyWebhookSignature(SECRET, 'abc', sig, body, opts)).toBe(false);
  });
});

describe('webhook sink against a loopback receiver', () => {
  let rx: Receiver;
  beforeEach(async () => {
    rx = await startReceiver();
  });
  afterEach(() => rx.close());

  it('POSTs signed JSON the receiver can verify', async () => {
    const sink = createWebhookSink(
      { type: 'webhook', url: rx.url, secret: SECRET, headers: { 'X-Tenant': 'acme', 'x-gridwatch-signature': 'forged', 'content-type': 'text/plain' } },
      SECRET,
      { fetch, clock: () => NOW },
    );
    await sink.send(alert(), 'delivery-1');
    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-tenant']).toBe('acme');
    expect(req.headers['x-gridwatch-timestamp']).toBe(String(NOW / 1000));
    expect(req.headers['x-gridwatch-delivery']).toBe('delivery-1');
    expect(verifyWebhookSignature(SECRET, req.headers['x-gridwatch-timestamp'], req.headers['x-gridwatch-signature'], req.body, { nowSec: NOW / 1000 })).toBe(true);
    expect(req.body).toBe(webhookBody(alert(), 'delivery-1'));
    expect(JSON.parse(req.body)).toEqual({ kind: 'gridwatch.alert', delivery_id: 'delivery-1', alert: alert() });
  });

  it('rejects on non-2xx with the status, and on timeout, without leaking the secret', async () => {
    const sink = createWebhookSink({ type: 'webhook', url: rx.url, secret: SECRET, timeout_ms: 200 }, SECRET, { fetch, clock: () => NOW });
    rx.mode = 500;
    await expect(sink.send(alert(), 'd')).rejects.toThrow('HTTP 500: receiver failure');
    rx.mode = 302;
    await expect(sink.send(alert(), 'd')).rejects.toThrow(/HTTP 302/); // redirects are not followed
    rx.mode = 'hang';
    const t0 = Date.now();
    const err = await sink.send(alert(), 'd').catch((e: Error) => e);
    expect((err as Error).message).toBe('timed out after 200 ms');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('reports a refused connection', async () => {
    const url = rx.url;
    await rx.close();
    const sink = createWebhookSink({ type: 'webhook', url, secret: SECRET }, SECRET, { fetch, clock: () => NOW });
    await expect(sink.send(alert(), 'd')).rejects.toThrow(/ECONNREFUSED/);
    rx = await startReceiver();
  });

  it('describes itself without the secret or path', () => {
    const sink = createWebhookSink({ type: 'webhook', name: 'siem', url: 'https://siem.example/hooks/abc', secret: SECRET }, SECRET, { fetch, clock: () => NOW });
    expect(sink.describe()).toBe('webhook siem → siem.example');
  });
});
