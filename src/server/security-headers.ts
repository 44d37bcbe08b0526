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
 * Middleware setting the headers after the handler ran (so error responses get them too).
 *
 * @example app.use('*', securityHeaders({ tls: false }));
 */
export function securityHeaders(opts: { tls: boolean }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
    if (opts.tls) h.set('Strict-Transport-Security', 'max-age=31536000');
    if (c.req.path.startsWith('/api/')) {
      // Audit data must not linger in shared or disk caches.
      h.set('Cache-Control', 'no-store');
    }
  };
}
