/**
 * `GET /api/v1/events` (filters as in the CLI, keyset cursor, optional free text), `GET /api/v1/events/export` (the
 * whole filtered set as CSV or JSON Lines, streamed) and `GET /api/v1/events/:id` (with the alerts containing it).
 */
import { Hono } from 'hono';
import type { EventQuery as StoreQuery } from '../../store/types.ts';
import { isoSeconds } from '../../util/time.ts';
import type { EventDetail, EventPage } from '../api-types.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { notFound } from '../errors.ts';
import { alertsOfEvent } from '../event-alerts.ts';
import { highlightRaw } from '../highlight.ts';
import { eventSummary } from '../serialize.ts';
import { matchesText, textSearch } from '../text-search.ts';
import { resolveActor } from '../../events/actor-names.ts';
import { exportStream } from '../../events/export.ts';
import { eventQueryOf } from '../../events/filter-query.ts';
import type { EventFilters } from '../../events/filters.ts';
import { checkRange, encodeCursor, EventQuery, EventsQuery, ExportQuery, parseQuery } from '../validate.ts';

type Filters = Omit<EventFilters, 'q'>;

/**
 * The store query for validated filters. An actor given as an email is resolved to its id through the people
 * rollup (the store indexes ids only); an ASN to the stored addresses of that AS (events/filter-query.ts).
 *
 * @example await toEventQuery(deps, { actor: 'matt.levene@acme.example' }) // { actor: 'W0MATT0001', ... }
 */
export async function toEventQuery(deps: ServerDeps, f: Filters): Promise<StoreQuery> {
  let actor = f.actor;
  if (actor?.includes('@')) actor = (await deps.store.uiReads().actorIdByEmail(actor)) ?? actor;
  // A name (or an e-mail the people directory knows) may name several people: any of them.
  const named = actor === undefined ? null : await resolveActor(deps.store, actor);
  const reads = deps.store.uiReads();
  // An ASN filter on half-loaded IP data would match no address: wait for it (only just after start).
  if (f.asn !== undefined) await deps.env.ipDataReady();
  const q = await eventQueryOf({ ...f, actor: named?.query.actor ?? actor }, { distinctIps: () => reads.distinctIps(), lookupAsn: (ip) => deps.env.lookupAsn(ip) });
  return named?.query.actors ? { ...q, actor: undefined, actors: named.query.actors } : q;
}

/**
 * @example api.route('/events', eventRoutes());
 */
export function eventRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(EventsQuery, c.req.url);
    checkRange(p);
    await deps.rollups.catchUp(2000, deps.clock.now());
    const q = { ...(await toEventQuery(deps, p)), before: p.cursor };
    if (p.q) {
      // Keeps the index within a few seconds of the events; what it has not folded in yet is matched one by one.
      void deps.store.eventSearch?.().catchUpInBackground().catch((e) => deps.log('search index catch-up failed', { error: (e as Error).message }));
      const res = await textSearch(deps.store, q, p.q, p.limit);
      return c.json({
        events: res.events.map(eventSummary),
        next: res.next ? encodeCursor(res.next) : null,
        partial: res.partial,
        ...(res.partial && res.next ? { searched_until: isoSeconds(res.next.ts) } : {}),
      } satisfies EventPage);
    }
    const events = await deps.store.queryEvents({ ...q, limit: p.limit });
    const last = events[events.length - 1];
    return c.json({
      events: events.map(eventSummary),
      next: events.length === p.limit && last ? encodeCursor({ ts: last.norm.ts, seq: last.seq }) : null,
      partial: false,
    } satisfies EventPage);
  });

  // Registered before '/:id'. A read like the list: every role may export; each export is logged with who asked.
  r.get('/export', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(ExportQuery, c.req.url);
    checkRange(p);
    await deps.rollups.catchUp(2000, deps.clock.now());
    const q = await toEventQuery(deps, p);
    const needle = p.q?.toLowerCase();
    const who = c.get('session')?.account.name ?? null;
    const params = new URL(c.req.url).search;
    deps.log('events export started', { account: who, format: p.format, params });
    const body = exportStream(deps.store, q, p.format, {
      keep: needle ? (e) => matchesText(e, needle) : undefined,
      onDone: (events) => deps.log('events export finished', { account: who, format: p.format, events }),
    });
    const stamp = isoSeconds(Math.floor(deps.clock.now() / 1000)).replace(/[-:]/g, '');
    return new Response(body, {
      headers: {
        'Content-Type': p.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="gridwatch-events-${stamp}.${p.format}"`,
        'Cache-Control': 'no-store',
      },
    });
  });

  r.get('/:id', async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const p = parseQuery(EventQuery, c.req.url);
    const e = await deps.store.getEvent(id);
    if (!e) throw notFound('event', id);
    // Seen from an alert, the fields that made it fire are highlighted.
    const alert = p.alert && deps.alerts ? await deps.alerts.get(p.alert) : null;
    if (p.alert && !alert) throw notFound('alert', p.alert);
    const alerts = await alertsOfEvent(deps.alerts, deps.store.incidentStore?.() ?? null, e.norm.id, e.norm.ts);
    return c.json({ event: eventSummary(e), raw: e.raw, highlight: highlightRaw(e.raw, alert), alerts } satisfies EventDetail);
  });

  return r;
}
