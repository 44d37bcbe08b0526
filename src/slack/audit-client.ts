import { systemClock, type Clock } from '../util/clock.ts';
import { CallBudget, DEFAULT_BUDGET_BURST } from './budget.ts';
import { extractArraySpans, type EntrySpan } from './entries.ts';
import {
  AUTH_ERROR_CODES,
  AuthError,
  EndpointError,
  InvalidCursorError,
  RequestError,
  TransientError,
  authAdvice,
  redact,
} from './errors.ts';
import { noClientFaults, type ClientFaultKind, type ClientFaults } from './faults.ts';
import { baseUrlProblem, classifyFetchError } from './network.ts';
import { DEFAULT_BACKOFF, abortableSleep, backoffDelay, realSleep, retryAfterMs, type BackoffOptions, type Sleep } from './retry.ts';

/** Slack's documented production base URL of the Audit Logs API. */
export const DEFAULT_AUDIT_BASE_URL = 'https://api.slack.com/audit/v1';
export const DEFAULT_BUDGET_PER_MINUTE = 40;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 8;
/** Consecutive 429 answers tolerated before giving up (they do not use up `maxRetries`). */
export const DEFAULT_MAX_RATE_LIMIT_RETRIES = 50;
/**
 * Waits before re-trying a refused connection: a proxy restarting in place comes back within seconds, while nothing
 * listening at all will not, so a refusal gets a few seconds, not the minute a 5xx gets.
 */
export const DEFAULT_REFUSED_RETRY_DELAYS_MS: readonly number[] = [1000, 2000];
/** Largest `limit` the API accepts. */
export const MAX_PAGE_LIMIT = 9999;

/** Query of `GET /logs`. Times are Unix seconds, both bounds inclusive. */
export interface LogsParams {
  oldest?: number;
  latest?: number;
  limit?: number;
  /** One action or several separated by commas (at most 30). */
  action?: string;
  actor?: string;
  entity?: string;
  cursor?: string;
}

export interface LogsPage {
  /** Each element of `entries`, as the exact JSON text Slack sent, with its index in the page. */
  entries: EntrySpan[];
  /** `response_metadata.next_cursor`; `''` when there are no more pages (empty, null or missing). */
  nextCursor: string;
}

/** What the client reports while it works (for progress lines and logs). Never contains the token. */
export type ClientEvent =
  | { type: 'request'; path: string; attempt: number }
  | { type: 'response'; path: string; status: number; ms: number; bytes: number }
  | { type: 'retry'; path: string; attempt: number; delayMs: number; reason: string; status?: number }
  | { type: 'rate_limited'; path: string; retryAfterMs: number; consecutive: number }
  | { type: 'budget_wait'; waitMs: number };

export interface AuditClientOptions {
  /** e.g. `https://api.slack.com/audit/v1` (no trailing `/logs`). */
  baseUrl: string;
  token: string;
  /** Calls per minute, spread evenly (default 40; Slack's org-wide limit is ~50 shared by every app). */
  budgetPerMinute?: number;
  /** Calls that may go back to back before the budget spaces them (default 3). */
  budgetBurst?: number;
  /** Waits before each retry of a refused connection; their count is the number of retries (default 1 s, 2 s). */
  refusedRetryDelaysMs?: readonly number[];
  /** Per-attempt timeout, headers and body included (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries of transient failures (5xx, network, timeout, broken body) before `TransientError` (default 8). */
  maxRetries?: number;
  /** Consecutive 429s tolerated before `TransientError` (default 50). */
  maxRateLimitRetries?: number;
  /** Capped exponential backoff with full jitter (default 500 ms base, 30 s cap). */
  backoff?: Partial<BackoffOptions>;
  clock?: Clock;
  sleep?: Sleep;
  /** Jitter source, [0, 1) (default Math.random). */
  random?: () => number;
  userAgent?: string;
  onEvent?: (e: ClientEvent) => void;
  /** Replaces global fetch (tests). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Aborts waits and the request in flight; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface AuditClient {
  readonly baseUrl: string;
  /** One page of `GET /logs`. Retries transient failures and 429s; throws AuthError, RequestError, InvalidCursorError, TransientError. */
  getLogs(params: LogsParams, opts?: RequestOptions): Promise<LogsPage>;
  /** `GET /actions`: action names by category. */
  getActions(opts?: RequestOptions): Promise<Record<string, string[]>>;
  /** `GET /schemas`: the object types the API can return. */
  getSchemas(opts?: RequestOptions): Promise<unknown[]>;
  /** Faults seen since the client was created (a copy). Optional so that wrappers and fakes may leave it out. */
  faultCounts?(): ClientFaults;
}

/** Slack `ok:false` codes worth retrying like a 5xx. */
const TRANSIENT_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'timeout']);
const RATE_LIMIT_CODES = new Set(['rate_limited', 'ratelimited']);

/** `fault`: which counter a transient failure adds to (none for timeouts and resets); `refused`: connection refused. */
type Attempt<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'transient'; reason: string; status?: number; fault?: ClientFaultKind; refused?: boolean }
  | { kind: 'rate'; waitMs: number; status: number };

/**
 * Client of Slack's Audit Logs API with a client-side call budget, retries and exact entry text.
 *
 * @example
 * const client = createAuditClient({ baseUrl: DEFAULT_AUDIT_BASE_URL, token: process.env.SLACK_AUDIT_TOKEN! });
 * const page = await client.getLogs({ oldest: 1700000000, latest: 1700086399, limit: 1000 });
 * for (const e of page.entries) console.log(e.raw);
 */
export function createAuditClient(opts: AuditClientOptions): AuditClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const token = opts.token;
  const endpointError = (why: string, code?: string) =>
    // One line: the text may come from OpenSSL or the URL as typed.
    new EndpointError(redact(`Slack Audit Logs API: cannot use ${baseUrl}: ${why}; check SLACK_AUDIT_URL (default ${DEFAULT_AUDIT_BASE_URL})`, token).replace(/\s+/g, ' '), { code });
  const badUrl = baseUrlProblem(baseUrl);
  if (badUrl) throw endpointError(badUrl, 'invalid_url');
  const clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxRateLimitRetries = opts.maxRateLimitRetries ?? DEFAULT_MAX_RATE_LIMIT_RETRIES;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const userAgent = opts.userAgent ?? 'gridwatch/0.1 (Slack audit log collector)';
  const doFetch = opts.fetch ?? fetch;
  const emit = (e: ClientEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      /* a broken listener must not break collection */
    }
  };
  const refusedDelays = opts.refusedRetryDelaysMs ?? DEFAULT_REFUSED_RETRY_DELAYS_MS;
  const budget = new CallBudget({ perMinute: opts.budgetPerMinute ?? DEFAULT_BUDGET_PER_MINUTE, burst: opts.budgetBurst ?? DEFAULT_BUDGET_BURST, clock, sleep });
  const faults = noClientFaults();
  const clean = (s: string) => redact(s, token);

  async function attempt<T>(path: string, query: URLSearchParams, signal: AbortSignal | undefined, parse: (text: string, json: Record<string, unknown>) => T | string): Promise<Attempt<T>> {
    const qs = query.toString();
    const url = `${baseUrl}/${path}${qs ? `?${qs}` : ''}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const reqSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const started = clock.now();
    let status: number;
    let bytes: Uint8Array;
    let retryAfter: string | null;
    let gotHeaders = false;
    try {
      const res = await doFetch(url, {
        method: 'GET',
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'User-Agent': userAgent },
        signal: reqSignal,
        redirect: 'error', // never forward the bearer token somewhere else
      });
      gotHeaders = true;
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) return { kind: 'transient', reason: `timed out after ${timeoutMs} ms` };
      const failure = classifyFetchError(e);
      // The connection broke while the body was coming: a truncated body.
      if (gotHeaders) return { kind: 'transient', reason: clean(`response body cut short: ${failure.kind === 'endpoint' ? failure.why : failure.detail}`), fault: 'truncated' };
      if (failure.kind === 'endpoint') throw endpointError(failure.why);
      if (failure.kind === 'refused') return { kind: 'transient', reason: clean(`connection refused: ${failure.detail}`), refused: true };
      return { kind: 'transient', reason: clean(`network error: ${failure.detail}`) };
    }
    emit({ type: 'response', path, status, ms: clock.now() - started, bytes: bytes.length });

    let text: string | null = null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = null;
    }
    let json: Record<string, unknown> | null = null;
    if (text !== null) {
      try {
        const v: unknown = JSON.parse(text);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
      } catch {
        json = null;
      }
    }
    const code = typeof json?.error === 'string' ? clean(json.error).slice(0, 200) : undefined;

    if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code) && json?.ok === false)) {
      return { kind: 'rate', waitMs: retryAfterMs(retryAfter, clock.now()), status };
    }
    if (status === 401 || status === 403 || (code !== undefined && AUTH_ERROR_CODES.has(code))) {
      throw new AuthError(authAdvice(code, status), { code, status });
    }
    if (status >= 500 || status === 408) {
      return { kind: 'transient', reason: `HTTP ${status}${code ? ` (${clean(code)})` : ''}`, status, fault: status >= 500 ? 'server_errors' : undefined };
    }
    if (status >= 400 || json?.ok === false) {
      if (code === 'invalid_cursor') throw new InvalidCursorError(undefined, { code, status });
      if (code !== undefined && TRANSIENT_CODES.has(code)) return { kind: 'transient', reason: `Slack error ${code} (HTTP ${status})`, status, fault: 'server_errors' };
      if (status === 404 || code === 'bad_endpoint') {
        throw new RequestError(`Slack Audit Logs API: ${url.split('?')[0]} does not exist (HTTP ${status}${code ? `, ${code}` : ''}); check SLACK_AUDIT_URL (default ${DEFAULT_AUDIT_BASE_URL})`, { code, status });
      }
      const what =
        code === 'invalid_range'
          ? 'the time range is invalid (before the org enabled audit logs, before March 2018, or in the future)'
          : code === 'invalid_action'
            ? 'an action name is unknown or more than 30 were given (see `GET /actions`)'
            : 'the request was rejected';
      throw new RequestError(clean(`Slack Audit Logs API: ${what} (HTTP ${status}${code ? `, ${code}` : ''})`), { code, status });
    }
    if (status < 200 || status >= 300) return { kind: 'transient', reason: `unexpected HTTP ${status}`, status };
    if (text === null) return { kind: 'transient', reason: 'response body is not valid UTF-8', status, fault: 'truncated' };
    if (json === null) return { kind: 'transient', reason: `truncated or unparseable response body (${bytes.length} bytes)`, status, fault: 'truncated' };
    const parsed = parse(text, json);
    if (typeof parsed === 'string') return { kind: 'transient', reason: parsed, status, fault: 'truncated' };
    return { kind: 'ok', value: parsed };
  }

  async function request<T>(path: string, query: URLSearchParams, ro: RequestOptions | undefined, parse: (text: string, json: Record<string, unknown>) => T | string): Promise<T> {
    const signal = ro?.signal;
    let failures = 0;
    let refusals = 0;
    let rateLimited = 0;
    for (let n = 1; ; n++) {
      signal?.throwIfAborted();
      await budget.acquire(signal, (waitMs) => emit({ type: 'budget_wait', waitMs }));
      emit({ type: 'request', path, attempt: n });
      const r = await attempt(path, query, signal, parse);
      if (r.kind === 'ok') return r.value;
      if (r.kind === 'rate') {
        rateLimited++;
        faults.rate_limited++;
        if (rateLimited > maxRateLimitRetries) {
          throw new TransientError(`Slack Audit Logs API kept answering 429 (rate limited) ${rateLimited} times in a row; other apps may be using the org's shared budget`, { status: r.status, code: 'rate_limited', attempts: n });
        }
        emit({ type: 'rate_limited', path, retryAfterMs: r.waitMs, consecutive: rateLimited });
        await abortableSleep(sleep, r.waitMs, signal);
        faults.retries++;
        continue;
      }
      rateLimited = 0;
      if (r.fault) faults[r.fault]++;
      let delayMs: number;
      if (r.refused) {
        // Nothing listens there: a short retry for a restarting proxy, then an error that names the setting.
        if (refusals >= refusedDelays.length) {
          throw new TransientError(clean(`Slack Audit Logs API ${path}: ${r.reason} (${n} attempts); is SLACK_AUDIT_URL (${baseUrl}) right, and is the server or proxy there running?`), { code: 'ECONNREFUSED', attempts: n });
        }
        delayMs = refusedDelays[refusals++]!;
      } else {
        failures++;
        if (failures > maxRetries) {
          throw new TransientError(clean(`Slack Audit Logs API ${path}: ${r.reason}; gave up after ${failures} attempts`), { status: r.status, attempts: n });
        }
        delayMs = backoffDelay(failures - 1, backoff, random);
      }
      emit({ type: 'retry', path, attempt: failures + refusals, delayMs, reason: r.reason, status: r.status });
      await abortableSleep(sleep, delayMs, signal);
      faults.retries++;
    }
  }

  return {
    baseUrl,
    faultCounts: () => ({ ...faults }),
    getLogs(params, ro) {
      const q = new URLSearchParams();
      if (params.oldest !== undefined) q.set('oldest', String(params.oldest));
      if (params.latest !== undefined) q.set('latest', String(params.latest));
      if (params.limit !== undefined) q.set('limit', String(params.limit));
      if (params.action !== undefined && params.action !== '') q.set('action', params.action);
      if (params.actor !== undefined && params.actor !== '') q.set('actor', params.actor);
      if (params.entity !== undefined && params.entity !== '') q.set('entity', params.entity);
      if (params.cursor) q.set('cursor', params.cursor);
      return request('logs', q, ro, (text, json): LogsPage | string => {
        if (!Array.isArray(json.entries)) return 'response body has no entries array';
        let spans: EntrySpan[] | null;
        try {
          spans = extractArraySpans(text, 'entries');
        } catch (e) {
          return `response body could not be split into entries: ${(e as Error).message}`;
        }
        if (spans === null || spans.length !== json.entries.length) return 'response body entries could not be delimited';
        const meta = json.response_metadata as Record<string, unknown> | null | undefined;
        const next = meta && typeof meta === 'object' ? meta.next_cursor : undefined;
        if (next !== undefined && next !== null && typeof next !== 'string') return 'response_metadata.next_cursor is not a string';
        return { entries: spans, nextCursor: next ?? '' };
      });
    },
    getActions(ro) {
      return request('actions', new URLSearchParams(), ro, (_t, json) => {
        const a = json.actions;
        if (a === null || typeof a !== 'object' || Array.isArray(a)) return 'response body has no actions object';
        return a as Record<string, string[]>;
      });
    },
    getSchemas(ro) {
      return request('schemas', new URLSearchParams(), ro, (_t, json) => {
        if (!Array.isArray(json.schemas)) return 'response body has no schemas array';
        return json.schemas as unknown[];
      });
    },
  };
}
