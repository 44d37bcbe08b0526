/**
 * Query-string and body validation for the HTTP API: zod schemas per endpoint, and one parser that turns the first
 * problem into a 400 naming the parameter (`invalid parameter "limit": ...`). Unknown parameters are rejected too:
 * a misspelt filter (`acton=`) silently ignored would show the analyst unfiltered data as if it were filtered.
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { ALERT_STATUSES, SEVERITIES } from '../alerts/types.ts';
import { EVENT_LIST_FILTERS, EventFilterShape, shortText, splitList, time } from '../events/filters.ts';
import { ROLES } from './auth/users.ts';
import { badParam, HttpError } from './errors.ts';

/** Parameters that may be repeated (`action=a&action=b`) or comma-separated (`action=a,b`). */
const LIST_PARAMS = new Set([...EVENT_LIST_FILTERS, 'status', 'severity', 'rule']);

const intIn = (min: number, max: number) =>
  z.string().regex(/^\d+$/, `must be an integer between ${min} and ${max}`).transform(Number).pipe(
    z.number().int().min(min, `must be an integer between ${min} and ${max}`).max(max, `must be an integer between ${min} and ${max}`),
  );

/** Keyset cursor: `<ts>.<seq>` base64url-encoded, opaque to clients. */
const cursor = z.string().transform((v, ctx) => {
  const m = /^(\d{1,12})\.(\d{1,15})$/.exec(Buffer.from(v, 'base64url').toString('latin1'));
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor returned by this API (use the "next" value of a previous page)' });
    return z.NEVER;
  }
  return { ts: Number(m[1]), seq: Number(m[2]) };
});

/**
 * Encode a keyset position as the opaque `next` cursor.
 *
 * @example encodeCursor({ ts: 1767225600, seq: 42 }) // 'MTc2NzIyNTYwMC40Mg'
 */
export function encodeCursor(p: { ts: number; seq: number }): string {
  return Buffer.from(`${p.ts}.${p.seq}`, 'latin1').toString('base64url');
}

export { EventFilterShape };

export const EventsQuery = z.strictObject({ ...EventFilterShape, limit: intIn(1, 1000).default(100), cursor: cursor.optional() });
export type EventsQuery = z.infer<typeof EventsQuery>;

/** `GET /events/export`: the list's filters, the whole matching set, as CSV or JSON Lines. */
export const ExportQuery = z.strictObject({ ...EventFilterShape, format: z.enum(['csv', 'jsonl'], { error: 'must be csv or jsonl' }) });
export type ExportQuery = z.infer<typeof ExportQuery>;

/** One event; `alert` highlights the fields that made that alert fire. */
export const EventQuery = z.strictObject({ alert: shortText(100).optional() });

export const VolumeQuery = z.strictObject({ ...EventFilterShape, buckets: intIn(10, 1000).default(120) });
export type VolumeQuery = z.infer<typeof VolumeQuery>;

export const AlertsQuery = z.strictObject({
  status: z.array(z.enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(', ')}` })).optional(),
  severity: z.array(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })).optional(),
  rule: z.array(shortText(120)).optional(),
  user: shortText().optional(),
  since: time.optional(),
  until: time.optional(),
  // One page: the answer's `total` says how many match, `offset` reaches the rest (no page of thousands of alerts).
  limit: intIn(1, 500).default(500),
  offset: intIn(0, 10_000_000).default(0),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

/** `GET /alerts/facets`: the list's filters, without paging. */
export const AlertFacetsQuery = AlertsQuery.omit({ limit: true, offset: true });

export const RangeQuery = z.strictObject({ since: time.optional(), until: time.optional() });
export type RangeQuery = z.infer<typeof RangeQuery>;

export const PeopleQuery = z.strictObject({ q: z.string().trim().max(100, 'must be at most 100 characters').default(''), limit: intIn(1, 100).default(20) });

export const StatusBody = z.strictObject({
  status: z.enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(', ')}` }),
  note: z.string().max(2000, 'must be at most 2000 characters').nullish(),
});

export const LoginBody = z.strictObject({ name: z.string().min(1, 'required').max(100), password: z.string().min(1, 'required').max(1000) });
export const PasswordBody = z.strictObject({
  current: z.string().min(1, 'required').max(1000),
  password: z.string().min(12, 'must be at least 12 characters').max(1000, 'must be at most 1000 characters'),
});

export const AccountName = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'use 1-64 letters, digits, "_", ".", "@" or "-"');
export const NewAccountBody = z.strictObject({
  name: AccountName,
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
  password: PasswordBody.shape.password.optional(),
});
export const AccountPatchBody = z.strictObject({ role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }) });

function raise(err: z.ZodError, where: 'query' | 'body'): never {
  const issue = err.issues[0]!;
  const param = issue.path.length ? String(issue.path[0]) : where;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    throw badParam(key, `unknown ${where === 'query' ? 'parameter' : 'field'}`);
  }
  throw badParam(param, issue.message);
}

/**
 * Parse a URL's query string with a schema. List parameters may repeat or be comma-separated; other parameters must
 * appear once.
 *
 * @example
 * const q = parseQuery(EventsQuery, c.req.url); // throws HttpError 400 naming the parameter
 */
export function parseQuery<S extends z.ZodType>(schema: S, url: string): z.infer<S> {
  const params = new URL(url).searchParams;
  const obj: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (LIST_PARAMS.has(key)) {
      // Empty items are kept: the schema rejects them (`action=` is an error, not "every action").
      obj[key] = splitList(values);
    } else {
      if (values.length > 1) throw badParam(key, 'given more than once');
      obj[key] = values[0]!;
    }
  }
  const r = schema.safeParse(obj);
  if (!r.success) raise(r.error, 'query');
  return r.data;
}

/** The 400 for a NUL character: no stored text holds one (PostgreSQL's text cannot, and errors on it in a query). */
const nulRefused = (where: string) => badParam(where, 'must not contain NUL characters (U+0000)');

/**
 * Middleware: refuse a NUL character (`%00`) anywhere in the path or query string with a 400, before a route hands
 * it to the store (where PostgreSQL would fail the query: a 500 instead of "no such thing").
 *
 * @example api.use('*', refuseNul);
 */
export const refuseNul: MiddlewareHandler = async (c, next) => {
  const u = new URL(c.req.url);
  if (u.pathname.includes('%00')) throw nulRefused('path');
  if (u.search.includes('%00')) throw nulRefused([...u.searchParams].find(([k, v]) => `${k}${v}`.includes('\0'))?.[0] ?? 'query');
  await next();
};

/**
 * Parse a JSON request body with a schema (415 if it is not JSON, 400 naming the field otherwise).
 *
 * @example const body = await parseBody(StatusBody, c.req.raw);
 */
export async function parseBody<S extends z.ZodType>(schema: S, req: Request): Promise<z.infer<S>> {
  if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as JSON (Content-Type: application/json)');
  }
  const text = await req.text();
  if (text.length > 64 * 1024) throw new HttpError(413, 'too_large', 'request body larger than 64 KiB');
  let value: unknown;
  try {
    value = JSON.parse(text, (k, v) => {
      if (k.includes('\0') || (typeof v === 'string' && v.includes('\0'))) throw nulRefused(k || 'body');
      return v;
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw badParam('body', 'not valid JSON');
  }
  const r = schema.safeParse(value);
  if (!r.success) raise(r.error, 'body');
  return r.data;
}

/** Check `since <= until` when both are given. */
export function checkRange(q: { since?: number; until?: number }): void {
  if (q.since !== undefined && q.until !== undefined && q.since > q.until) throw badParam('until', 'must not be before "since"');
}

/** Endpoints without parameters still reject unknown ones. */
export const NoQuery = z.strictObject({});

export const TimelineQuery = RangeQuery.extend({ buckets: intIn(10, 1000).default(168) });
