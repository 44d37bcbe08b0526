/**
 * Security of the HTTP server, over a real server on loopback and a real store on each backend (SQLite, and PostgreSQL
 * where it can run): login required (401), roles (403 for a viewer changing state), CSRF rejection, login rate
 * limiting, one-time admin password, session expiry, security headers, the app served without login, loopback by
 * default, TLS cookies, and no stack traces.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, createServer, ensureAdmin, type RunningServer } from '../src/server/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { lineLogger } from '../src/util/log.ts';
import { addAccounts, demoStore, TEST_PASSWORD, type DemoFixture } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends('server security')) describe.skipIf(backend.skip)(`server security on ${backend.name}`, () => {
  backend.setup();

  let fx: DemoFixture<OpenedStore>;
  let srv: RunningServer;
  let webDir: string;
  const logs: string[] = [];
  let now = Date.now();
  const clock = { now: () => now };

  interface Session {
    cookie: string;
    csrf: string;
  }

  async function call(method: string, path: string, opts: { s?: Session | null; body?: unknown; csrf?: string | null; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.s) headers.cookie = opts.s.cookie;
    const csrf = opts.csrf === undefined ? opts.s?.csrf : opts.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const r = await fetch(srv.url + path, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
    const text = await r.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: r.status, body, headers: r.headers, text };
  }

  async function login(name: string, password = TEST_PASSWORD): Promise<Session> {
    const r = await call('POST', '/api/v1/auth/login', { body: { name, password } });
    expect(r.status, `login ${name}: ${r.text}`).toBe(200);
    return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: r.body.csrf };
  }

  beforeAll(async () => {
    fx = await demoStore({ users: 20, days: 3, backend });
    await addAccounts(fx.store);
    webDir = mkdtempSync(join(tmpdir(), 'gridwatch-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>gridwatch</title><script type="module" src="/assets/app-abc123.js"></script>');
    writeFileSync(join(webDir, 'assets', 'app-abc123.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
    srv = await createServer({
      store: fx.store,
      port: 0,
      webDir,
      clock,
      log: lineLogger((l) => logs.push(l), { source: 'gridwatch serve', format: 'json', clock }),
      rateLimit: { freeFailures: 3, baseDelayMs: 10_000, maxDelayMs: 40_000, perAddress: 12, windowMs: 60_000 },
      sessions: { idleMs: 3600_000, maxMs: 4 * 3600_000 },
    });
  });

  afterAll(async () => {
    await srv?.close();
    await fx?.cleanup();
    rmSync(webDir, { recursive: true, force: true });
  });

  describe('login required', () => {
    it('answers 401 without a session everywhere but the health check and the app itself', async () => {
      expect((await call('GET', '/api/v1/health')).status).toBe(200);
      for (const p of ['/api/v1/events', '/api/v1/events/x', '/api/v1/alerts', '/api/v1/alerts/x', '/api/v1/users/W1', '/api/v1/users?q=a', '/api/v1/ips/203.0.113.1', '/api/v1/stats/volume', '/api/v1/actions', '/api/v1/reasons', '/api/v1/accounts', '/api/v1/auth/me']) {
        const r = await call('GET', p);
        expect(r.status, p).toBe(401);
        expect(r.body.error.code).toBe('unauthenticated');
      }
      expect((await call('POST', '/api/v1/alerts/x/status', { body: { status: 'resolved' } })).status).toBe(401);
      const forged = await call('GET', '/api/v1/events', { headers: { cookie: 'gw_session=forged-token' } });
      expect(forged.status).toBe(401);
    });

    it('serves the app without login, with caching and security headers', async () => {
      const index = await call('GET', '/detections?status=open');
      expect(index.status).toBe(200);
      expect(index.text).toContain('<title>gridwatch</title>');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      const csp = index.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(index.headers.get('x-content-type-options')).toBe('nosniff');
      expect(index.headers.get('x-frame-options')).toBe('DENY');
      expect(index.headers.get('referrer-policy')).toBe('no-referrer');
      const asset = await fetch(`${srv.url}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect(asset.headers.get('content-type')).toContain('javascript');
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      const etag = asset.headers.get('etag')!;
      expect((await fetch(`${srv.url}/assets/app-abc123.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await call('GET', '/assets/missing.js')).status).toBe(404);
      expect((await call('GET', '/../../etc/passwd')).text).not.toContain('root:');
      const api = await call('GET', '/api/v1/health');
      expect(api.headers.get('content-security-policy')).toBeTruthy();
      expect(api.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('sessions and CSRF', () => {
    it('sets an HttpOnly SameSite=Strict cookie and keeps only a hash of it', async () => {
      const r = await call('POST', '/api/v1/auth/login', { body: { name: 'viewer', password: TEST_PASSWORD } });
      const set = r.headers.get('set-cookie')!;
      expect(set).toMatch(/^gw_session=[\w-]{40,};/);
      expect(set).toContain('HttpOnly');
      expect(set).toContain('SameSite=Strict');
      expect(set).toContain('Path=/');
      const token = set.split(';')[0]!.split('=')[1]!;
      const rows = await backend.exec(fx.store, 'SELECT * FROM web_sessions');
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(r.body.user).toEqual({ name: 'viewer', role: 'viewer', mustChangePassword: false });
      expect(JSON.stringify(r.body)).not.toContain('hash');
    });

    it('refuses state changes without the CSRF token, with a wrong one, cross-origin or not as JSON', async () => {
      const s = await login('responder');
      const alert = (await call('GET', '/api/v1/alerts?limit=1', { s })).body.alerts[0];
      const path = `/api/v1/alerts/${alert.id}/status`;
      const missing = await call('POST', path, { s, csrf: null, body: { status: 'acknowledged' } });
      expect(missing.status).toBe(403);
      expect(missing.body.error.code).toBe('csrf');
      expect((await call('POST', path, { s, csrf: 'x'.repeat(43), body: { status: 'acknowledged' } })).status).toBe(403);
      const other = await login('viewer');
      expect((await call('POST', path, { s, csrf: other.csrf, body: { status: 'acknowledged' } })).status).toBe(403);
      const cross = await call('POST', path, { s, body: { status: 'acknowledged' }, headers: { origin: 'https://evil.example' } });
      expect(cross.status).toBe(403);
      expect((await call('POST', path, { s, body: { status: 'acknowledged' }, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
      const form = await call('POST', path, { s, body: 'status=acknowledged', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
      expect((await call('POST', path, { s, body: { status: 'acknowledged', note: 'x'.repeat(100_000) } })).status).toBe(413);
      const crossLogin = await call('POST', '/api/v1/auth/login', { body: { name: 'viewer', password: TEST_PASSWORD }, headers: { origin: 'https://evil.example' } });
      expect(crossLogin.status).toBe(403);
      const ok = await call('POST', path, { s, body: { status: 'acknowledged', note: 'looking' }, headers: { origin: srv.url } });
      expect(ok.status).toBe(200);
      expect(ok.body.alert).toMatchObject({ status: 'acknowledged', status_note: 'looking', status_by: 'responder' });
    });

    it('ends a session at logout and after the idle timeout', async () => {
      const s = await login('viewer');
      expect((await call('GET', '/api/v1/auth/me', { s })).status).toBe(200);
      expect((await call('POST', '/api/v1/auth/logout', { s })).status).toBe(204);
      expect((await call('GET', '/api/v1/events', { s })).status).toBe(401);
      const t = await login('viewer');
      now += 2 * 3600_000;
      expect((await call('GET', '/api/v1/events', { s: t })).status).toBe(401);
      now = Date.now();
    });
  });

  describe('roles', () => {
    it('lets viewers read but not change alert status; responders may', async () => {
      const viewer = await login('viewer');
      const alert = (await call('GET', '/api/v1/alerts?limit=1', { s: viewer })).body.alerts[0];
      const r = await call('POST', `/api/v1/alerts/${alert.id}/status`, { s: viewer, body: { status: 'resolved' } });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      const responder = await login('responder');
      const bad = await call('POST', `/api/v1/alerts/${alert.id}/status`, { s: responder, body: { status: 'closed' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.param).toBe('status');
      expect((await call('POST', '/api/v1/alerts/al_missing/status', { s: responder, body: { status: 'resolved' } })).status).toBe(404);
      const ok = await call('POST', `/api/v1/alerts/${alert.id}/status`, { s: responder, body: { status: 'false_positive', note: null } });
      expect(ok.body.alert.status).toBe('false_positive');
    });

    it('lets only admins manage accounts, and never removes the last admin', async () => {
      const responder = await login('responder');
      expect((await call('GET', '/api/v1/accounts', { s: responder })).status).toBe(403);
      const admin = await login('admin');
      const created = await call('POST', '/api/v1/accounts', { s: admin, body: { name: 'ana', role: 'viewer' } });
      expect(created.status).toBe(201);
      expect(created.body.password).toMatch(/^[\w-]{20}$/);
      expect((await call('POST', '/api/v1/accounts', { s: admin, body: { name: 'ana', role: 'viewer' } })).status).toBe(409);
      expect((await call('POST', '/api/v1/accounts', { s: admin, body: { name: 'bob', role: 'root' } })).body.error.param).toBe('role');
      const list = (await call('GET', '/api/v1/accounts', { s: admin })).body.accounts;
      expect(JSON.stringify(list)).not.toMatch(/scrypt|password/);
      const ana = list.find((a: any) => a.name === 'ana');
      expect((await call('PATCH', `/api/v1/accounts/${ana.id}`, { s: admin, body: { role: 'responder' } })).body.account.role).toBe('responder');
      const self = list.find((a: any) => a.name === 'admin');
      expect((await call('DELETE', `/api/v1/accounts/${self.id}`, { s: admin })).status).toBe(409);
      expect((await call('DELETE', `/api/v1/accounts/${ana.id}`, { s: admin })).status).toBe(204);
      expect((await call('DELETE', '/api/v1/accounts/99999', { s: admin })).status).toBe(404);
    });
  });

  describe('login protection and first run', () => {
    const tryLogin = (name: string, password: string) => call('POST', '/api/v1/auth/login', { body: { name, password } });
    const logged = () => logs.map((l) => JSON.parse(l));

    it('slows an account down by a doubling, capped delay, never locks it, and refuses even the right password meanwhile', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await tryLogin('responder', `wrong-${i}`);
        expect(r.status).toBe(401);
        expect(r.body.error.message).toBe('wrong name or password');
      }
      const retryAfter: number[] = [];
      for (const step of [10_000, 20_000, 40_000, 40_000]) {
        const blocked = await tryLogin('responder', TEST_PASSWORD);
        expect(blocked.status).toBe(429);
        retryAfter.push(Number(blocked.headers.get('retry-after')));
        now += step;
        expect((await tryLogin('responder', 'wrong-again')).status).toBe(401);
      }
      expect(retryAfter).toEqual([10, 20, 40, 40]);
      expect((await tryLogin('nobody', 'x')).body.error.message).toBe('wrong name or password');
      now += 40_000;
      expect((await tryLogin('responder', TEST_PASSWORD)).status).toBe(200); // after the delay: no lockout
      expect((await tryLogin('responder', 'wrong-once')).status).toBe(401); // a success started the count afresh
      expect((await tryLogin('responder', TEST_PASSWORD)).status).toBe(200);
      const failed = logged().filter((l) => l.msg === 'login failed' && l.name === 'responder');
      expect(failed).toHaveLength(8);
      expect(failed.at(-2)).toMatchObject({ reason: 'wrong password', address: expect.any(String), failures: 7, next_try_after_s: 40 });
      expect(logged().find((l) => l.msg === 'login failed' && l.name === 'nobody')?.reason).toBe('unknown name');
      expect(logged().filter((l) => l.msg === 'login throttled' && l.name === 'responder').map((l) => l.retry_after_s)).toEqual([10, 20, 40, 40]);
      expect(logs.join('\n')).not.toContain(TEST_PASSWORD);
      expect(logs.join('\n')).not.toContain('wrong-0');
      now += 61_000;
    });

    it('limits guessing from one address over all names; a success forgives only its own name', async () => {
      for (let i = 0; i < 10; i++) expect((await tryLogin(`guess-${i}`, 'x')).status).toBe(401);
      expect((await tryLogin('viewer', 'typo')).status).toBe(401);
      expect((await tryLogin('viewer', TEST_PASSWORD)).status).toBe(200); // 11 failures, 1 of them the viewer's own
      expect((await tryLogin('guess-10', 'x')).status).toBe(401);
      expect((await tryLogin('guess-11', 'x')).status).toBe(401); // 12 guesses at others: the address is at its limit
      const blocked = await tryLogin('admin', TEST_PASSWORD);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      now += 61_000;
      expect((await tryLogin('admin', TEST_PASSWORD)).status).toBe(200);
    });

    it('throttles and logs wrong current passwords on a password change the same way', async () => {
      await new Accounts(fx.store.accountStore()).create({ name: 'pat', role: 'viewer', password: TEST_PASSWORD });
      const s = await login('pat');
      const change = (current: string) => call('POST', '/api/v1/auth/password', { s, body: { current, password: 'a brand new passphrase' } });
      for (let i = 0; i < 3; i++) expect((await change(`not-it-${i}`)).status).toBe(403);
      const blocked = await change(TEST_PASSWORD);
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('retry-after')).toBe('10');
      expect((await tryLogin('pat', TEST_PASSWORD)).status).toBe(429); // the same account's password, the same count
      const failed = logged().filter((l) => l.msg === 'password change failed' && l.name === 'pat');
      expect(failed.map((l) => l.failures)).toEqual([1, 2, 3]);
      expect(logs.join('\n')).not.toContain('not-it-');
      now += 10_000;
      expect((await change(TEST_PASSWORD)).status).toBe(200);
      now += 61_000;
    });

    it('logs a forged login name as a field, so it cannot add a line of its own', async () => {
      const forged = 'x\ngridwatch serve: login ok for "admin1" (admin) from 10.0.0.1';
      expect((await tryLogin(forged, 'x')).status).toBe(401);
      const lines = logs.join('\n').split('\n');
      expect(lines.every((l) => l.startsWith('{"time":'))).toBe(true);
      expect(logged().find((l) => l.msg === 'login failed' && l.name === forged)).toBeTruthy();
      now += 61_000;
    });

    it('creates the first admin with a one-time password that must be replaced', async () => {
      const other = await demoStore({ users: 5, days: 1, detect: false, backend });
      try {
        const pw = await ensureAdmin(other.store.accountStore());
        expect(pw).toMatch(/^[\w-]{20}$/);
        expect(await ensureAdmin(other.store.accountStore())).toBeNull();
        const s2 = await createServer({ store: other.store, port: 0, log: () => {} });
        try {
          const post = (path: string, body: unknown, h: Record<string, string> = {}) =>
            fetch(s2.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify(body) });
          const r = await post('/api/v1/auth/login', { name: 'admin', password: pw });
          const me = await r.json();
          expect(me.user.mustChangePassword).toBe(true);
          const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
          const blocked = await fetch(`${s2.url}/api/v1/events`, { headers: { cookie } });
          expect(blocked.status).toBe(403);
          expect((await blocked.json()).error.code).toBe('password_change_required');
          const short = await post('/api/v1/auth/password', { current: pw, password: 'short' }, { cookie, 'x-csrf-token': me.csrf });
          expect(short.status).toBe(400);
          const changed = await post('/api/v1/auth/password', { current: pw, password: 'a much better passphrase' }, { cookie, 'x-csrf-token': me.csrf });
          expect(changed.status).toBe(200);
          const fresh = changed.headers.get('set-cookie')!.split(';')[0]!;
          expect((await fetch(`${s2.url}/api/v1/events`, { headers: { cookie } })).status).toBe(401);
          expect((await fetch(`${s2.url}/api/v1/events`, { headers: { cookie: fresh } })).status).toBe(200);
          expect((await post('/api/v1/auth/login', { name: 'admin', password: pw })).status).toBe(401);
        } finally {
          await s2.close();
        }
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('listening', () => {
    it('refuses a non-loopback address unless told, and never leaks a stack trace', async () => {
      await expect(createServer({ store: fx.store, host: '0.0.0.0', port: 0, log: () => {} })).rejects.toThrow(/--allow-remote/);
      const broken = Object.create(fx.store, { queryEvents: { value: async () => { throw new Error('boom in /secret/path/store.ts:12'); } } });
      const seen: string[] = [];
      const s2 = await createServer({ store: broken, port: 0, log: lineLogger((l) => seen.push(l), { source: 'test', format: 'text' }) });
      try {
        const s = await fetch(`${s2.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', password: TEST_PASSWORD }) });
        const cookie = s.headers.get('set-cookie')!.split(';')[0]!;
        const r = await fetch(`${s2.url}/api/v1/events`, { headers: { cookie } });
        expect(r.status).toBe(500);
        const text = await r.text();
        expect(text).not.toMatch(/boom|secret|\.ts:|at /);
        expect(seen.join('\n')).toContain('boom');
      } finally {
        await s2.close();
      }
    });

    it('serves HTTPS with Secure __Host- cookies and HSTS when given a certificate', async (ctx) => {
      const dir = mkdtempSync(join(tmpdir(), 'gridwatch-tls-'));
      try {
        const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
          '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
        if (r.status !== 0) ctx.skip();
        const s2 = await createServer({ store: fx.store, port: 0, log: () => {}, tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
        try {
          expect(s2.url).toMatch(/^https:/);
          const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
            const body = JSON.stringify({ name: 'viewer', password: TEST_PASSWORD });
            const req = httpsRequest(`${s2.url}/api/v1/auth/login`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
            });
            req.on('error', reject);
            req.end(body);
          });
          expect(res.status).toBe(200);
          const cookie = String(res.headers['set-cookie']);
          expect(cookie).toMatch(/^__Host-gw_session=/);
          expect(cookie).toContain('Secure');
          expect(res.headers['strict-transport-security']).toContain('max-age=');
        } finally {
          await s2.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
