/**
 * A connection pool from a `postgres://` URL. node-postgres reads the URL (with `sslmode`, e.g.
 * `?sslmode=verify-full&sslrootcert=...`) and fills what the URL leaves out from the libpq environment variables
 * (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`), as psql does.
 */
import pg from 'pg';
import { markConnectFailure, markConnectionLost } from './unreachable.ts';

const INT8 = 20;

/** bigint columns (seq, ts, counts) as JS numbers: every value gridwatch stores is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Is this a PostgreSQL connection URL (rather than a SQLite file path)?
 *
 * @example isPostgresUrl('postgres://gw@db.internal/gridwatch') // true
 */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/**
 * Session settings of gridwatch's connections, before the user's own (`PGOPTIONS`, or `options` in the URL, win).
 * JIT off: gridwatch's queries are short (a page of 100 events, a user's counts), yet the planner's estimate for
 * some passes `jit_above_cost` on a large store, and compiling then takes most of the time (10M events: the anomaly
 * reason filter spent 143 of 474 ms in JIT, and each parallel worker compiles again).
 */
export const SESSION_OPTIONS = '-c jit=off';

/**
 * @example const pool = openPool('postgres://gw@127.0.0.1:5432/gridwatch?sslmode=disable');
 */
export function openPool(url: string, max = 4): pg.Pool {
  const options = [SESSION_OPTIONS, process.env.PGOPTIONS].filter(Boolean).join(' ');
  const pool = new pg.Pool({ connectionString: url, max, types, application_name: 'gridwatch', options, Client: MarkedClient });
  pool.on('error', markConnectionLost);
  return pool;
}

type ConnectCallback = ((err: Error) => void) | ((err: null, c: pg.Client) => void);

/**
 * A client whose connection failures are marked as such (`markConnectionLost`), so the CLI says the database is
 * unreachable whatever node-postgres' wording. Two ways a connection fails:
 * - it dies in use (the server stopped or restarted): the client emits 'error', which would crash the process
 *   unhandled when it is checked out between two queries (the pool listens only to idle clients), so every client
 *   listens; the queries it fails get the same error object, marked before they see it;
 * - it dies while connecting (`pg_ctl stop -m immediate` resets the new socket): a bare `read ECONNRESET` with no
 *   address to tell it from a call to Slack, so it is marked here (`markConnectFailure`; the server's own refusals,
 *   a wrong password or "the database system is shutting down", carry a SQLSTATE that unreachable.ts reads).
 */
class MarkedClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    this.on('error', markConnectionLost);
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.Client> | void {
    if (!callback) return super.connect().catch((err: unknown) => Promise.reject((markConnectFailure(err), err)));
    super.connect(((err: Error | null, client?: pg.Client) => {
      if (err) markConnectFailure(err);
      (callback as (err: Error | null, c?: pg.Client) => void)(err, client);
    }) as ConnectCallback);
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
