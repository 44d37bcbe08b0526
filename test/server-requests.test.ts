/**
 * What the server answers before any route runs, over a real server on loopback with an empty store on each backend
 * (SQLite, and PostgreSQL where it can run): deep links of the app load it (even when they look like file names),
 * malformed paths get a 4xx with the security headers, and only the configured host names are served (DNS rebinding).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, withServeOptions, type UiOptions } from '../src/cli/commands/serve.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { rawRequest } from './server-fixtures.ts';
import { storeBackends } from './store-backends.ts';

for (const backend of storeBackends('the request checks')) describe.skipIf(backend.skip)(`request checks on ${backend.name}`, () => {
  backend.setup();

  let dir: string;
  let store: OpenedStore;
  let srv: RunningServer;

  const raw = (server: RunningServer, path: string, host?: string) => rawRequest(server.port, path, host);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridwatch-requests-'));
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>gridwatch</title>');
    writeFileSync(join(web, 'assets', 'app-abc123.js'), 'export {};');
    writeFileSync(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    store = await backend.open();
    srv = await createServer({ store, port: 0, webDir: web, log: () => {} });
  });

  afterAll(async () => {
    await srv?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('deep links', () => {
    it('loads the app for every app route, even when its last segment looks like a file name', async () => {
      for (const p of ['/ips/203.0.113.77', '/users/matt@example.com', '/users/matt%40example.com', '/ips/2001:db8::1', '/users/W123', '/detections?status=open', '/nowhere.77']) {
        const r = await raw(srv, p);
        expect(r.status, p).toBe(200);
        expect(r.body, p).toContain('<title>gridwatch</title>');
      }
    });

    it('answers 404 for a missing asset, and serves the real ones', async () => {
      for (const p of ['/assets/missing.js', '/assets/deep/x.css', '/favicon.ico', '/robots.txt']) expect((await raw(srv, p)).status, p).toBe(404);
      expect((await raw(srv, '/assets/app-abc123.js')).body).toBe('export {};');
      expect((await raw(srv, '/favicon.svg')).status).toBe(200);
    });
  });

  describe('malformed paths', () => {
    it('answers a backslash path 400 with the security headers, never 500', async () => {
      for (const p of ['/a\\b', '/api/v1/a\\b', '/ips\\..\\..\\etc\\passwd']) {
        const r = await raw(srv, p);
        expect(r.status, p).toBe(400);
        expect(r.headers['content-security-policy'], p).toContain("default-src 'none'");
        expect(r.headers['x-content-type-options'], p).toBe('nosniff');
        expect(JSON.parse(r.body).error.code).toBe('bad_request');
      }
    });
  });

  describe('NUL characters', () => {
    it('answers a NUL (%00) in an API path, query or JSON body 400 naming where, never 500 (PostgreSQL text cannot hold one)', async () => {
      for (const [p, where] of [['/api/v1/users/a%00b', 'path'], ['/api/v1/events?actor=a%00b', 'actor'], ['/api/v1/events?q=%00', 'q']]) {
        const r = await raw(srv, p!);
        expect(r.status, p).toBe(400);
        expect(JSON.parse(r.body).error.message, p).toBe(`invalid parameter "${where}": must not contain NUL characters (U+0000)`);
      }
      const login = await rawRequest(srv.port, '/api/v1/auth/login', undefined, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin\u0000', password: 'x' }),
      });
      expect(login.status).toBe(400);
      expect(JSON.parse(login.body).error.message).toBe('invalid parameter "name": must not contain NUL characters (U+0000)');
    });
  });

  describe('host names', () => {
    it('serves loopback names with the port and refuses any other Host with 421 and a clear message', async () => {
      for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, `LOCALHOST:${srv.port}`, `[::1]:${srv.port}`]) {
        expect((await raw(srv, '/api/v1/health', host)).status, host).toBe(200);
      }
      for (const host of [`evil.example:${srv.port}`, 'evil.example', `localhost:${srv.port + 1}`, `127.0.0.1.evil.example:${srv.port}`]) {
        const r = await raw(srv, '/api/v1/health', host);
        expect(r.status, host).toBe(421);
        expect(r.headers['content-security-policy'], host).toBeTruthy();
        const err = JSON.parse(r.body).error;
        expect(err.code).toBe('misdirected_request');
        expect(err.message).toContain('--allowed-host');
      }
      expect((await raw(srv, '/ips/203.0.113.77', `evil.example:${srv.port}`)).body).not.toContain('<title>');
    });

    it('also serves the host of --public-url and each --allowed-host, and rejects a malformed one', async () => {
      const s2 = await createServer({ store, port: 0, log: () => {}, publicUrl: 'https://GW.example.com/', allowedHosts: ['alt.example:9000', '10.1.2.3'] });
      try {
        for (const host of ['gw.example.com', 'gw.example.com:443', 'alt.example:9000', '10.1.2.3:8080', `localhost:${s2.port}`]) {
          expect((await raw(s2, '/api/v1/health', host)).status, host).toBe(200);
        }
        for (const host of ['alt.example:9001', 'alt.example', 'example.com', 'evil.example']) expect((await raw(s2, '/api/v1/health', host)).status, host).toBe(421);
        // Behind a TLS proxy the browser's Origin is the public URL's: a login from there is not cross-origin.
        const login = (origin: string) =>
          rawRequest(s2.port, '/api/v1/auth/login', 'gw.example.com', { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"name":"nobody","password":"x"}' });
        expect((await login('https://gw.example.com')).status).toBe(401);
        expect(JSON.parse((await login('https://evil.example')).body).error.code).toBe('csrf');
      } finally {
        await s2.close();
      }
      await expect(createServer({ store, port: 0, log: () => {}, allowedHosts: ['bad host'] })).rejects.toThrow(/--allowed-host/);
      await expect(createServer({ store, port: 0, log: () => {}, publicUrl: 'gw.example.com' })).rejects.toThrow(/--public-url/);
    });
  });

  describe('gridwatch serve / run flags', () => {
    it('take --public-url and repeated --allowed-host, serve those hosts, and log JSON lines a forged name cannot break', async () => {
      const cmd = withServeOptions(new Command('serve')).exitOverride();
      cmd.parse(['--port', '0', '--public-url', 'https://gw.example.com/', '--allowed-host', 'a.example', '--allowed-host', 'b.example:9000'], { from: 'user' });
      const o = cmd.opts<UiOptions>();
      expect(o).toMatchObject({ publicUrl: 'https://gw.example.com/', allowedHost: ['a.example', 'b.example:9000'] });
      const out = new PassThrough();
      const err = new PassThrough(); // a pipe, not a terminal: JSON lines
      let stderr = '';
      err.on('data', (d) => (stderr += d));
      const ui = await startUi(store, o, out, err);
      try {
        for (const host of ['gw.example.com', 'a.example', 'b.example:9000', `localhost:${ui.port}`]) expect((await raw(ui, '/api/v1/health', host)).status, host).toBe(200);
        expect((await raw(ui, '/api/v1/health', 'c.example')).status).toBe(421);
        const forged = 'x\ngridwatch serve: login ok for "admin1" (admin) from 10.0.0.1';
        const r = await fetch(`${ui.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: forged, password: 'x' }) });
        expect(r.status).toBe(401);
        const lines = stderr.trimEnd().split('\n').map((l) => JSON.parse(l));
        expect(lines.find((l) => l.msg === 'login failed')).toMatchObject({ src: 'gridwatch serve', name: forged, reason: 'unknown name' });
      } finally {
        await ui.close();
      }
    });
  });
});
