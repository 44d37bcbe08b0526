/**
 * The HTTP application: security headers on everything, answers only for our own host names (`host-check.ts`), the
 * versioned JSON API under `/api/v1/` (login required except `/health` and `/auth/login`), and the single-page app for
 * every other GET.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { accountRoutes } from './api/accounts.ts';
import { actionRoutes } from './api/actions.ts';
import { allowlistRoutes } from './api/allowlist.ts';
import { approveRoutes, respondRoutes } from './api/respond.ts';
import { alertRoutes } from './api/alerts.ts';
import { exceptionRoutes } from './api/exceptions.ts';
import { eventRoutes } from './api/events.ts';
import { incidentRoutes } from './api/incidents.ts';
import { ipRoutes } from './api/ips.ts';
import { peopleRoutes } from './api/people.ts';
import { statsRoutes } from './api/stats.ts';
import { userRoutes } from './api/users.ts';
import { csrfGuard, loadSession, requireLogin } from './auth/middleware.ts';
import { authRoutes } from './auth/routes.ts';
import type { AppEnv, ServerDeps } from './context.ts';
import { errorBody, HttpError } from './errors.ts';
import { hostGuard, type HostAllowList } from './host-check.ts';
import { securityHeaders } from './security-headers.ts';
import { refuseNul } from './validate.ts';
import type { StaticSite } from './static.ts';

/**
 * Build the app for a set of dependencies (no socket: `createServer` listens; tests may call `app.request`).
 *
 * @example
 * const hosts = new HostAllowList({ listenHost: '127.0.0.1' });
 * hosts.listening(8080);
 * const app = buildApp(deps, new StaticSite(), hosts);
 * const res = await app.request('http://127.0.0.1:8080/api/v1/health'); // 200 {"ok":true}
 */
export function buildApp(deps: ServerDeps, site: StaticSite, hosts: HostAllowList): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('session', null);
    await next();
  });
  app.use('*', securityHeaders({ tls: deps.tls }));
  app.use('*', hostGuard(hosts));

  app.onError((err, c) => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err), err.status);
    }
    // Unexpected: the log gets the detail, the client a generic message (no stack, no SQL, no paths).
    deps.log('request failed', { method: c.req.method, path: c.req.path, error: (err as Error)?.stack ?? String(err) });
    return c.json({ error: { code: 'internal', message: 'internal error (see the server log)' } }, 500);
  });

  const api = new Hono<AppEnv>();
  api.get('/health', (c) => c.json({ ok: true }));
  // Bodies are small JSON documents: refuse big ones before reading them.
  api.use('*', bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new HttpError(413, 'too_large', 'request body larger than 64 KiB'); } }));
  api.use('*', refuseNul);
  api.use('*', loadSession, csrfGuard);
  api.route('/auth', authRoutes());
  api.use('*', requireLogin);
  api.route('/events', eventRoutes());
  api.route('/alerts', approveRoutes());
  api.route('/alerts', alertRoutes());
  api.route('/alerts', exceptionRoutes());
  api.route('/incidents', incidentRoutes());
  api.route('/respond', respondRoutes());
  api.route('/allowlist', allowlistRoutes());
  api.route('/action-log', actionRoutes());
  api.route('/users', userRoutes());
  api.route('/ips', ipRoutes());
  api.route('/people', peopleRoutes());
  api.route('/accounts', accountRoutes());
  api.route('/', statsRoutes());
  api.all('*', () => {
    throw new HttpError(404, 'not_found', 'no such endpoint (see docs/api.md)');
  });
  app.route('/api/v1', api);
  app.all('/api/*', () => {
    throw new HttpError(404, 'not_found', 'no such endpoint: the API is under /api/v1/ (see docs/api.md)');
  });

  app.on(['GET', 'HEAD'], '*', (c) => site.serve(c) ?? c.text('not found\n', 404));
  app.all('*', (c) => c.text('method not allowed\n', 405));
  return app;
}
