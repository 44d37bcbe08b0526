/**
 * `createServer`: the web UI and its JSON API over a store, listening on loopback unless told otherwise. Used by
 * `gridwatch serve`, `gridwatch run` and the demo.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { AlertStore } from '../alerts/types.ts';
import { defaultConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { buildEnv, type DetectEnv } from '../detect/env.ts';
import { applyRuleConfig, loadConfiguredRules } from '../detect/rule-loader.ts';
import type { RuleDef } from '../detect/rule-schema.ts';
import type { SlackAdmin } from '../respond/playbook.ts';
import type { OpenedStore } from '../store/index.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { streamLogger, type Logger } from '../util/log.ts';
import { buildApp } from './app.ts';
import { LoginRateLimiter, type RateLimitOptions } from './auth/rate-limit.ts';
import { Sessions, type SessionOptions } from './auth/sessions.ts';
import { Accounts } from './auth/users.ts';
import type { ServerDeps } from './context.ts';
import { HostAllowList } from './host-check.ts';
import { Rollups } from './rollup.ts';
import { securityHeaderEntries } from './security-headers.ts';
import { StaticSite } from './static.ts';

export { ensureAdmin, ensureDemoLogin, Accounts, ROLES, type Role, type Account } from './auth/users.ts';
export { StaticSite, DEFAULT_WEB_DIR } from './static.ts';

export interface ServerOptions {
  store: OpenedStore;
  /** Alerts to show; default: the store's own (`store.alertStore()`; null: none). */
  alerts?: AlertStore | null;
  /** Trusted networks, expected user agents, IP data, time zone. Default: the built-in defaults. */
  config?: Config;
  /** A ready environment built from `config` (saves building it twice when the caller has one). */
  env?: DetectEnv;
  /** The enabled rules, overrides applied (default: those of `config`; the user page charts the baseline rule's limit). */
  rules?: readonly RuleDef[];
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote`. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Must be true to listen on a non-loopback address (a warning is logged when TLS is not set up). */
  allowRemote?: boolean;
  /** PEM certificate and key: serve HTTPS, with Secure `__Host-` cookies and HSTS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The address people use when it is not the listening one (a reverse proxy's): its host is served too. */
  publicUrl?: string;
  /** More host names (optionally `name:port`) to answer for; any other `Host` gets 421. Loopback names always. */
  allowedHosts?: readonly string[];
  /** Structured log (default: stderr, JSON unless a terminal). Never receives passwords, session or Slack tokens. */
  log?: Logger;
  /** Directory of the built app (default `web/dist`). */
  webDir?: string;
  clock?: Clock;
  /** Admin Web API credentials for the respond routes (`SLACK_ADMIN_TOKEN` / `--admin-token-file`, `SLACK_API_URL`). */
  slackAdmin?: SlackAdmin | null;
  rateLimit?: RateLimitOptions;
  sessions?: SessionOptions;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Is this a loopback host (the only kind served without an explicit opt-in)?
 *
 * @example isLoopback('127.0.0.1') // true
 * @example isLoopback('0.0.0.0')   // false
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Unfolded events (an older store's) folded before listening: about 0.2 s. More are folded once listening. */
const ROLLUP_BACKLOG_BEFORE_LISTEN = 100_000;

/**
 * Load the IP data once listening, off this thread: the shipped ASN data on a worker (about 1 s, up to 4 s on a busy
 * machine), the country data by an asynchronous read. Until then their lookups answer unknown; what must not (a rule
 * run, an ASN filter) awaits `ipDataReady`.
 */
function loadIpData(env: DetectEnv, log: Logger): void {
  const t0 = performance.now();
  void env.ipDataReady().then(
    () => log('IP data loaded', { ms: Math.round(performance.now() - t0) }),
    (e: unknown) => log('IP data not loaded', { error: (e as Error).message }),
  );
}

/**
 * The rules detection runs with this config. Rules that do not load leave the pages without a rule's own limits
 * (logged), not the server down: detection itself refuses that config and says why.
 */
function configuredRules(config: Config, log: Logger): RuleDef[] {
  try {
    return applyRuleConfig(loadConfiguredRules(config), config).map((r) => r.def);
  } catch (e) {
    log('rules not loaded: the user page charts a plain 30-day baseline', { error: (e as Error).message });
    return [];
  }
}

/**
 * Start the server. Resolves once listening; rejects (with a plain message) when the address is refused or taken.
 *
 * @example
 * const store = await openSqliteStore('gridwatch.db');
 * const pw = await ensureAdmin(store.accountStore()); // print it once if not null
 * const srv = await createServer({ store, port: 8080 });
 * console.log(`gridwatch UI on ${srv.url}`);
 * process.on('SIGTERM', () => srv.close().then(() => store.close()));
 */
export async function createServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? streamLogger(process.stderr, 'gridwatch serve', clock);
  if (opts.publicUrl !== undefined && !/^https?:\/\/[^/]/i.test(opts.publicUrl)) {
    throw new Error(`--public-url must be an http:// or https:// URL (got ${JSON.stringify(opts.publicUrl)})`);
  }
  const hosts = new HostAllowList({ listenHost: host, publicUrl: opts.publicUrl, allowedHosts: opts.allowedHosts });
  if (!isLoopback(host)) {
    if (!opts.allowRemote) {
      throw new Error(`refusing to listen on ${host}: the UI shows who downloaded what. Pass --allow-remote to listen beyond loopback (and set up TLS)`);
    }
    if (!opts.tls) log('WARNING: listening beyond loopback without TLS: logins and audit data cross the network in clear text (use --tls-cert/--tls-key)', { host });
  }
  const config = opts.config ?? defaultConfig();
  const rollups = new Rollups(opts.store.uiRollups());
  // Writes keep the rollups up to date: only a store written by an older version has a backlog. A small one is folded
  // before listening; a large one once listening, so the start takes the same time whatever the store's size (the
  // routes that read the rollups wait for it).
  const rollupBacklog = await rollups.backlog(await opts.store.maxSeq());
  if (rollupBacklog <= ROLLUP_BACKLOG_BEFORE_LISTEN) await rollups.catchUp();
  const deps: ServerDeps = {
    store: opts.store,
    alerts: opts.alerts === undefined ? opts.store.alertStore() : opts.alerts,
    // Shipped-data lookups answer unknown until the data is loaded rather than stall every request for a second.
    env: opts.env ?? buildEnv(config, { whileIpDataLoads: 'unknown' }),
    rules: opts.rules ?? configuredRules(config, log),
    accounts: new Accounts(opts.store.accountStore()),
    sessions: new Sessions(opts.store.accountStore(), opts.sessions),
    limiter: new LoginRateLimiter(opts.rateLimit),
    rollups,
    clock,
    log,
    tls: !!opts.tls,
    slackAdmin: opts.slackAdmin ?? null,
    publicOrigin: opts.publicUrl === undefined ? undefined : new URL(opts.publicUrl).origin,
  };
  await deps.sessions.purgeExpired(clock.now());
  const app = buildApp(deps, new StaticSite(opts.webDir), hosts);
  const headers = { ...securityHeaderEntries(deps.tls), 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  const listener = getRequestListener(app.fetch, {
    // Outside Hono's handler: a request the adapter cannot turn into a URL (a backslash in the path, a malformed
    // Host) is the client's fault, 400; anything else 500. Both without detail, both with the security headers.
    errorHandler: (err) => {
      if (err instanceof RequestError) {
        return new Response(JSON.stringify({ error: { code: 'bad_request', message: `malformed request: ${err.message}` } }), { status: 400, headers });
      }
      log('request failed', { error: (err as Error)?.message ?? String(err) });
      return new Response('{"error":{"code":"internal","message":"internal error"}}', { status: 500, headers });
    },
  });
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : createHttpServer(listener);
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const err = new Error(e.code === 'EADDRINUSE' ? `port ${opts.port ?? 8080} on ${host} is already in use (choose another with --port)` : `cannot listen on ${host}: ${e.message}`);
      reject(Object.assign(err, { code: e.code }));
    };
    server.once('error', onError);
    server.listen(opts.port ?? 8080, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const purge = setInterval(() => void deps.sessions.purgeExpired(clock.now()).catch((e: unknown) => log('session purge failed', { error: (e as Error).message })), 3600_000);
  purge.unref();
  const port = (server.address() as AddressInfo).port;
  hosts.listening(port);
  if (rollupBacklog > ROLLUP_BACKLOG_BEFORE_LISTEN) {
    const t0 = performance.now();
    log('indexing stored events for the histogram', { events: rollupBacklog });
    // Folded in chunks, between which requests are answered (store/sqlite/ui-reads.ts).
    setImmediate(() => void rollups.catchUp().then(
      (events) => log('indexed events for the histogram', { events, ms: Math.round(performance.now() - t0) }),
      (e: unknown) => log('histogram index catch-up failed', { error: (e as Error).message }),
    ));
  }
  // Now that the server listens, so requests are answered while it loads.
  setTimeout(() => loadIpData(deps.env, log), 0).unref();
  // The search index catches up once listening (20,000 events took 2 s on PostgreSQL before the first answer), off
  // this thread (a worker on SQLite; on PostgreSQL the work is the database's); searches scan the unfolded tail meanwhile.
  void opts.store.eventSearch?.().catchUpInBackground().catch((e) => log('search index catch-up failed', { error: (e as Error).message }));
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(purge);
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open for seconds.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}
