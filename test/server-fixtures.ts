/**
 * Fixtures for the server's API and browser tests: a temporary SQLite store (or one of `storeBackends`' stores)
 * filled with the simulator's demo organisation (Matt's story on the last day) through the real ingest path, detection
 * run over it, and accounts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { defaultConfig } from '../src/config/load.ts';
import { ingestStream } from '../src/ingest/index.ts';
import { Accounts, type Role } from '../src/server/index.ts';
import { generateOrg, type GeneratedOrg } from '../src/sim/index.ts';
import type { OpenedStore } from '../src/store/index.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.ts';
import type { TestBackend } from './store-backends.ts';

/** A fixed end so ids, times and screenshots are the same on every run (2026-01-15T00:00:00Z). */
export const DEMO_END = 1768435200;

/** `S`: a SQLite store by default; any backend's store when `demoStore` was given one (`backend`). */
export interface DemoFixture<S extends OpenedStore = SqliteStore> {
  /** A temporary directory for the test's files (the store's too on SQLite). */
  dir: string;
  store: S;
  org: GeneratedOrg;
  /** Alerts produced by the detection engine (0 when it is not available). */
  alerts: number;
  cleanup(): Promise<void>;
}

export interface DemoOptions {
  users?: number;
  days?: number;
  seed?: number;
  detect?: boolean;
}

/**
 * Build the demo store. Detection runs when the engine is present; `detect: false` skips it. With `backend` (from
 * `storeBackends`, its `setup()` called, or anything that opens a fresh store) the store is that instead of a SQLite
 * file.
 *
 * @example
 * const fx = await demoStore({ users: 40 });
 * // ... fx.store ...
 * await fx.cleanup();
 * // On each backend: for (const backend of storeBackends('…')) … fx = await demoStore({ backend });
 */
export async function demoStore(opts?: DemoOptions & { backend?: undefined }): Promise<DemoFixture>;
export async function demoStore(opts: DemoOptions & { backend: Pick<TestBackend, 'open'> }): Promise<DemoFixture<OpenedStore>>;
export async function demoStore(opts: DemoOptions & { backend?: Pick<TestBackend, 'open'> } = {}): Promise<DemoFixture<OpenedStore>> {
  const dir = mkdtempSync(join(tmpdir(), 'gridwatch-server-'));
  let store: OpenedStore | undefined;
  try {
    const opened = (store = opts.backend ? await opts.backend.open() : await openSqliteStore(join(dir, 'gridwatch.db')));
    const org = generateOrg({ seed: opts.seed ?? 7, users: opts.users ?? 40, days: opts.days ?? 8, end: DEMO_END });
    const text = org.events.map((e) => e.raw).join('\n') + '\n';
    await ingestStream(Readable.from([Buffer.from(text)]), 'demo', { store });
    let alerts = 0;
    if (opts.detect !== false) {
      const { runIncremental } = await import('../src/cli/compose.ts');
      alerts = (await runIncremental(store, defaultConfig(), { notifier: null, log: () => {} })).length;
    }
    return {
      dir,
      store: opened,
      org,
      alerts,
      async cleanup() {
        await opened.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    // No fixture is returned, so no cleanup() will run: remove what was made before passing the error on.
    await store?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Password of every account `addAccounts` creates (tests only). */
export const TEST_PASSWORD = 'correct-horse-battery-staple';

/**
 * Create one account per role with `TEST_PASSWORD`.
 *
 * @example await addAccounts(fx.store); // viewer, responder, admin
 */
export async function addAccounts(store: Pick<OpenedStore, 'accountStore'>, roles: Role[] = ['viewer', 'responder', 'admin']): Promise<void> {
  const accounts = new Accounts(store.accountStore());
  for (const role of roles) await accounts.create({ name: role, role, password: TEST_PASSWORD });
}

/** What logging in through the API gave: its status, the session cookie to send back and the CSRF token. */
export interface ApiLogin {
  status: number;
  /** `gridwatch_session=…` for a `cookie` header ('' when the login failed). */
  cookie: string;
  csrf: string;
  /** The response's text, for tests that check no answer leaks anything. */
  text: string;
}

/**
 * Log in through POST /api/v1/auth/login as one of `addAccounts`' accounts (or any name and password).
 *
 * @example const { cookie } = await apiLogin(srv.url, 'viewer'); await fetch(`${srv.url}/api/v1/events`, { headers: { cookie } });
 */
export async function apiLogin(url: string, name: string, password = TEST_PASSWORD): Promise<ApiLogin> {
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const text = await r.text();
  let csrf = '';
  try {
    csrf = String((JSON.parse(text) as { csrf?: unknown }).csrf ?? '');
  } catch {
    // Not JSON (a proxy's error page): no token.
  }
  return { status: r.status, cookie: r.headers.get('set-cookie')?.split(';')[0] ?? '', csrf, text };
}

/** A logged-in API session: the cookie and the CSRF token a write must carry. */
export interface ApiSession {
  cookie: string;
  csrf: string;
}

/**
 * An API request as `s`, with a JSON body when one is given. `csrf` is the token sent (null: none), to test refusals.
 * The answer's body is parsed (null when empty); its text is kept for tests that check what answers leak.
 *
 * @example const r = await apiCall(srv.url, 'POST', `/api/v1/alerts/${id}/status`, responder, { status: 'resolved' });
 */
export async function apiCall(
  url: string,
  method: string,
  path: string,
  s: ApiSession,
  body?: unknown,
  csrf: string | null = s.csrf,
): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = { cookie: s.cookie };
  if (csrf) headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, text };
}

/**
 * A raw HTTP request to a server on loopback: unlike fetch, it sends the path as given (a backslash included) and any
 * `Host` header.
 *
 * @example const r = await rawRequest(srv.port, '/api/v1/health', 'evil.example'); // r.status 421
 */
export function rawRequest(
  port: number,
  path: string,
  host = `127.0.0.1:${port}`,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { ...init.headers, host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
