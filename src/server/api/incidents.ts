/**
 * `GET /api/v1/incidents` (paged, with the total; newest activity first, the most severe first among equals),
 * `GET /api/v1/incidents/:id` (its alerts, comments and history), and for responders and admins
 * `POST /api/v1/incidents/:id/status`, `/:id/assign`, `/:id/comments` and `POST /api/v1/incidents/status` (many ids).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { SEVERITIES, type Alert } from '../../alerts/types.ts';
import { incidentJson } from '../../incidents/format.ts';
import { assignIncident, commentIncident, IncidentError, incidentDetail, setIncidentStatus, type IncidentDeps } from '../../incidents/service.ts';
import { INCIDENT_STATUSES } from '../../incidents/types.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { badParam, HttpError, notFound } from '../errors.ts';
import { parseBody, parseQuery } from '../validate.ts';

const status = z.enum(INCIDENT_STATUSES, { error: `must be one of ${INCIDENT_STATUSES.join(', ')}` });
const note = z.string().max(2000, 'must be at most 2000 characters').nullish();
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const intIn = (min: number, max: number) =>
  z.string().regex(/^\d+$/, `must be an integer between ${min} and ${max}`).transform(Number).pipe(z.number().int().min(min, `must be an integer between ${min} and ${max}`).max(max, `must be an integer between ${min} and ${max}`));

export const IncidentsQuery = z.strictObject({
  status: z.array(status).optional(),
  severity: z.array(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })).optional(),
  user: text(200).optional(),
  assignee: text(64).optional(),
  limit: intIn(1, 500).default(100),
  offset: intIn(0, 10_000_000).default(0),
});
export const IncidentStatusBody = z.strictObject({ status, note });
export const BulkStatusBody = z.strictObject({ ids: z.array(text(100)).min(1, 'give at least one id').max(500, 'at most 500 ids'), status, note });
export const AssignBody = z.strictObject({ assignee: text(64).nullable() });
export const CommentBody = z.strictObject({ text: text(10_000) });

function depsOf(deps: ServerDeps): IncidentDeps {
  if (!deps.alerts) throw new HttpError(503, 'alerts_unavailable', 'this database has no alerts (run detection first)');
  return { store: deps.store, alerts: deps.alerts, incidents: deps.store.incidentStore() };
}

/** An incident action, its refusals as HTTP errors. */
async function act<T>(id: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof IncidentError) throw e.code === 'not_found' ? notFound('incident', id) : badParam('assignee', e.message);
    throw e;
  }
}

/** An alert as listed beside its incident: everything but the (large) context, plus its summary. */
function listed(a: Alert) {
  const { context, ...rest } = a;
  return { ...rest, summary: context?.summary ?? null, reasons: context?.reasons ?? [] };
}

const noteOf = (n: string | null | undefined) => (n?.trim() ? n.trim() : null);

/**
 * @example api.route('/incidents', incidentRoutes());
 */
export function incidentRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const p = parseQuery(IncidentsQuery, c.req.url);
    const d = depsOf(c.get('deps'));
    const filter = { status: p.status, severity: p.severity, user: p.user, assignee: p.assignee };
    const [list, total] = await Promise.all([d.incidents.list({ ...filter, limit: p.limit, offset: p.offset }), d.incidents.count(filter)]);
    return c.json({ incidents: list.map(incidentJson), total, offset: p.offset, limit: p.limit });
  });

  // Before `/:id/...`: many incidents at once (the list's bulk acknowledge / resolve).
  r.post('/status', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const body = await parseBody(BulkStatusBody, c.req.raw);
    const d = depsOf(deps);
    const by = c.get('session')!.account.name;
    const updated = [];
    const missing: string[] = [];
    for (const id of new Set(body.ids)) {
      if (!(await d.incidents.get(id))) missing.push(id);
      else updated.push(incidentJson(await setIncidentStatus(d, id, body.status, noteOf(body.note), by, deps.clock.now())));
    }
    deps.log(`${updated.length} incident(s) set to ${body.status} by "${by}"`);
    return c.json({ incidents: updated, missing });
  });

  r.get('/:id', async (c) => {
    const id = c.req.param('id');
    const detail = await act(id, () => incidentDetail(depsOf(c.get('deps')), id));
    return c.json({ incident: incidentJson(detail.incident), alerts: detail.alerts.map(listed), comments: detail.comments, history: detail.history });
  });

  r.post('/:id/status', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const body = await parseBody(IncidentStatusBody, c.req.raw);
    const by = c.get('session')!.account.name;
    const inc = await act(id, () => setIncidentStatus(depsOf(deps), id, body.status, noteOf(body.note), by, deps.clock.now()));
    deps.log(`incident ${id} set to ${body.status} by "${by}"`);
    return c.json({ incident: incidentJson(inc) });
  });

  r.post('/:id/assign', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const body = await parseBody(AssignBody, c.req.raw);
    const inc = await act(id, () => assignIncident(depsOf(deps), id, body.assignee, c.get('session')!.account.name, deps.clock.now()));
    return c.json({ incident: incidentJson(inc) });
  });

  r.post('/:id/comments', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const body = await parseBody(CommentBody, c.req.raw);
    const comment = await act(id, () => commentIncident(depsOf(deps), id, c.get('session')!.account.name, body.text, deps.clock.now()));
    return c.json({ comment }, 201);
  });

  return r;
}
