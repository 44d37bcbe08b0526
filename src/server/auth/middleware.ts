/**
 * Request guards: who is asking (session cookie), may they (login, role), and did the request come from our own
 * page (CSRF). The CSRF defence has two layers: the browser's `Origin` / `Sec-Fetch-Site` must be our own, and every
 * state-changing request of a session carries the session's CSRF token in `X-CSRF-Token`, which a page of another
 * origin cannot read. SameSite=Strict cookies are a third layer where browsers honour them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { roleAtLeast, type Role } from './users.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Name of the session cookie: with TLS the `__Host-` prefix pins it to this host, path `/` and `Secure`.
 *
 * @example sessionCookieName(false) // 'gw_session'
 */
export function sessionCookieName(tls: boolean): string {
  return tls ? '__Host-gw_session' : 'gw_session';
}

/** Load the session named by the cookie, if any, into `c.get('session')`. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const deps = c.get('deps');
  const token = getCookie(c, sessionCookieName(deps.tls));
  c.set('session', await deps.sessions.lookup(token, deps.clock.now()));
  await next();
};

/** Paths a session whose password must change may still use. */
const WHILE_MUST_CHANGE = new Set(['/api/v1/auth/me', '/api/v1/auth/password', '/api/v1/auth/logout']);

/** 401 without a session; 403 until a one-time password has been replaced. */
export const requireLogin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const s = c.get('session');
  if (!s) throw new HttpError(401, 'unauthenticated', 'log in first (POST /api/v1/auth/login)');
  if (s.account.mustChange && !WHILE_MUST_CHANGE.has(c.req.path)) {
    throw new HttpError(403, 'password_change_required', 'set a new password first (POST /api/v1/auth/password)');
  }
  await next();
};

/**
 * 403 unless the session's role includes `role`.
 *
 * @example api.post('/alerts/:id/status', requireRole('responder'), handler)
 */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const s = c.get('session');
    if (!s) throw new HttpError(401, 'unauthenticated', 'log in first (POST /api/v1/auth/login)');
    if (!roleAtLeast(s.account.role, role)) throw new HttpError(403, 'forbidden', `this needs the ${role} role (you are ${s.account.role})`);
    await next();
  };
}

function ownOrigin(c: Context): string {
  const proto = new URL(c.req.url).protocol;
  return `${proto}//${c.req.header('host') ?? ''}`;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reject cross-site and token-less state-changing requests. */
export const csrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const origin = c.req.header('origin');
  // Behind a reverse proxy the browser's origin is the public URL's (often https while we speak http).
  if (origin !== undefined && origin !== ownOrigin(c) && origin !== c.get('deps').publicOrigin) {
    throw new HttpError(403, 'csrf', 'cross-origin request refused');
  }
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'csrf', 'cross-site request refused');
  const s = c.get('session');
  if (s) {
    const token = c.req.header('x-csrf-token');
    if (!token || !sameToken(token, s.csrf)) throw new HttpError(403, 'csrf', 'missing or wrong X-CSRF-Token header (GET /api/v1/auth/me gives it)');
  }
  await next();
};
