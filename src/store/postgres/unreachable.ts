/**
 * Telling "the PostgreSQL server cannot be reached" apart from every other error, so the CLI can say so in one line
 * (the server stopped, restarted, refused or dropped the connection) instead of node-postgres' bare wording.
 */

/** Socket errors that mean the server is not there (refused, reset, unreachable, unknown host). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** node-postgres' own wording for a connection that ended under it (these errors carry no code). */
const LOST = [/^Connection terminated/i, /connection error and is not queryable/i, /timeout exceeded when trying to connect/i];

/** Set on the errors a pooled connection emitted as it died (connect.ts): whatever their code, they are this. */
const LOST_MARK = Symbol.for('gridwatch.pg.connectionLost');

/**
 * Mark an error a PostgreSQL connection emitted as it died ('error' on the client: reset, broken pipe, the server's
 * goodbye), so `pgUnreachable` knows it from the same socket error of another server (Slack, a webhook).
 *
 * @example client.on('error', markConnectionLost);
 */
export function markConnectionLost(e: unknown): void {
  if (e && typeof e === 'object') (e as Record<symbol, boolean>)[LOST_MARK] = true;
}

/**
 * Mark an error of connecting to the PostgreSQL server when it says the server is not there: a socket error (a read
 * reset carries no address to tell it from a call to Slack) or node-postgres' "terminated" wording. TLS and
 * authentication failures stay unmarked: their own message says what is wrong.
 *
 * @example client.connect((err) => { if (err) markConnectFailure(err); ... });
 */
export function markConnectFailure(e: unknown): void {
  if (!(e instanceof Error) || 'severity' in e) return;
  const code = (e as { code?: unknown }).code;
  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || LOST.some((r) => r.test(e.message))) markConnectionLost(e);
}

/** An error a worker thread posted (worker-error.mjs `postedError`). */
export type PostedError = { error: string; detail?: object; lost?: boolean };

/**
 * The Error a worker posted, made again on this thread: `prefix` and the message, with the worker's error as the
 * cause carrying what `pgUnreachable` reads (code, severity, address, the lost mark).
 *
 * @example if ('error' in m) throw errorFromWorker(m, 'scan worker');
 */
export function errorFromWorker(m: PostedError, prefix: string): Error {
  const cause = Object.assign(new Error(m.error), m.detail);
  if (m.lost) markConnectionLost(cause);
  return new Error(`${prefix}: ${m.error}`, { cause });
}

type SocketError = Error & { code?: unknown; severity?: unknown; errors?: unknown; port?: unknown; hostname?: unknown };

/** A socket error of a connection to `server` (not, say, of a call to Slack or a webhook that failed the same way). */
function socketErrorOf(x: SocketError, server: URL): boolean {
  if (typeof x.code !== 'string' || !NETWORK_CODES.has(x.code)) return false;
  if (x.port !== undefined) return String(x.port) === (server.port || '5432');
  if (x.hostname !== undefined) return x.hostname === server.hostname;
  // Connecting to a name with several addresses fails with an AggregateError holding one error per address.
  return Array.isArray(x.errors) && x.errors.some((y) => y instanceof Error && socketErrorOf(y, server));
}

function reasonOf(x: SocketError, server: URL): string | null {
  const code = typeof x.code === 'string' ? x.code : '';
  // A server's error: SQLSTATE class 08 (connection exception); 57P01–57P03: shutting down, crashed, starting up.
  const fromServer = typeof x.severity === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code));
  const marked = (x as unknown as Record<symbol, unknown>)[LOST_MARK] === true;
  if (!marked && !fromServer && !LOST.some((r) => r.test(x.message)) && !socketErrorOf(x, server)) return null;
  const first = Array.isArray(x.errors) && x.errors[0] instanceof Error ? x.errors[0].message : '';
  return x.message || first || code;
}

/**
 * Why `e` (or an error in its `cause` chain) means the PostgreSQL server at `url` is unreachable, or null for any
 * other error.
 *
 * @example pgUnreachable(new Error('Connection terminated unexpectedly'), url) // 'Connection terminated unexpectedly'
 */
export function pgUnreachable(e: unknown, url: string): string | null {
  let server: URL;
  try {
    server = new URL(url);
  } catch {
    return null;
  }
  let x: unknown = e;
  for (let depth = 0; x instanceof Error && depth < 8; depth++, x = x.cause) {
    const reason = reasonOf(x, server);
    if (reason) return reason;
  }
  return null;
}
