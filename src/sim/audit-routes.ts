/**
 * The Audit Logs API endpoints: `GET /audit/v1/logs` (authenticated, rate limited, faulty on demand) and the open
 * `GET /audit/v1/schemas` and `GET /audit/v1/actions`.
 */
import { actionCatalogue, knownActions, schemas } from './catalogue.ts';
import type { CursorStore } from './cursor.ts';
import type { FaultInjector } from './faults.ts';
import { sendJson } from './http.ts';
import type { EventLog, Held } from './logs.ts';
import type { RouteContext } from './server.ts';

/** "Data is not available prior to March 2018" (S1): 2018-03-01T00:00:00Z. */
export const AUDIT_EPOCH = 1519862400;
/** How far past the simulator clock `oldest`/`latest` may point before the range counts as "in the future". */
export const FUTURE_SLACK_SEC = 60;
/** Slack documents no default `limit`; the simulator uses 100 (S11's recommended page size range starts there). */
export const DEFAULT_LIMIT = 100;
export const MAX_ACTIONS = 30;
const SERVED_MEMORY = 20_000;

/** What the `/logs` handler needs from the simulator. */
export interface LogsState {
  log: EventLog;
  cursors: CursorStore;
  faults: FaultInjector;
  visible: (h: Held) => boolean;
  maxLimit: number;
  defaultLimit: number;
  /** Entries already served, for the duplicate fault. */
  served: Held[];
}

type Parsed = { ok: true; value: number | undefined } | { ok: false };

function parseTime(raw: string | null): Parsed {
  if (raw === null || raw === '') return { ok: true, value: undefined };
  if (!/^\d{1,12}$/.test(raw.trim())) return { ok: false };
  return { ok: true, value: Number(raw.trim()) };
}

/** `limit`: absent or not a number → the default; below 1 → 1; above the maximum → the maximum. */
function parseLimit(raw: string | null, def: number, max: number): number {
  if (raw === null || !/^-?\d+$/.test(raw.trim())) return def;
  return Math.min(max, Math.max(1, Number(raw.trim())));
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Put a duplicate where it keeps the page sorted (newest first, then id descending). */
function insertSorted(entries: Held[], dup: Held): Held[] {
  const i = entries.findIndex((h) => h.ts < dup.ts || (h.ts === dup.ts && h.id < dup.id));
  return i < 0 ? [...entries, dup] : [...entries.slice(0, i), dup, ...entries.slice(i)];
}

/**
 * Assemble the `/logs` body from each entry's exact raw text (never re-serialised, so drift survives byte for byte).
 *
 * @example
 * logsBody(['{"id":"a"}'], '') // '{"entries":[{"id":"a"}],"response_metadata":{"next_cursor":""}}'
 */
export function logsBody(raws: string[], nextCursor: string): string {
  return `{"entries":[${raws.join(',')}],"response_metadata":{"next_cursor":${JSON.stringify(nextCursor)}}}`;
}

/**
 * `GET /audit/v1/logs`, after authentication and rate limiting (done by the caller).
 *
 * @example
 * sim.route('GET', '/audit/v1/logs', (ctx) => handleLogs(ctx, state));
 */
export async function handleLogs(ctx: RouteContext, st: LogsState): Promise<void> {
  const { res, url } = ctx;
  const delay = st.faults.delayMs();
  if (delay > 0) await wait(delay);
  const err = st.faults.error();
  if (err) {
    res.writeHead(err.status, { 'content-type': err.contentType, 'content-length': String(Buffer.byteLength(err.body)) });
    res.end(err.body);
    return;
  }
  const q = url.searchParams;
  const now = ctx.now();
  const oldest = parseTime(q.get('oldest'));
  const latest = parseTime(q.get('latest'));
  if (!oldest.ok || !latest.ok) return ctx.error('invalid_range');
  if (oldest.value !== undefined && (oldest.value < AUDIT_EPOCH || oldest.value > now + FUTURE_SLACK_SEC)) return ctx.error('invalid_range');
  if (latest.value !== undefined && latest.value > now + FUTURE_SLACK_SEC) return ctx.error('invalid_range');

  let actions: Set<string> | undefined;
  const actionParam = q.get('action');
  if (actionParam !== null && actionParam.trim() !== '') {
    const names = actionParam.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (names.length > MAX_ACTIONS) return ctx.error('invalid_action');
    const valid = knownActions();
    for (const a of st.log.actions()) valid.add(a);
    if (names.some((n) => !valid.has(n))) return ctx.error('invalid_action');
    actions = new Set(names);
  }

  let beforeTs: number | undefined;
  const cursor = q.get('cursor');
  if (cursor !== null && cursor !== '') {
    const found = st.cursors.resolve(cursor, now);
    if (!found.ok) {
      if (found.reason === 'expired') st.faults.record('cursor_expired');
      return ctx.error('invalid_cursor');
    }
    if (st.faults.loseCursor()) {
      st.cursors.forget(cursor);
      return ctx.error('invalid_cursor');
    }
    beforeTs = found.position.beforeTs;
  }

  const page = st.log.query(
    {
      oldest: oldest.value,
      latest: latest.value,
      beforeTs,
      actions,
      actor: q.get('actor') || undefined,
      entity: q.get('entity') || undefined,
      limit: parseLimit(q.get('limit'), st.defaultLimit, st.maxLimit),
    },
    st.visible,
  );
  let entries = page.entries;
  if (st.served.length > 0 && st.faults.duplicate()) {
    const onPage = new Set(entries.map((h) => h.id));
    const candidates = st.served.filter((h) => !onPage.has(h.id));
    if (candidates.length > 0) {
      entries = insertSorted(entries, candidates[st.faults.pickIndex(candidates.length)]!);
      st.faults.record('duplicate');
    }
  }
  for (const h of page.entries) st.served.push(h);
  if (st.served.length > SERVED_MEMORY) st.served.splice(0, st.served.length - SERVED_MEMORY);

  const next = page.nextBeforeTs === null ? '' : st.cursors.issue({ beforeTs: page.nextBeforeTs }, now);
  const body = Buffer.from(logsBody(entries.map((h) => h.sim.raw), next), 'utf8');
  const cut = st.faults.truncation();
  if (cut === null) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  const part = body.subarray(0, st.faults.cutPoint(body.length));
  if (cut === 'short') {
    // The lie: Content-Length says the part is the whole body, so the client reads a clean but unparsable response.
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(part.length) });
    res.end(part);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) });
  res.write(part, () => res.socket?.destroy());
}

/**
 * `GET /audit/v1/schemas`: open, no token needed (S1).
 *
 * @example
 * sim.route('GET', '/audit/v1/schemas', handleSchemas);
 */
export function handleSchemas(ctx: RouteContext): void {
  sendJson(ctx.res, 200, schemas());
}

/**
 * `GET /audit/v1/actions`: open, no token needed (S1).
 *
 * @example
 * sim.route('GET', '/audit/v1/actions', handleActions);
 */
export function handleActions(ctx: RouteContext): void {
  sendJson(ctx.res, 200, { actions: actionCatalogue() });
}
