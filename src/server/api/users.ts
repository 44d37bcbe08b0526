/**
 * The people in the audit log (Slack users, by actor id), not the UI's own accounts:
 * - `GET /api/v1/users?q=` search by id, name or email (from the people rollup);
 * - `GET /api/v1/users/:id` summary: IPs, ASNs and user agents with first/last seen, daily `file_downloaded` and
 *   `excessive_downloads` counts against the user's own baseline (the baseline rule's limit for the latter, see
 *   `user-daily.ts`), files downloaded, anomalies and alerts;
 * - `GET /api/v1/users/:id/timeline` activity per bucket with anomalies and alerts to mark on it.
 */
import { actionJson } from './respond.ts';
import { Hono } from 'hono';
import { parseUserAgent } from '../../enrich/ua.ts';
import type { PersonRow, UsageRow } from '../../store/entity-reads.ts';
import { isoSeconds } from '../../util/time.ts';
import type { Timeline, UserSummary } from '../api-types.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { notFound } from '../errors.ts';
import { bucketGrid } from '../buckets.ts';
import { capped, MAX_LIST, MAX_TIMELINE_MARKS, MAX_USER_MARKS, MAX_USER_RANGE_DAYS } from '../limits.ts';
import { eventSummary } from '../serialize.ts';
import { checkRange, parseQuery, PeopleQuery, RangeQuery, TimelineQuery } from '../validate.ts';
import { ipFacts } from './ips.ts';
import { dailySeries } from './user-daily.ts';

/** How far back "first seen" looks before the selected range. */
const HISTORY_DAYS = 90;
const WEEK = 7 * 86400;
/** Timeline bucket widths offered, seconds (past a week: whole days, see `bucketGrid`). */
const TIMELINE_WIDTHS = [300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];

async function person(deps: ServerDeps, id: string): Promise<PersonRow | null> {
  deps.rollups.catchUp(2000, deps.clock.now());
  return deps.store.entityReads().person(id);
}

/**
 * The person a `/users/:id` request is about (404 when unknown) and the selected range, checked, defaulting to the
 * seven days up to the user's last event. The range is cut to what can hold the user's data (nothing after now or
 * their last event, nothing before their first event but the default week) and to `MAX_USER_RANGE_DAYS` ending at
 * `until`: `since=0000-01-01&until=9999-12-31` once built a daily series of 3.6 million days. `clamped` says so.
 */
async function personInRange(deps: ServerDeps, id: string, p: { since?: number; until?: number }) {
  checkRange(p);
  const who = await person(deps, id);
  if (!who) throw notFound('user', id);
  const askedUntil = p.until ?? who.last_ts;
  const askedSince = p.since ?? Math.min(askedUntil, who.last_ts) - WEEK + 1;
  const until = Math.min(askedUntil, Math.max(Math.floor(deps.clock.now() / 1000), who.last_ts));
  let since = Math.min(until, Math.max(askedSince, Math.min(who.first_ts, until - WEEK + 1)));
  // Whole days of the configured time zone, so the daily series has at most MAX_USER_RANGE_DAYS entries.
  since = Math.max(since, deps.env.tz.dayStart(deps.env.tz.dayOf(until) - MAX_USER_RANGE_DAYS + 1));
  return { who, since, until, clamped: since !== askedSince || until !== askedUntil };
}

function usage(deps: ServerDeps, col: 'ip' | 'ua', id: string, since: number, until: number): Promise<UsageRow[]> {
  return deps.store.entityReads().userUsage(id, col, { from: since - HISTORY_DAYS * 86400, since, until }, MAX_LIST + 1);
}

const seen = (r: UsageRow) => ({ first_seen: isoSeconds(r.first), last_seen: isoSeconds(r.last), count: r.n, in_range: r.in_range });

/**
 * @example api.route('/users', userRoutes());
 */
export function userRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(PeopleQuery, c.req.url);
    deps.rollups.catchUp(2000, deps.clock.now());
    const rows = await deps.store.entityReads().searchPeople(p.q, p.limit);
    return c.json({ users: rows.map((u) => ({ id: u.id, name: u.name, email: u.email, first_seen: isoSeconds(u.first_ts), last_seen: isoSeconds(u.last_ts), events: u.n })) });
  });

  r.get('/:id', async (c) => {
    const deps = c.get('deps');
    const { who, since, until, clamped } = await personInRange(deps, c.req.param('id'), parseQuery(RangeQuery, c.req.url));
    await deps.env.ipDataReady(); // the IPs' ASN and trust, as on the IP page
    const { rows: ipRows, truncated: ipsTruncated } = capped(await usage(deps, 'ip', who.id, since, until), MAX_LIST);
    const ips = ipRows.map((row) => ({ ip: row.v, ...seen(row), ...ipFacts(deps, row.v) }));
    const asns = new Map<number, { asn: number; name: string | null; ips: string[]; count: number; first: number; last: number }>();
    for (const row of ipRows) {
      const a = deps.env.lookupAsn(row.v);
      if (!a) continue;
      const g = asns.get(a.asn) ?? { asn: a.asn, name: a.name ?? null, ips: [], count: 0, first: row.first, last: row.last };
      g.ips.push(row.v);
      g.count += row.n;
      g.first = Math.min(g.first, row.first);
      g.last = Math.max(g.last, row.last);
      asns.set(a.asn, g);
    }
    const uaRows = capped(await usage(deps, 'ua', who.id, since, until), MAX_LIST);
    const userAgents = uaRows.rows.map((row) => {
      const ua = parseUserAgent(row.v);
      return { ua: row.v, family: ua.family, name: ua.name, version: ua.version, os: ua.os, expected: deps.env.expectedUa(row.v), ...seen(row) };
    });
    const fileRows = await deps.store.entityReads().userFiles(who.id, since, until, MAX_LIST + 1);
    const files = capped(fileRows, MAX_LIST);
    const anomalies = capped(await deps.store.queryEvents({ actor: who.id, actions: ['anomaly'], since, until, limit: MAX_USER_MARKS + 1 }), MAX_USER_MARKS);
    const alerts = capped(deps.alerts ? await deps.alerts.list({ user: who.id, since, until, limit: MAX_USER_MARKS + 1 }) : [], MAX_USER_MARKS);
    return c.json({
      user: { id: who.id, name: who.name, email: who.email, first_seen: isoSeconds(who.first_ts), last_seen: isoSeconds(who.last_ts), events: who.n },
      range: { since, until, clamped },
      ips,
      ips_truncated: ipsTruncated,
      asns: [...asns.values()].map((g) => ({ asn: g.asn, name: g.name, ips: g.ips, count: g.count, first_seen: isoSeconds(g.first), last_seen: isoSeconds(g.last) })),
      asn_data: deps.env.config.ip_data.asn_csv ? 'configured' : 'none (set ip_data.asn_csv in gridwatch.yaml)',
      user_agents: userAgents,
      user_agents_truncated: uaRows.truncated,
      daily: await dailySeries(deps, who, since, until),
      files: files.rows.map((f) => ({ file_id: f.v, name: f.name, count: f.n, first_seen: isoSeconds(f.first), last_seen: isoSeconds(f.last) })),
      files_truncated: files.truncated,
      anomalies: anomalies.rows.map(eventSummary),
      anomalies_truncated: anomalies.truncated,
      alerts: alerts.rows.map(({ context, ...a }) => ({ ...a, reasons: context?.reasons ?? [] })),
      alerts_truncated: alerts.truncated,
      actions: (await deps.store.actionLog().list({ user: who.id, limit: 50 })).map(actionJson),
    } satisfies UserSummary);
  });

  r.get('/:id/timeline', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(TimelineQuery, c.req.url);
    const { who, since, until } = await personInRange(deps, c.req.param('id'), p);
    const { width, first, count } = bucketGrid(since, until, p.buckets, TIMELINE_WIDTHS);
    const t = Array.from({ length: count }, (_, i) => first + i * width);
    const n = new Array<number>(count).fill(0);
    const rows = await deps.store.entityReads().userTimeline(who.id, since, until, width);
    for (const row of rows) n[(row.b - first) / width] = row.n;
    const anomalies = capped(await deps.store.queryEvents({ actor: who.id, actions: ['anomaly'], since, until, limit: MAX_TIMELINE_MARKS + 1 }), MAX_TIMELINE_MARKS);
    const alerts = capped(deps.alerts ? await deps.alerts.list({ user: who.id, since, until, limit: MAX_TIMELINE_MARKS + 1 }) : [], MAX_TIMELINE_MARKS);
    return c.json({
      user: { id: who.id, name: who.name },
      since,
      until,
      bucket: width,
      t,
      n,
      anomalies: anomalies.rows.map((e) => ({ id: e.norm.id, ts: e.norm.ts, reasons: e.norm.reasons })),
      anomalies_truncated: anomalies.truncated,
      alerts: alerts.rows.map((a) => ({ id: a.id, first_ts: a.first_ts, last_ts: a.last_ts, title: a.title, severity: a.severity, status: a.status, rule: a.rule })),
      alerts_truncated: alerts.truncated,
    } satisfies Timeline);
  });

  return r;
}
