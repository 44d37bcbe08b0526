/**
 * `GET /api/v1/alerts`, `GET /api/v1/alerts/:id` (with context and triggering events) and
 * `POST /api/v1/alerts/:id/status` (responders and admins).
 */
import { Hono } from 'hono';
import type { Alert } from '../../alerts/types.ts';
import type { AlertDetail, AlertList, AlertListItem } from '../api-types.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { highlightRaw } from '../highlight.ts';
import { eventSummary, eventsByIds } from '../serialize.ts';
import { AlertsQuery, checkRange, parseBody, parseQuery, StatusBody } from '../validate.ts';

/** Triggering events returned with one alert (the alert keeps up to 500 ids; the panel lists the newest). */
const MAX_EVENTS = 200;

/** An alert as listed: everything but the (large) context, plus its reasons and summary. */
function listed(a: Alert): AlertListItem {
  const { context, ...rest } = a;
  return { ...rest, summary: context?.summary ?? null, reasons: context?.reasons ?? [] };
}

function alertsOf(deps: ServerDeps) {
  if (!deps.alerts) throw new HttpError(503, 'alerts_unavailable', 'this database has no alerts (run detection first)');
  return deps.alerts;
}

/**
 * @example api.route('/alerts', alertRoutes());
 */
export function alertRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(AlertsQuery, c.req.url);
    checkRange(p);
    if (!deps.alerts) return c.json({ alerts: [], available: false } satisfies AlertList);
    const alerts = await deps.alerts.list({ status: p.status, severity: p.severity, rule: p.rule, user: p.user, since: p.since, until: p.until, limit: p.limit });
    return c.json({ alerts: alerts.map(listed), available: true } satisfies AlertList);
  });

  r.get('/:id', async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const a = await alertsOf(deps).get(id);
    if (!a) throw notFound('alert', id);
    const ids = a.event_ids.slice(-MAX_EVENTS);
    const events = eventsByIds(deps.store.db, ids).map((e) => ({ ...eventSummary(e), highlight: highlightRaw(e.raw, a) }));
    return c.json({ alert: a, events, events_truncated: a.event_ids.length > ids.length || a.event_count > a.event_ids.length } satisfies AlertDetail);
  });

  r.post('/:id/status', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const body = await parseBody(StatusBody, c.req.raw);
    const s = c.get('session')!;
    const store = alertsOf(deps);
    const note = body.note?.trim() ? body.note.trim() : null;
    const a = await store.updateStatus(id, body.status, note, s.account.name, deps.clock.now());
    if (!a) throw notFound('alert', id);
    deps.log(`alert ${id} set to ${body.status} by "${s.account.name}"`);
    return c.json({ alert: a });
  });

  return r;
}
