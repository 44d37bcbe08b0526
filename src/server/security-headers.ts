/**
 * Security headers on every response. The Content-Security-Policy allows only same-origin scripts, styles, images
 * and fetches: no inline script, no eval, no framing, no plugins. The built app has no inline script (Vite emits
 * module files), and React renders every untrusted string (file names, user agents) as text.
 */
import type { MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The headers every response carries, also for answers made outside the app (a malformed request line).
 *
 * @example new Response(body, { status: 400, headers: securityHeaderEntries(false) })
 */
export function securityHeaderEntries(tls: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    ...(tls ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };
}

/**
 * Middleware setting the headers after the handler ran (so error responses get them too).
 *
 * @example app.use('*', securityHeaders({ tls: false }));
 */
export function securityHeaders(opts: { tls: boolean }): MiddlewareHandler {
  const entries = Object.entries(securityHeaderEntries(opts.tls));
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [k, v] of entries) h.set(k, v);
    if (c.req.path.startsWith('/api/')) {
      // Audit data must not linger in shared or disk caches.
      h.set('Cache-Control', 'no-store');
    }
  };
}
