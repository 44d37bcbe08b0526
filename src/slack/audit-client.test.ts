import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, AuthError, InvalidCursorError, RequestError, TransientError } from './errors.ts';
import { client, closedPort, json, PAGE, serve, TOKEN } from './test-helpers.ts';

describe('audit client requests', () => {
  it('sends every filter, URL-encodes the cursor and authenticates with a bearer token', async () => {
    const s = await serve((_q, res) => json(res, 200, PAGE));
    const { c } = client(s.baseUrl);
    const page = await c.getLogs({ oldest: 1, latest: 2, limit: 100, action: 'a,b', actor: 'W1', entity: 'C1', cursor: 'dXNl+cjpV/a==' });
    const url = new URL(s.requests[0]!.url, 'http://x');
    expect(url.pathname).toBe('/audit/v1/logs');
    expect(s.requests[0]!.url).toContain('cursor=dXNl%2BcjpV%2Fa%3D%3D');
    expect(Object.fromEntries(url.searchParams)).toEqual({ oldest: '1', latest: '2', limit: '100', action: 'a,b', actor: 'W1', entity: 'C1', cursor: 'dXNl+cjpV/a==' });
    expect(s.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(s.requests[0]!.headers.accept).toBe('application/json');
    expect(page.nextCursor).toBe('');
    expect(page.entries.map((e) => e.raw)).toEqual(JSON.parse(PAGE).entries.map((e: unknown) => JSON.stringify(e)));
  });

  it('keeps the exact text of each entry and reads next_cursor (null and missing mean done)', async () => {
    const raw1 = '{ "id" : "x1", "date_create": 1700000000, "action":"file_downloaded", "n": 1.0e2, "u":"\\u00e9 é" }';
    const bodies = [
      `{"entries":[${raw1}], "response_metadata": {"next_cursor":"abc="}}`,
      '{"entries":[],"response_metadata":{"next_cursor":null}}',
      '{"entries":[]}',
    ];
    const s = await serve((_q, res, n) => json(res, 200, bodies[n - 1]!));
    const { c } = client(s.baseUrl);
    const p1 = await c.getLogs({});
    expect(p1.entries).toEqual([{ raw: raw1, index: 0 }]);
    expect(p1.nextCursor).toBe('abc=');
    expect((await c.getLogs({})).nextCursor).toBe('');
    expect((await c.getLogs({})).nextCursor).toBe('');
  });

  it('reads /actions and /schemas', async () => {
    const s = await serve((q, res) =>
      q.url!.endsWith('/actions') ? json(res, 200, { actions: { user: ['user_login'] } }) : json(res, 200, { schemas: [{ type: 'user' }] }),
    );
    const { c } = client(s.baseUrl);
    expect(await c.getActions()).toEqual({ user: ['user_login'] });
    expect(await c.getSchemas()).toEqual([{ type: 'user' }]);
  });
});

describe('audit client retries', () => {
  it('retries 500s with capped exponential full-jitter backoff', async () => {
    const s = await serve((_q, res, n) => (n <= 3 ? json(res, 500, { ok: false, error: 'internal_error' }) : json(res, 200, PAGE)));
    const { c, t } = client(s.baseUrl, { backoff: { baseMs: 100, capMs: 250 } });
    const page = await c.getLogs({ oldest: 1 });
    expect(page.entries).toHaveLength(2);
    expect(s.requests).toHaveLength(4);
    // random 0.5 × min(250, 100·2^n) (the fourth call also waits for the budget's even spacing, after a burst of 3)
    expect(t.events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []))).toEqual([50, 100, 125]);
    expect(t.events.filter((e) => e.type === 'retry').map((e) => (e as { status?: number }).status)).toEqual([500, 500, 500]);
  });

  it('gives up with TransientError after maxRetries', async () => {
    const s = await serve((_q, res) => json(res, 503, 'Service Unavailable'));
    const { c } = client(s.baseUrl, { maxRetries: 3 });
    const err = await c.getLogs({}).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/HTTP 503/);
    expect(s.requests).toHaveLength(4);
  });

  it('detects truncated and unparseable 200 bodies and retries them', async () => {
    const s = await serve((_q, res, n) => {
      if (n === 1) return json(res, 200, PAGE.slice(0, PAGE.length - 40));
      if (n === 2) return json(res, 200, '<html>gateway</html>');
      if (n === 3) return json(res, 200, '{"response_metadata":{"next_cursor":""}}');
      return json(res, 200, PAGE);
    });
    const { c, t } = client(s.baseUrl);
    const page = await c.getLogs({});
    expect(page.entries).toHaveLength(2);
    const reasons = t.events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason);
    expect(reasons).toEqual([expect.stringMatching(/truncated/), expect.stringMatching(/unparseable/), expect.stringMatching(/no entries/)]);
  });

  it('times out slow responses and retries', async () => {
    const s = await serve((_q, res, n) => {
      if (n === 1) setTimeout(() => json(res, 200, PAGE), 1500);
      else json(res, 200, PAGE);
    });
    const { c, t } = client(s.baseUrl, { timeoutMs: 150 });
    const page = await c.getLogs({});
    expect(page.entries).toHaveLength(2);
    expect(t.events.find((e) => e.type === 'retry')).toMatchObject({ reason: expect.stringMatching(/timed out after 150 ms/) });
  });

  it('times out a body that stalls after the headers', async () => {
    const s = await serve((_q, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(PAGE.slice(0, 30)); // never finished
      } else json(res, 200, PAGE);
    });
    const { c } = client(s.baseUrl, { timeoutMs: 200 });
    expect((await c.getLogs({})).entries).toHaveLength(2);
    expect(s.requests).toHaveLength(2);
  });

  it('honours Retry-After on 429 without using up maxRetries', async () => {
    const s = await serve((_q, res, n) => {
      if (n === 1) return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '3' });
      if (n === 2) return json(res, 429, { ok: false, error: 'rate_limited' }); // no header: 1 s
      if (n === 3) return json(res, 429, 'Too Many Requests', { 'retry-after': '2' });
      return json(res, 200, PAGE);
    });
    const { c, t } = client(s.baseUrl, { maxRetries: 0 });
    expect((await c.getLogs({})).entries).toHaveLength(2);
    expect(t.sleeps).toEqual([3000, 1000, 2000]);
    expect(t.events.filter((e) => e.type === 'rate_limited').map((e) => (e as { consecutive: number }).consecutive)).toEqual([1, 2, 3]);
  });

  it('gives up after too many consecutive 429s', async () => {
    const s = await serve((_q, res) => json(res, 429, { ok: false, error: 'rate_limited' }, { 'retry-after': '1' }));
    const { c } = client(s.baseUrl, { maxRateLimitRetries: 4 });
    const err = await c.getLogs({}).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(s.requests).toHaveLength(5);
  });

  it('keeps to the call budget across retries', async () => {
    const s = await serve((_q, res, n) => (n % 2 === 1 ? json(res, 500, '{}') : json(res, 200, PAGE)));
    const { c, t } = client(s.baseUrl, { budgetPerMinute: 2, backoff: { baseMs: 10, capMs: 10 } });
    const start = t.now;
    await c.getLogs({}); // 2 calls
    await c.getLogs({}); // 2 more: must wait for the window
    expect(s.requests).toHaveLength(4);
    expect(t.now - start).toBeGreaterThanOrEqual(60_000);
    expect(t.events.some((e) => e.type === 'budget_wait')).toBe(true);
  });
});

describe('audit client errors', () => {
  for (const code of AUTH_ERROR_CODES) {
    it(`throws AuthError at once for ${code}`, async () => {
      const status = code === 'missing_authentication' || code === 'invalid_authentication' ? 401 : code === 'not_authed' ? 200 : 403;
      const s = await serve((_q, res) => json(res, status, { ok: false, error: code }));
      const { c, t } = client(s.baseUrl);
      const err = await c.getLogs({}).catch((e) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(/xoxp-/);
      expect(err.message).toMatch(/auditlogs:read|Enterprise/);
      expect(err.message).not.toContain(TOKEN);
      expect(s.requests).toHaveLength(1);
      expect(t.sleeps).toEqual([]);
    });
  }

  it('throws AuthError on a bare 401/403 without a JSON body', async () => {
    const s = await serve((_q, res, n) => json(res, n === 1 ? 401 : 403, 'nope'));
    const { c } = client(s.baseUrl);
    await expect(c.getLogs({})).rejects.toBeInstanceOf(AuthError);
    await expect(c.getLogs({})).rejects.toBeInstanceOf(AuthError);
    expect(s.requests).toHaveLength(2);
  });

  it('maps invalid_cursor, invalid_range and invalid_action', async () => {
    const codes = ['invalid_cursor', 'invalid_range', 'invalid_action'];
    const s = await serve((_q, res, n) => json(res, 400, { ok: false, error: codes[n - 1] }));
    const { c } = client(s.baseUrl);
    await expect(c.getLogs({ cursor: 'x' })).rejects.toBeInstanceOf(InvalidCursorError);
    const r1 = await c.getLogs({}).catch((e) => e);
    expect(r1).toBeInstanceOf(RequestError);
    expect(r1.code).toBe('invalid_range');
    const r2 = await c.getLogs({}).catch((e) => e);
    expect(r2).toBeInstanceOf(RequestError);
    expect(r2.code).toBe('invalid_action');
    expect(s.requests).toHaveLength(3);
  });

  it('never puts the token in errors or events, even for network failures', async () => {
    const s = await serve((q, res) => {
      // A hostile server echoing the token back in its error.
      json(res, 400, { ok: false, error: `bad ${q.headers.authorization}` });
    });
    const { c, t } = client(s.baseUrl);
    const e1 = await c.getLogs({}).catch((e) => e);
    expect(e1).toBeInstanceOf(RequestError);
    expect(`${e1.message} ${e1.stack} ${JSON.stringify(e1)}`).not.toContain(TOKEN);

    // Nothing listens on this port: connection refused, retried briefly, then TransientError.
    const dead = client(`http://127.0.0.1:${await closedPort()}/audit/v1`, { maxRetries: 2 });
    const e2 = await dead.c.getLogs({}).catch((e) => e);
    expect(e2).toBeInstanceOf(TransientError);
    expect(e2.message).toMatch(/connection refused/);
    expect(`${e2.message} ${e2.stack} ${JSON.stringify(e2)}`).not.toContain(TOKEN);
    expect(JSON.stringify([...t.events, ...dead.t.events])).not.toContain(TOKEN);
  });

  it('stops at once when the caller aborts', async () => {
    const s = await serve((_q, res) => setTimeout(() => json(res, 200, PAGE), 5000));
    const { c } = client(s.baseUrl);
    const ac = new AbortController();
    const p = c.getLogs({}, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user stop')), 50);
    await expect(p).rejects.toThrow('user stop');
    expect(s.requests).toHaveLength(1);
  });
});
