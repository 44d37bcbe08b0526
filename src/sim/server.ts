/**
 * The Slack API simulator: an HTTP server on loopback (node:http only) that serves the Audit Logs API the way
 * docs/slack-api.md describes it, with the organisation of `generator.ts`, and that other modules extend with Web API
 * methods through `route()`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleActions, handleLogs, handleSchemas, DEFAULT_LIMIT, type LogsState } from './audit-routes.ts';
import type { SimEvent } from './builders.ts';
import { CursorStore } from './cursor.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { generateOrg } from './generator.ts';
import { bearerToken, parseParams, readBody, sendError, sendJson } from './http.ts';
import { markLate, toSimEvent } from './late.ts';
import { EventLog, type Held } from './logs.ts';
import type { SimUser } from './org.ts';
import { createRng } from './random.ts';
import { DEFAULT_AUDIT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './ratelimit.ts';
import { mountWebApi, type WebApi, type WebApiOptions } from './web-api/index.ts';

/** The tokens the simulator accepts, one per situation a client must handle. */
export interface SimTokens {
  /** Org owner's user token with `auditlogs:read`: the one that works on `/logs`. */
  owner: string;
  /** Token of an app installed on a workspace, not the org: 403 `team_not_authorized`. */
  workspace: string;
  /** Org owner's token without `auditlogs:read`: 401 `invalid_authentication`. */
  noScope: string;
  /** Org admin's token with `admin`, `admin.users:read` and `admin.users:write`: every admin Web API method; `/logs` refuses it (401). */
  adminWeb: string;
  /** Org admin's token with `admin.users:read` only: `session.list` works, the rest answer `missing_scope`. */
  adminReadOnly: string;
  /** A member (not an admin) whose app has the admin scopes: the admin methods answer `not_an_admin`. */
  member: string;
  /** Token of an org that is not on Enterprise Grid: 403 `feature_not_enabled`. */
  notEnterprise: string;
}

export type TokenKind = keyof SimTokens;

export const DEFAULT_TOKENS: SimTokens = {
  owner: 'xoxp-sim-org-owner-auditlogs-read',
  workspace: 'xoxp-sim-workspace-install',
  noScope: 'xoxp-sim-org-owner-no-scope',
  adminWeb: 'xoxp-sim-org-admin-web-api',
  adminReadOnly: 'xoxp-sim-org-admin-read-only',
  member: 'xoxp-sim-member-not-admin',
  notEnterprise: 'xoxp-sim-not-enterprise',
};

export interface SimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: number;
  days?: number;
  users?: number;
  /** End of the generated range, Unix seconds. Default: the simulator clock, rounded down to the minute. */
  end?: number;
  /** Serve these instead of generating (plain event objects, or `SimEvent`s to keep their raw text and visibleAt). */
  events?: object[];
  /** The simulator clock, Unix seconds: ranges, late visibility and cursor expiry use it. Default: real time. */
  now?: () => number;
  /** Org-wide limit on `/logs` (and on routes that ask for it). Default 50 a minute; false turns it off. */
  rateLimit?: RateLimitOptions | false;
  faults?: FaultOptions;
  /** Largest `limit` honoured. Default 9999. */
  maxLimit?: number;
  /** `limit` when the request has none. Default 100. */
  defaultLimit?: number;
  /** Hidden late events all become visible this many real seconds after start. */
  lateReleaseAfterSec?: number;
  tokens?: Partial<SimTokens>;
  /** Override the status sent for an error code (docs/slack-api.md 1.6 defaults otherwise). */
  errorStatus?: Record<string, number>;
  /** The admin Web API methods (sessions, anomaly allowlist): per-method rate limit, allowlist at start. */
  webApi?: WebApiOptions;
}

/** What a route handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  sim: Simulator;
  /** The simulator clock (Unix seconds). */
  now(): number;
  /** Query, form and JSON body arguments merged (the body is read once and cached). */
  params(): Promise<Record<string, unknown>>;
  /** The bearer token, or the `token` argument of the body/query as Slack's Web API also accepts. */
  token(): Promise<string | null>;
  /** Send `{ok:false,error:code}` with the configured status for the code (or `status`). */
  error(code: string, status?: number, headers?: Record<string, string>): void;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /**
   * Take a slot of the org-wide rate limit. When none is free, a 429 with `Retry-After` has been sent and this
   * returns false. `errorCode` overrides the error string (Web API methods say `ratelimited`).
   */
  takeRateLimit(errorCode?: string): boolean;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

export interface SimulatorStats {
  requests: number;
  rateLimited: number;
  /** Count per injected fault kind: error_500, error_502, error_503, slow, truncate_destroy, truncate_short, duplicate, cursor_invalid, cursor_expired. */
  faults: Record<string, number>;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + '/audit/v1'` */
  auditBaseUrl: string;
  /** `url + '/api'` */
  webApiBaseUrl: string;
  tokens: SimTokens;
  /** The generated people (empty when `events` were given). */
  users: SimUser[];
  /** Everything held, hidden late events included, newest first. */
  events(): SimEvent[];
  /** Ids `/logs` can return right now. */
  visibleIds(): Set<string>;
  /** Make every late event visible now. */
  releaseLate(): void;
  /** The admin Web API's session store and allowlist (see `web-api/`). */
  webApi: WebApi;
  /** Append audit events (visible at once unless given as `SimEvent`s with a future `visibleAt`). */
  addEvents(evs: object[]): void;
  /** Add or replace a handler, e.g. `route('POST', '/api/admin.users.session.reset', h)`. */
  route(method: string, path: string, handler: RouteHandler): void;
  /** Which of the simulator's tokens this is, or null. */
  tokenKind(token: string | null | undefined): TokenKind | null;
  /** The simulator clock. */
  now(): number;
  /** The options it was started with (for describing it). */
  options: SimulatorOptions;
  stats: SimulatorStats;
  close(): Promise<void>;
}

/** Check the token for `/logs` (docs/slack-api.md 1.1, 1.6): null when it may read audit logs, else the error code. */
function auditAuthError(kind: TokenKind | null, present: boolean): string | null {
  if (!present) return 'missing_authentication';
  if (kind === 'owner') return null;
  if (kind === 'workspace') return 'team_not_authorized';
  if (kind === 'notEnterprise') return 'feature_not_enabled';
  return 'invalid_authentication';
}

/**
 * Start the simulator and resolve once it listens.
 *
 * @example
 * const sim = await startSimulator({ users: 20, days: 2, rateLimit: false });
 * const res = await fetch(`${sim.auditBaseUrl}/logs?limit=10`, { headers: { authorization: `Bearer ${sim.tokens.owner}` } });
 * await sim.close();
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? ((): number => Math.floor(Date.now() / 1000));
  const faultOpts = opts.faults ?? {};
  const faults = new FaultInjector(faultOpts);
  const faultRoot = createRng(faultOpts.faultSeed ?? 1);
  const tokens: SimTokens = { ...DEFAULT_TOKENS, ...opts.tokens };
  const statusMap = opts.errorStatus ?? {};
  const limiter = opts.rateLimit === false ? null : new RateLimiter(opts.rateLimit ?? DEFAULT_AUDIT_RATE_LIMIT);
  const startedMs = Date.now();

  let users: SimUser[] = [];
  let initial: SimEvent[];
  if (opts.events) {
    initial = opts.events.map(toSimEvent);
    markLate(initial, faultOpts.lateFraction ?? 0, faultOpts.lateDelaySec ?? 1800, faultRoot.fork('late'));
  } else {
    const g = generateOrg({
      seed: opts.seed,
      days: opts.days,
      users: opts.users,
      end: opts.end ?? Math.floor(now() / 60) * 60,
      lateFraction: faultOpts.lateFraction,
      lateDelaySec: faultOpts.lateDelaySec,
    });
    users = g.users;
    initial = g.events;
  }

  const log = new EventLog(initial);
  // Releasing moves each hidden event's visibleAt to the release time, so events added later keep their own delay.
  const releaseLate = (): void => {
    const t = now();
    for (const h of log.all()) if (h.sim.visibleAt !== undefined && h.sim.visibleAt > t) h.sim.visibleAt = t;
  };
  let autoReleased = opts.lateReleaseAfterSec === undefined;
  const autoRelease = (): void => {
    if (autoReleased || Date.now() - startedMs < opts.lateReleaseAfterSec! * 1000) return;
    autoReleased = true;
    releaseLate();
  };
  const visible = (h: Held): boolean => h.sim.visibleAt === undefined || h.sim.visibleAt <= now();
  const state: LogsState = {
    log,
    cursors: new CursorStore(faultRoot.fork('cursor'), faultOpts.cursorExpirySec),
    faults,
    visible,
    maxLimit: opts.maxLimit ?? 9999,
    defaultLimit: opts.defaultLimit ?? DEFAULT_LIMIT,
    served: [],
  };
  const stats: SimulatorStats = { requests: 0, rateLimited: 0, faults: faults.counts };
  const routes = new Map<string, Map<string, RouteHandler>>();

  const tokenKind = (token: string | null | undefined): TokenKind | null => {
    if (!token) return null;
    for (const k of Object.keys(tokens) as TokenKind[]) if (tokens[k] === token) return k;
    return null;
  };

  const makeContext = (req: IncomingMessage, res: ServerResponse, url: URL): RouteContext => {
    let params: Promise<Record<string, unknown>> | undefined;
    const ctx: RouteContext = {
      req,
      res,
      url,
      sim,
      now,
      params: () => (params ??= readBody(req).then((body) => parseParams(url, req.headers['content-type'], body))),
      token: async () => {
        const fromHeader = bearerToken(req);
        if (fromHeader) return fromHeader;
        const p = await ctx.params();
        return typeof p.token === 'string' && p.token !== '' ? p.token : null;
      },
      error: (code, status, headers) => sendError(res, code, { status, statusMap, headers }),
      json: (status, body, headers) => sendJson(res, status, body, headers),
      takeRateLimit: (errorCode) => {
        if (!limiter) return true;
        const d = limiter.take(Date.now());
        if (d.ok) return true;
        stats.rateLimited++;
        sendError(res, errorCode ?? limiter.errorCode, { statusMap, headers: { 'retry-after': String(d.retryAfterSec) } });
        return false;
      },
    };
    return ctx;
  };

  const route = (method: string, path: string, handler: RouteHandler): void => {
    const byMethod = routes.get(path) ?? new Map<string, RouteHandler>();
    byMethod.set(method.toUpperCase(), handler);
    routes.set(path, byMethod);
  };

  route('GET', '/audit/v1/schemas', handleSchemas);
  route('GET', '/audit/v1/actions', handleActions);
  route('GET', '/audit/v1/logs', async (ctx) => {
    const token = bearerToken(ctx.req);
    const authError = auditAuthError(tokenKind(token), token !== null);
    if (authError) return ctx.error(authError);
    if (!ctx.takeRateLimit()) return;
    await handleLogs(ctx, state);
  });

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests++;
    autoRelease();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const byMethod = routes.get(path);
    if (!byMethod) return sendError(res, path.startsWith('/api/') ? 'unknown_method' : 'bad_endpoint', { statusMap });
    const handler = byMethod.get((req.method ?? 'GET').toUpperCase());
    if (!handler) {
      return sendError(res, 'method_not_allowed', { status: 405, headers: { allow: [...byMethod.keys()].join(', ') } });
    }
    await handler(makeContext(req, res, url));
  };

  const server = createServer((req, res) => {
    dispatch(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 'internal_error', { status: 500 });
      else res.destroy(e instanceof Error ? e : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const sim: Simulator = {
    url: base,
    auditBaseUrl: `${base}/audit/v1`,
    webApiBaseUrl: `${base}/api`,
    tokens,
    users,
    events: () => log.all().map((h) => h.sim),
    visibleIds: () => {
      autoRelease();
      return new Set(log.all().filter(visible).map((h) => h.id));
    },
    releaseLate,
    // Anomalies from networks on the allowlist are never raised (docs/slack-api.md 4).
    addEvents: (evs) => log.add(sim.webApi.admit(evs.map(toSimEvent))),
    route,
    tokenKind,
    now,
    options: opts,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
    webApi: undefined as unknown as WebApi,
  };
  sim.webApi = mountWebApi(sim, opts.webApi ?? {}, {
    seed: opts.seed ?? 42,
    drop: (pred) => log.remove((h) => pred(h.sim, visible(h))),
  });
  return sim;
}
