/** Loopback servers and a fake-time client for the Slack client's tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createAuditClient, type AuditClientOptions, type ClientEvent } from './audit-client.ts';

export const TOKEN = 'xoxp-1234567890-SECRET-token-value';

export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** Servers started by the current test, closed after it. */
const servers: Array<{ close(): void }> = [];
afterEach(() => {
  while (servers.length) servers.pop()!.close();
});

/** A loopback server answering with `handler`; records every request. */
export async function serve(handler: Handler) {
  const requests: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url!, headers: req.headers });
    handler(req, res, requests.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/audit/v1`, requests };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export const PAGE = '{"entries":[{"id":"a","date_create":1700000001,"action":"user_login"},{"id":"b","date_create":1700000000,"action":"anomaly","details":{"reason":["tor"]}}],"response_metadata":{"next_cursor":""}}';

/** A client with fake time: sleeps are recorded and advance the clock instantly. */
export function client(baseUrl: string, extra: Partial<AuditClientOptions> = {}) {
  const t = { now: 1_700_000_000_000, sleeps: [] as number[], events: [] as ClientEvent[] };
  const c = createAuditClient({
    baseUrl,
    token: TOKEN,
    clock: { now: () => t.now },
    sleep: async (ms) => {
      t.sleeps.push(ms);
      t.now += ms;
    },
    random: () => 0.5,
    onEvent: (e) => t.events.push(e),
    ...extra,
  });
  return { c, t };
}


/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
