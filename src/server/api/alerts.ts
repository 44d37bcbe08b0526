/**
 * `GET /api/v1/alerts` (paged, with the total), `GET /api/v1/alerts/facets` (counts for the filters),
 * `GET /api/v1/alerts/:id` (with context, triggering events, status history and the rule's documentation) and
 * `POST /api/v1/alerts/:id/status` (responders and admins).
 */
import { Hono } from 'hono';
import type { Alert } from '../../alerts/types.ts';
import type { AlertDetail, AlertFacetList, AlertList, AlertListItem, AlertRuleInfo } from '../api-types.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { highlightRaw } from '../highlight.ts';
import { proposalOf } from '../../respond/proposal.ts';
import { actionJson } from './respond.ts';
import { eventSummary } from '../serialize.ts';
import { AlertFacetsQuery, AlertsQuery, checkRange, parseBody, parseQuery, StatusBody } from '../validate.ts';

/** Triggering events returned with one alert (the alert keeps up to 500 ids; the panel lists the newest). */
const MAX_EVENTS = 200;

/** An alert as listed: everything but the (large) context, plus its reasons and summary. */
function listed(a: Alert): AlertListItem {
  const { context, ...rest } = a;
  return { ...rest, summary: context?.summary ?? null, reasons: context?.reasons ?? [] };
}

/** The rule's own documentation from the loaded rules; null for a rule not loaded (removed or disabled since). */
function ruleInfo(deps: ServerDeps, id: string): AlertRuleInfo | null {
  const d = deps.rules.find((r) => r.id === id);
  return d ? { title: d.title, description: d.description, false_positives: d.false_positives, references: d.references, runbook: d.runbook, tags: d.tags } : null;
}

export function alertsOf(deps: ServerDeps) {
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
    const page = { offset: p.offset, limit: p.limit };
    if (!deps.alerts) return c.json({ alerts: [], available: false, total: 0, ...page } satisfies AlertList);
    const filter = { status: p.status, severity: p.severity, rule: p.rule, user: p.user, since: p.since, until: p.until };
    const [alerts, total] = await Promise.all([deps.alerts.list({ ...filter, ...page }), deps.alerts.count(filter)]);
    return c.json({ alerts: alerts.map(listed), available: true, total, ...page } satisfies AlertList);
  });

  // Before `/:id`, which would take "facets" for an alert id.
  r.get('/facets', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(AlertFacetsQuery, c.req.url);
    checkRange(p);
    if (!deps.alerts) return c.json({ available: false, total: 0, rules: [], statuses: [], severities: [], users: [] } satisfies AlertFacetList);
    return c.json({ available: true, ...(await deps.alerts.facets(p)) } satisfies AlertFacetList);
  });

  r.get('/:id', async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const a = await alertsOf(deps).get(id);
    if (!a) throw notFound('alert', id);
    const ids = a.event_ids.slice(-MAX_EVENTS);
    const events = (await deps.store.getEvents(ids)).map((e) => ({ ...eventSummary(e), highlight: highlightRaw(e.raw, a) }));
    const history = await alertsOf(deps).history(id);
    const records = await deps.store.actionLog().list({ alertId: id });
    const p = await proposalOf(deps.store.actionLog(), id, records);
    const proposal = p ? { action: p.action, scope: p.scope, mode: p.mode, status: p.status, ...(p.reason ? { reason: p.reason } : {}) } : null;
    const rule = ruleInfo(deps, a.rule);
    return c.json({ alert: a, events, events_truncated: a.event_ids.length > ids.length || a.event_count > a.event_ids.length, history, proposal, actions: records.map(actionJson), rule } satisfies AlertDetail);
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
