/**
 * Test helpers for the sink suites: a migrated SQLite database and a real loopback HTTP receiver whose behaviour
 * the test switches (accept, fail with a status, or hang until the client gives up).
 */
import Database from 'better-sqlite3';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrations } from '../store/sqlite/migrations.ts';
import type { DeliverableAlert } from './types.ts';

/**
 * Open (or re-open) a database file with the outbox migration applied, as `openSqliteStore` would.
 * Only migration 3 is applied so these tests do not depend on other components' tables.
 *
 * @example
 * const db = openOutboxDb(join(dir, 'gw.db'));
 */
export function openOutboxDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const current = db.pragma('user_version', { simple: true }) as number;
  const m = migrations.find((x) => x.version === 3);
  if (!m) throw new Error('migration 3 missing');
  if (current < 3) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma('user_version = 3');
    })();
  }
  return db;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status answered, or null when the request was left hanging. */
  status: number | null;
}

export interface Receiver {
  url: string;
  /** `200` (default) or any status to answer, or `'hang'` to never answer. */
  mode: number | 'hang';
  /** Every request seen, in order. */
  requests: ReceivedRequest[];
  /** Bodies of requests answered with a 2xx: what the receiver actually accepted. */
  accepted(): string[];
  close(): Promise<void>;
}

/**
 * Start an HTTP receiver on 127.0.0.1 (a random free port).
 *
 * @example
 * const rx = await startReceiver();
 * rx.mode = 500;
 */
export async function startReceiver(): Promise<Receiver> {
  const rx: Receiver = {
    url: '',
    mode: 200,
    requests: [],
    accepted: () => rx.requests.filter((r) => r.status !== null && r.status >= 200 && r.status < 300).map((r) => r.body),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: null };
      rx.requests.push(rec);
      if (rx.mode === 'hang') return; // never answer: the client must time out
      rec.status = rx.mode;
      res.writeHead(rx.mode, { 'content-type': 'text/plain' }).end(rx.mode < 300 ? 'ok' : 'receiver failure');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  rx.url = `http://127.0.0.1:${port}/hook`;
  rx.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return rx;
}

/**
 * A sample alert; override any field.
 *
 * @example
 * const a = alert({ severity: 'critical' });
 */
export function alert(over: Partial<DeliverableAlert> = {}): DeliverableAlert {
  return {
    id: 'al-1',
    rule: 'mass-download',
    severity: 'high',
    title: 'Mass file download',
    user_id: 'W0EXAMPLE1',
    user_name: 'User McUser',
    first_seen: '2024-05-01T12:00:00.000Z',
    last_seen: '2024-05-01T12:09:30.000Z',
    event_ids: ['e1', 'e2', 'e3'],
    context: { files_downloaded: 57, ip: '203.0.113.44' },
    ...over,
  };
}
