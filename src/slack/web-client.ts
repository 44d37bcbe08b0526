/**
 * Client of Slack's admin Web API methods gridwatch responds with (docs/slack-api.md 4, 5): session reset, bulk reset,
 * list and invalidate, and the anomaly allowlist. POSTs JSON to `<base>/<method>` with the token in the
 * `Authorization` header only; honours 429 `Retry-After`; retries 5xx, network errors and timeouts with capped
 * backoff; maps `{ok:false,error}` to the typed errors of `web-errors.ts`. No message it produces carries the token.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../util/clock.ts';
import { TransientError, redact } from './errors.ts';
import { DEFAULT_BACKOFF, abortableSleep, backoffDelay, realSleep, retryAfterMs, type BackoffOptions, type Sleep } from './retry.ts';
import { FailedForSomeUsersError, WebApiError, webApiError } from './web-errors.ts';

/** Slack's production Web API base URL. */
export const DEFAULT_WEB_API_URL = 'https://slack.com/api';
/** Slack's cap on `user_ids` per `admin.users.session.resetBulk` call. */
export const RESET_BULK_MAX = 1000;

/** Fields of every Web API answer the client reads; everything else is kept as it came. */
const BaseAnswer = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  needed: z.string().optional(),
  provided: z.string().optional(),
  failed_users: z.array(z.string()).optional(),
  response_metadata: z.looseObject({ next_cursor: z.string().nullish(), messages: z.array(z.string()).optional() }).nullish(),
});

const ClientInfo = z.looseObject({
  device_hardware: z.string().optional(),
  os: z.string().optional(),
  os_version: z.string().optional(),
  slack_client_version: z.string().optional(),
  ip: z.string().optional(),
});

/** One element of `active_sessions`; `session_id` may come as a number or a string (docs/slack-api.md 5.3, 5.4). */
export const ActiveSession = z.looseObject({
  user_id: z.string(),
  team_id: z.string(),
  session_id: z.union([z.number(), z.string()]),
  created: ClientInfo.optional(),
  recent: ClientInfo.optional(),
});
export type ActiveSession = z.infer<typeof ActiveSession>;

const ListAnswer = z.looseObject({ active_sessions: z.array(ActiveSession).default([]) });

/** `getItem`: the ASN list under either spelling Slack's docs use. */
const AllowlistAnswer = z.looseObject({
  trusted_cidr: z.array(z.string()).nullish(),
  trusted_asns: z.array(z.union([z.number(), z.string()])).nullish(),
  trusted_asn: z.array(z.union([z.number(), z.string()])).nullish(),
});

/** Slack's anomaly allowlist: IPv4 CIDRs and ASNs. */
export interface AnomalyAllowlist {
  cidrs: string[];
  asns: number[];
}

/** Which sessions a reset ends: all (default), or only mobile or only web ones. */
export interface ResetScope {
  mobileOnly?: boolean;
  webOnly?: boolean;
}

/** What the client reports while it works. Never contains the token. */
export type WebClientEvent =
  | { type: 'request'; method: string; attempt: number }
  | { type: 'retry'; method: string; attempt: number; delayMs: number; reason: string }
  | { type: 'rate_limited'; method: string; retryAfterMs: number; consecutive: number };

export interface WebClientOptions {
  token: string;
  /** Default `SLACK_API_URL`, else `https://slack.com/api`. */
  baseUrl?: string;
  /** Per-attempt timeout (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries of 5xx, network errors and timeouts (default 5). */
  maxRetries?: number;
  /** Consecutive 429s tolerated before giving up (default 10). */
  maxRateLimitRetries?: number;
  backoff?: Partial<BackoffOptions>;
  sleep?: Sleep;
  random?: () => number;
  clock?: Clock;
  fetch?: typeof fetch;
  onEvent?: (e: WebClientEvent) => void;
}

export interface WebClient {
  readonly baseUrl: string;
  /** Any Web API method: the parsed body of an `ok:true` answer; throws the typed errors otherwise. */
  call(method: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** `admin.users.session.reset`: `mobile_only`/`web_only` are sent only when true. */
  sessionReset(userId: string, scope?: ResetScope): Promise<void>;
  /** `admin.users.session.resetBulk` in calls of at most 1,000 ids; throws FailedForSomeUsersError naming every failed id. */
  sessionResetBulk(userIds: readonly string[], scope?: ResetScope): Promise<{ calls: number }>;
  /** `admin.users.session.list`, every page; a user with no sessions gives []. Pass both ids or neither. */
  sessionList(filter?: { userId: string; teamId: string }): Promise<ActiveSession[]>;
  /** `admin.users.session.invalidate`. */
  sessionInvalidate(sessionId: number | string, opts?: { userId?: string; teamId?: string }): Promise<void>;
  /** `admin.audit.anomaly.allow.getItem`, reading `trusted_asns` or `trusted_asn`. */
  allowlistGet(): Promise<AnomalyAllowlist>;
  /** `admin.audit.anomaly.allow.updateItem`: REPLACES the whole list (send every entry to keep). Sends `trusted_asns`. */
  allowlistUpdate(list: AnomalyAllowlist): Promise<void>;
}

type Attempt = { kind: 'ok'; body: z.infer<typeof BaseAnswer> } | { kind: 'transient'; reason: string } | { kind: 'rate'; waitMs: number };

/** Split a list into chunks of at most `size`. */
function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The failed ids of a `failed_for_some_users` answer: `failed_users`, else the ids named in the messages. */
function failedUsersOf(body: z.infer<typeof BaseAnswer>): string[] {
  if (body.failed_users) return body.failed_users;
  return (body.response_metadata?.messages ?? []).flatMap((m) => /\b([UW][A-Z0-9]{2,})\b/.exec(m)?.[1] ?? []);
}

/**
 * Create the client.
 *
 * @example
 * const slack = createWebClient({ token: process.env.SLACK_ADMIN_TOKEN! });
 * await slack.sessionReset('W0MATT0001', { webOnly: true });
 * const list = await slack.allowlistGet();
 * await slack.allowlistUpdate({ cidrs: [...list.cidrs, '192.0.2.0/24'], asns: list.asns });
 */
export function createWebClient(opts: WebClientOptions): WebClient {
  const baseUrl = (opts.baseUrl ?? (process.env.SLACK_API_URL?.trim() || DEFAULT_WEB_API_URL)).replace(/\/+$/, '');
  const token = opts.token;
  const clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? realSleep;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxRetries = opts.maxRetries ?? 5;
  const maxRateLimitRetries = opts.maxRateLimitRetries ?? 10;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const doFetch = opts.fetch ?? fetch;
  const clean = (s: string): string => redact(s, token);
  const emit = (e: WebClientEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch {
      /* a broken listener must not break the call */
    }
  };

  async function attempt(method: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<Attempt> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${baseUrl}/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
        body: JSON.stringify(args),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'error', // never forward the bearer token somewhere else
      });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) return { kind: 'transient', reason: `timed out after ${timeoutMs} ms` };
      const err = e as Error & { cause?: { code?: string } };
      return { kind: 'transient', reason: clean(`network error: ${err.cause?.code ?? err.message}`) };
    }
    let parsed: z.infer<typeof BaseAnswer> | null = null;
    try {
      const r = BaseAnswer.safeParse(JSON.parse(text));
      if (r.success) parsed = r.data;
    } catch {
      parsed = null;
    }
    if (res.status === 429 || parsed?.error === 'ratelimited' || parsed?.error === 'rate_limited') {
      return { kind: 'rate', waitMs: retryAfterMs(res.headers.get('retry-after'), clock.now()) };
    }
    if (res.status >= 500 || res.status === 408) return { kind: 'transient', reason: `HTTP ${res.status}` };
    if (!parsed) {
      if (res.status === 404) throw webApiError(method, 'unknown_method', res.status);
      return { kind: 'transient', reason: `HTTP ${res.status} with an unreadable body (${text.length} bytes)` };
    }
    if (!parsed.ok) {
      const code = clean(parsed.error ?? 'unknown_error').slice(0, 100);
      if (['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'].includes(code)) {
        return { kind: 'transient', reason: `Slack error ${code}` };
      }
      throw webApiError(method, code, res.status, {
        needed: parsed.needed && clean(parsed.needed),
        provided: parsed.provided !== undefined ? clean(parsed.provided) : undefined,
        failedUsers: failedUsersOf(parsed).map(clean),
      });
    }
    return { kind: 'ok', body: parsed };
  }

  async function call(method: string, args: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Record<string, unknown>> {
    let failures = 0;
    let rateLimited = 0;
    for (let n = 1; ; n++) {
      signal?.throwIfAborted();
      emit({ type: 'request', method, attempt: n });
      const r = await attempt(method, args, signal);
      if (r.kind === 'ok') return r.body;
      if (r.kind === 'rate') {
        rateLimited++;
        if (rateLimited > maxRateLimitRetries) {
          throw new TransientError(`Slack ${method}: still rate limited (429) after ${rateLimited} tries; wait a minute and run it again (Tier 2 allows about 20 calls a minute)`, { code: 'ratelimited', status: 429, attempts: n });
        }
        emit({ type: 'rate_limited', method, retryAfterMs: r.waitMs, consecutive: rateLimited });
        await abortableSleep(sleep, r.waitMs, signal);
        continue;
      }
      failures++;
      if (failures > maxRetries) {
        throw new TransientError(clean(`Slack ${method}: ${r.reason}; gave up after ${failures} attempts; Slack may be down, try again later`), { attempts: n });
      }
      const delayMs = backoffDelay(failures - 1, backoff, opts.random);
      emit({ type: 'retry', method, attempt: failures, delayMs, reason: r.reason });
      await abortableSleep(sleep, delayMs, signal);
    }
  }

  const scopeArgs = (s: ResetScope = {}): Record<string, boolean> => ({
    ...(s.mobileOnly ? { mobile_only: true } : {}),
    ...(s.webOnly ? { web_only: true } : {}),
  });

  return {
    baseUrl,
    call,
    async sessionReset(userId, scope) {
      await call('admin.users.session.reset', { user_id: userId, ...scopeArgs(scope) });
    },
    async sessionResetBulk(userIds, scope) {
      const failed: string[] = [];
      const parts = chunks([...new Set(userIds)], RESET_BULK_MAX);
      for (const part of parts) {
        try {
          await call('admin.users.session.resetBulk', { user_ids: part, ...scopeArgs(scope) });
        } catch (e) {
          // The other users of this call were signed out: carry on with the next calls, report every failure at the end.
          if (!(e instanceof FailedForSomeUsersError)) throw e;
          failed.push(...e.failedUsers);
        }
      }
      if (failed.length > 0) {
        const bad = new Set(failed);
        const succeededUsers = [...new Set(userIds)].filter((u) => !bad.has(u));
        throw new FailedForSomeUsersError({ method: 'admin.users.session.resetBulk', failedUsers: failed, succeededUsers });
      }
      return { calls: parts.length };
    },
    async sessionList(filter) {
      const out: ActiveSession[] = [];
      let cursor = '';
      for (;;) {
        const args: Record<string, unknown> = filter ? { user_id: filter.userId, team_id: filter.teamId } : {};
        if (cursor) args.cursor = cursor;
        let body: Record<string, unknown>;
        try {
          body = await call('admin.users.session.list', args);
        } catch (e) {
          if (e instanceof WebApiError && e.code === 'no_active_sessions') return out;
          throw e;
        }
        out.push(...ListAnswer.parse(body).active_sessions);
        const next = (body as z.infer<typeof BaseAnswer>).response_metadata?.next_cursor;
        if (!next) return out;
        cursor = next;
      }
    },
    async sessionInvalidate(sessionId, o = {}) {
      await call('admin.users.session.invalidate', {
        session_id: sessionId,
        ...(o.userId ? { user_id: o.userId } : {}),
        ...(o.teamId ? { team_id: o.teamId } : {}),
      });
    },
    async allowlistGet() {
      const body = AllowlistAnswer.parse(await call('admin.audit.anomaly.allow.getItem'));
      const asns = [...(body.trusted_asns ?? []), ...(body.trusted_asn ?? [])].map(Number).filter((n) => Number.isInteger(n));
      return { cidrs: body.trusted_cidr ?? [], asns: [...new Set(asns)] };
    },
    async allowlistUpdate(list) {
      await call('admin.audit.anomaly.allow.updateItem', { trusted_cidr: list.cidrs, trusted_asns: list.asns });
    },
  };
}
