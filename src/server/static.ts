/**
 * Serving the built single-page app (`web/dist`, made by `npm run build:web`), from memory.
 *
 * Files are read once at start-up, with an ETag and a gzip copy of text files. Vite names assets by content hash,
 * so `/assets/*` is cached for a year as immutable; `index.html` is revalidated on every load so a new build is
 * picked up at once. Any other GET outside `/api/` answers `index.html`: client-side routes such as `/users/W123`,
 * `/ips/203.0.113.77` and `/users/matt@example.com` (whose last segment looks like a file name but is not one).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

/** Where `npm run build:web` writes the app. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
  immutable: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export class StaticSite {
  private readonly files = new Map<string, Asset>();

  /**
   * @example
   * const site = new StaticSite(DEFAULT_WEB_DIR);
   * site.available // false until `npm run build:web` has run
   */
  constructor(readonly dir: string = DEFAULT_WEB_DIR) {
    if (!existsSync(join(dir, 'index.html'))) return;
    for (const file of walk(dir)) {
      const url = `/${relative(dir, file).split(sep).join('/')}`;
      const body = readFileSync(file);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const compressible = /^text\/|json|svg/.test(type) && body.length > 512;
      this.files.set(url, {
        body,
        gzip: compressible ? gzipSync(body, { level: 9 }) : null,
        type,
        etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
        immutable: url.startsWith('/assets/'),
      });
    }
  }

  get available(): boolean {
    return this.files.has('/index.html');
  }

  /** Answer a GET/HEAD for a non-API path, or null to fall through to 404. */
  serve(c: Context): Response | null {
    const path = decodeURIComponentSafe(c.req.path);
    if (!this.available) {
      return c.text('gridwatch: the web app is not built. Run `npm run build:web` (npm install does it), then restart.\n', 503);
    }
    const asset = this.files.get(path) ?? (isAssetPath(path) ? null : this.files.get('/index.html'));
    if (!asset) return null;
    const headers: Record<string, string> = {
      'Content-Type': asset.type,
      ETag: asset.etag,
      'Cache-Control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      Vary: 'Accept-Encoding',
    };
    if (c.req.header('if-none-match') === asset.etag) return new Response(null, { status: 304, headers });
    const gzip = asset.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['Content-Encoding'] = 'gzip';
    const body = gzip ? asset.gzip! : asset.body;
    headers['Content-Length'] = String(body.length);
    return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  }
}

/**
 * Is this where a built file would be, so that a missing one is a real 404? Vite puts the app's files under
 * `/assets/`, and copies `web/public` (favicon, robots.txt) to the top level with a file type of its own. Every
 * other path is a page of the app, whatever its last segment looks like: an IP address, an e-mail address.
 *
 * @example isAssetPath('/assets/app-abc123.js') // true
 * @example isAssetPath('/favicon.ico')          // true
 * @example isAssetPath('/ips/203.0.113.77')     // false
 */
export function isAssetPath(path: string): boolean {
  if (path.startsWith('/assets/')) return true;
  return /^\/[^/]+$/.test(path) && Object.hasOwn(TYPES, extname(path).toLowerCase());
}

function decodeURIComponentSafe(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
