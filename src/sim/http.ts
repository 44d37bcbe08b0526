/**
 * Small HTTP helpers on node:http: error bodies in Slack's `{ok:false,error}` shape with the status codes of
 * docs/slack-api.md 1.6, bearer tokens, and Web API parameters from the query, a form or a JSON body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Status per error code. Slack does not map its Audit API errors to statuses; these are the [INFERRED] defaults of
 * docs/slack-api.md 1.6, overridable per simulator (`errorStatus`).
 */
export const DEFAULT_ERROR_STATUS: Readonly<Record<string, number>> = {
  missing_authentication: 401,
  invalid_authentication: 401,
  feature_not_enabled: 403,
  team_not_authorized: 403,
  user_not_authorized: 403,
  invalid_workspace: 403,
  method_not_allowed: 403,
  invalid_cursor: 400,
  invalid_range: 400,
  invalid_action: 400,
  bad_endpoint: 404,
  unknown_method: 404,
  rate_limited: 429,
  ratelimited: 429,
};

/**
 * Send a JSON body. A string is sent as is (that is how `/logs` sends its hand-assembled body).
 *
 * @example
 * sendJson(res, 200, { ok: true });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * Send `{"ok":false,"error":code}` with the status the code maps to (or `status` when given).
 *
 * @example
 * sendError(res, 'invalid_cursor'); // 400 {"ok":false,"error":"invalid_cursor"}
 */
export function sendError(
  res: ServerResponse,
  code: string,
  opts: { status?: number; statusMap?: Readonly<Record<string, number>>; headers?: Record<string, string> } = {},
): void {
  const status = opts.status ?? opts.statusMap?.[code] ?? DEFAULT_ERROR_STATUS[code] ?? 400;
  sendJson(res, status, { ok: false, error: code }, opts.headers);
}

/**
 * The token of an `Authorization: Bearer` header; null when absent or not a bearer header.
 *
 * @example
 * bearerToken(req) // 'xoxp-sim-owner-…'
 */
export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/**
 * Read a request body as UTF-8 text, refusing more than `maxBytes`.
 *
 * @example
 * const text = await readBody(req);
 */
export async function readBody(req: IncomingMessage, maxBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw new Error(`request body over ${maxBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Web API arguments: the query string, then a form or JSON body on top (Slack accepts both, docs/slack-api.md 8).
 * Repeated form keys become arrays; JSON values keep their types.
 *
 * @example
 * parseParams(new URL('http://x/api/m?a=1'), 'application/x-www-form-urlencoded', 'b=2&b=3') // { a: '1', b: ['2', '3'] }
 */
export function parseParams(url: URL, contentType: string | undefined, body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const addForm = (sp: URLSearchParams): void => {
    for (const [k, v] of sp) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  };
  addForm(url.searchParams);
  const ct = (contentType ?? '').toLowerCase();
  if (body.trim() === '') return out;
  if (ct.includes('application/json')) {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(out, parsed);
  } else {
    addForm(new URLSearchParams(body));
  }
  return out;
}
