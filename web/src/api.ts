// The browser's only way to the server: same-origin fetches with the session cookie, the CSRF token on every
// state-changing request, and errors turned into ApiError with the server's message.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/**
 * What to show for a failed request: the server's message, or the error itself (network failure, bug).
 *
 * @example errorMessage(new ApiError(409, 'exists', 'name already taken')) // 'name already taken'
 */
export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : String(err);
}

let csrfToken: string | null = null;
let onLoggedOut: (() => void) | null = null;

/** Remember the session's CSRF token (from login or /auth/me). */
export function setCsrf(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401), e.g. expired. */
export function onUnauthenticated(f: () => void): void {
  onLoggedOut = f;
}

export type Params = Record<string, string | string[] | number | undefined | null>;

/** Build a query string, dropping empty values; arrays become comma-separated lists. */
export function qs(params: Params): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) u.set(k, v.join(','));
    } else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (res.status === 204) return undefined as T;
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    // non-JSON error page
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; param?: string } } | null)?.error;
    if (res.status === 401 && path !== '/auth/login' && onLoggedOut) onLoggedOut();
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${res.status}`, e?.param);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, params: Params = {}, signal?: AbortSignal) => request<T>('GET', path + qs(params), undefined, signal),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};
