/**
 * The DNS-rebinding defence: answer only requests whose `Host` names this server. A page on `evil.example` whose name
 * is re-pointed at 127.0.0.1 reaches the port, but its requests say `Host: evil.example`, and are refused with 421.
 *
 * Accepted: the loopback names (`127.0.0.1`, `localhost`, `[::1]`) and the listening address, each with the listening
 * port; the host of `--public-url` and every `--allowed-host` (any port unless one is given: a reverse proxy may or
 * may not pass it on).
 */
import type { MiddlewareHandler } from 'hono';

interface Entry {
  name: string;
  /** null: any port. */
  port: number | null;
}

const HOST_RE = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::(\d{1,5}))?$/;

/**
 * Split a `Host` value (or an `--allowed-host` argument) into a lower-case name and a port, or null when malformed.
 *
 * @example parseHost('LocalHost:8080') // { name: 'localhost', port: 8080 }
 * @example parseHost('[::1]')          // { name: '[::1]', port: null }
 */
export function parseHost(value: string): Entry | null {
  const m = HOST_RE.exec(value.trim().toLowerCase());
  if (!m) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { name: m[1]!, port };
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

export class HostAllowList {
  private readonly entries: Entry[] = [];
  private readonly listenHost: string;

  /**
   * @example
   * const hosts = new HostAllowList({ listenHost: '127.0.0.1', publicUrl: 'https://gw.example.com/' });
   * hosts.listening(8080);
   * hosts.allows('gw.example.com') // true
   * hosts.allows('evil.example:8080') // false
   */
  constructor(opts: { listenHost: string; publicUrl?: string; allowedHosts?: readonly string[] }) {
    this.listenHost = opts.listenHost;
    if (opts.publicUrl) this.entries.push({ name: new URL(opts.publicUrl).hostname.toLowerCase(), port: null });
    for (const h of opts.allowedHosts ?? []) {
      const e = parseHost(h);
      if (!e) throw new Error(`not a host name: ${JSON.stringify(h)} (--allowed-host takes a name or address, optionally with :port)`);
      this.entries.push(e);
    }
  }

  /** Add the loopback names and the listening address with the port, once it is known (port 0 picks one). */
  listening(port: number): void {
    const listen = this.listenHost.includes(':') && !this.listenHost.startsWith('[') ? `[${this.listenHost}]` : this.listenHost;
    for (const name of ['127.0.0.1', 'localhost', '[::1]', ...(WILDCARDS.has(listen) ? [] : [listen.toLowerCase()])]) {
      this.entries.push({ name, port });
    }
  }

  /** Does this `Host` header name us? */
  allows(host: string | undefined): boolean {
    const h = host === undefined ? null : parseHost(host);
    if (!h) return false;
    return this.entries.some((e) => e.name === h.name && (e.port === null || e.port === h.port));
  }
}

/**
 * Middleware refusing requests for other host names with 421 (before any route or file is touched).
 *
 * @example app.use('*', hostGuard(hosts));
 */
export function hostGuard(hosts: HostAllowList): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host');
    if (hosts.allows(host)) return next();
    const name = JSON.stringify((host ?? '').slice(0, 200));
    return c.json(
      {
        error: {
          code: 'misdirected_request',
          message: `this server does not answer for the host ${name}: use the address gridwatch printed, or start it with --public-url or --allowed-host naming this host`,
        },
      },
      421,
    );
  };
}
