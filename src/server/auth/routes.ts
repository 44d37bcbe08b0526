/**
 * `/api/v1/auth/*`: log in, log out, who am I (with the CSRF token), change password.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Me } from '../api-types.ts';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { LoginBody, parseBody, PasswordBody } from '../validate.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { requireLogin, sessionCookieName } from './middleware.ts';
import type { Account } from './users.ts';

/** The client's address as the socket sees it (a proxy's X-Forwarded-For is not trusted). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

type Check = 'login' | 'password change';

/** 429 with Retry-After while the name or the address must wait (see rate-limit.ts), logged. */
function throttle(c: Context<AppEnv>, name: string, what: Check, now: number): void {
  const deps = c.get('deps');
  const address = clientAddress(c);
  const wait = deps.limiter.check(address, name, now);
  if (wait <= 0) return;
  const secs = Math.ceil(wait / 1000);
  deps.log(`${what} throttled`, { name, address, retry_after_s: secs });
  const message = what === 'login' ? `too many failed logins: try again in ${secs} s` : `too many wrong passwords: try again in ${secs} s`;
  throw new HttpError(429, 'too_many_attempts', message, undefined, { 'Retry-After': String(secs) });
}

/** Count a wrong password against the name and the address, and log it (never the password tried). */
function recordFailure(c: Context<AppEnv>, name: string, what: Check, reason: 'unknown name' | 'wrong password', now: number): void {
  const deps = c.get('deps');
  const address = clientAddress(c);
  const failures = deps.limiter.fail(address, name, now);
  const delay = deps.limiter.delayAfter(failures);
  deps.log(`${what} failed`, { reason, name, address, failures, ...(delay ? { next_try_after_s: Math.ceil(delay / 1000) } : {}) });
}

const me = (a: Account, csrf: string): Me => ({ user: { name: a.name, role: a.role, mustChangePassword: a.mustChange }, csrf });

async function startSession(c: Context<AppEnv>, account: Account): Promise<{ csrf: string }> {
  const deps = c.get('deps');
  const s = await deps.sessions.create(account.id, clientAddress(c), c.req.header('user-agent') ?? null, deps.clock.now());
  setCookie(c, sessionCookieName(deps.tls), s.token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.tls,
    path: '/',
    // No Max-Age: a browser session cookie; the server enforces idle and absolute expiry.
  });
  return { csrf: s.csrf };
}

/**
 * The auth routes, to mount under `/api/v1/auth`.
 *
 * @example api.route('/auth', authRoutes());
 */
export function authRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.post('/login', async (c) => {
    const deps = c.get('deps');
    const body = await parseBody(LoginBody, c.req.raw);
    const address = clientAddress(c);
    const now = deps.clock.now();
    throttle(c, body.name, 'login', now);
    const cred = await deps.accounts.credentials(body.name);
    // Verify against a dummy hash for unknown names, so the response time does not tell which names exist.
    const ok = await verifyPassword(body.password, cred?.hash ?? (await dummyHash()));
    if (!cred || !ok) {
      recordFailure(c, body.name, 'login', cred ? 'wrong password' : 'unknown name', now);
      throw new HttpError(401, 'bad_credentials', 'wrong name or password');
    }
    deps.limiter.succeed(address, body.name);
    // A new session on every login: a session id planted before login is never promoted.
    await deps.sessions.destroy(getCookie(c, sessionCookieName(deps.tls)));
    await deps.accounts.touchLogin(cred.account.id, now);
    const { csrf } = await startSession(c, cred.account);
    deps.log('login ok', { name: cred.account.name, role: cred.account.role, address });
    return c.json(me(cred.account, csrf));
  });

  r.get('/me', requireLogin, (c) => {
    const s = c.get('session')!;
    return c.json(me(s.account, s.csrf));
  });

  r.post('/logout', requireLogin, async (c) => {
    const deps = c.get('deps');
    await deps.sessions.destroy(getCookie(c, sessionCookieName(deps.tls)));
    deleteCookie(c, sessionCookieName(deps.tls), { path: '/', secure: deps.tls });
    return c.body(null, 204);
  });

  r.post('/password', requireLogin, async (c) => {
    const deps = c.get('deps');
    const s = c.get('session')!;
    const body = await parseBody(PasswordBody, c.req.raw);
    const now = deps.clock.now();
    // The current password is a password check like a login: a stolen session must not guess it at full speed.
    throttle(c, s.account.name, 'password change', now);
    const cred = await deps.accounts.credentials(s.account.name);
    if (!cred || !(await verifyPassword(body.current, cred.hash))) {
      recordFailure(c, s.account.name, 'password change', 'wrong password', now);
      throw new HttpError(403, 'bad_credentials', 'the current password is wrong');
    }
    deps.limiter.succeed(clientAddress(c), s.account.name);
    if (body.current === body.password) throw new HttpError(400, 'invalid_parameter', 'invalid parameter "password": must differ from the current one', 'password');
    // Changing the password ends every session of the account, this one included; a fresh one is started.
    await deps.accounts.setPassword(s.account.id, body.password, {}, now);
    const account = (await deps.accounts.get(s.account.id))!;
    const { csrf } = await startSession(c, account);
    deps.log('password changed', { name: account.name, address: clientAddress(c) });
    return c.json(me(account, csrf));
  });

  return r;
}
