/**
 * What the client does with faults: counts the ones it heals, and fails at once (naming SLACK_AUDIT_URL) on a
 * configuration that can never work instead of retrying it for a minute.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditClient } from './audit-client.ts';
import { EndpointError, TransientError } from './errors.ts';
import { client, closedPort, json, PAGE, serve, TOKEN } from './test-helpers.ts';

/** A self-signed certificate (test only; valid until 2126) for a TLS server the client must refuse to trust. */
const SELF_SIGNED = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeLfM8TDg5aSqZEZg
bAcGhWSdYzwhrgPSHRgmeYnugQqhRANCAAQyMK47FQ+qMJsriXcVEFrPnNZJvrPq
RsKP8wMaFDxwWaC5QqnE9xVUJdC93nL5+dmophRx8ahiaotfLkJo6EUa
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIULYVE2FqcEBXRtP+i7QVea8p+IKAwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOZ3JpZHdhdGNoLXRlc3QwIBcNMjYxMjA0MDUyNDEwWhgPMjEy
NjExMTAwNTI0MTBaMBkxFzAVBgNVBAMMDmdyaWR3YXRjaC10ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEMjCuOxUPqjCbK4l3FRBaz5zWSb6z6kbCj/MDGhQ8
cFmguUKpxPcVVCXQvd5y+fnZqKYUcfGoYmqLXy5CaOhFGqNTMFEwHQYDVR0OBBYE
FNBXZhSHsBtdrR1ij7ezzlsyy1sSMB8GA1UdIwQYMBaAFNBXZhSHsBtdrR1ij7ez
zlsyy1sSMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgO1/L40T3
aNJj/DNGdiIDNiYSG0LmLd3ZK0uCNe0zhsUCIHeuj53SUGyuvQ2EZz6kbG+JYsr+
NB2pUK4quDjlC85q
-----END CERTIFICATE-----
`,
};

const closers: Array<() => void> = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

/** The message is one line, names the setting to fix, and never carries the token. */
function expectSettingNamed(err: Error) {
  expect(err.message).toContain('SLACK_AUDIT_URL');
  expect(err.message).not.toContain('\n');
  expect(err.message).not.toContain(TOKEN);
}

describe('audit client fault counts', () => {
  it('counts retries, 429s, 5xx and truncated bodies, and only what happened', async () => {
    const s = await serve((_q, res, n) => {
      if (n === 1) return json(res, 500, { ok: false, error: 'internal_error' });
      if (n === 2) return json(res, 429, { ok: false, error: 'rate_limited' }, { 'retry-after': '1' });
      if (n === 3) return json(res, 200, PAGE.slice(0, 50));
      if (n === 4) return json(res, 200, { ok: false, error: 'service_unavailable' });
      if (n === 5) return json(res, 503, 'Service Unavailable');
      return json(res, 200, PAGE);
    });
    const { c } = client(s.baseUrl);
    expect(c.faultCounts!()).toEqual({ retries: 0, rate_limited: 0, server_errors: 0, truncated: 0 });
    await c.getLogs({});
    expect(c.faultCounts!()).toEqual({ retries: 5, rate_limited: 1, server_errors: 3, truncated: 1 });
    await c.getLogs({}); // a clean page adds nothing
    expect(c.faultCounts!()).toEqual({ retries: 5, rate_limited: 1, server_errors: 3, truncated: 1 });
  });
});

describe('audit client: errors that cannot heal fail at once', () => {
  it('a malformed URL or a scheme other than http(s) is refused when the client is made', () => {
    for (const url of ['http://127.0.0.1:999999/audit/v1', 'not a url', 'ftp://example.com/audit/v1']) {
      let err: unknown;
      try {
        createAuditClient({ baseUrl: url, token: TOKEN });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EndpointError);
      expectSettingNamed(err as Error);
    }
  });

  it('an unknown host (ENOTFOUND) is not retried', async () => {
    const { c, t } = client('http://gridwatch-no-such-host.invalid/audit/v1');
    const err = await c.getLogs({}).catch((e) => e);
    expect(err).toBeInstanceOf(EndpointError);
    expect(err.message).toMatch(/unknown host gridwatch-no-such-host\.invalid/);
    expectSettingNamed(err);
    expect(t.sleeps).toEqual([]);
    expect(t.events.filter((e) => e.type === 'request')).toHaveLength(1);
  });

  it('a certificate the client does not trust, and https to a plain HTTP port, are not retried', async () => {
    const tls = createHttpsServer(SELF_SIGNED, (_q, res) => json(res, 200, PAGE));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    closers.push(() => tls.close());
    const plain = await serve((_q, res) => json(res, 200, PAGE));
    for (const url of [`https://127.0.0.1:${(tls.address() as AddressInfo).port}/audit/v1`, plain.baseUrl.replace('http:', 'https:')]) {
      const { c, t } = client(url);
      const err = await c.getLogs({}).catch((e) => e);
      expect(err).toBeInstanceOf(EndpointError);
      expect(err.message).toMatch(/TLS failed/);
      expectSettingNamed(err);
      expect(t.sleeps).toEqual([]);
    }
    expect(plain.requests).toHaveLength(0);
  });

  it('a refused connection gets a short retry (1 s, then 2 s), not a minute, then names the setting', async () => {
    const { c, t } = client(`http://127.0.0.1:${await closedPort()}/audit/v1`);
    const err = await c.getLogs({}).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('ECONNREFUSED');
    expectSettingNamed(err);
    expect(t.sleeps).toEqual([1000, 2000]);
    expect(t.events.filter((e) => e.type === 'request')).toHaveLength(3);
  });

  it('a proxy that comes back within the short retry heals', async () => {
    const port = await closedPort();
    let n = 0;
    const c = createAuditClient({
      baseUrl: `http://127.0.0.1:${port}/audit/v1`,
      token: TOKEN,
      // The first wait is when the proxy restarts: it listens again on the same port before the retry.
      sleep: async () => {
        if (n++ > 0) return;
        const { createServer } = await import('node:http');
        const srv = createServer((_q, res) => json(res, 200, PAGE));
        await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
        closers.push(() => {
          srv.closeAllConnections();
          srv.close();
        });
      },
    });
    expect((await c.getLogs({})).entries).toHaveLength(2);
    expect(c.faultCounts!().retries).toBe(1);
  });
});
