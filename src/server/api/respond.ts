/**
 * The respond routes (issue #11, docs/api.md "Respond"): `GET /respond/preflight/:user_id`, `POST /respond/sign-out`,
 * `GET /respond/sessions/:user_id`, `POST /respond/end-session`, and `POST /alerts/:id/approve`. A thin layer over
 * `src/respond/` (the CLI's logic): every call is recorded in the action log with actor `web:<account>`. The admin
 * token is the server process's (`SLACK_ADMIN_TOKEN` or `--admin-token-file`): it goes to Slack in a header and is
 * scrubbed from every message; no answer carries it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  approvable, carryOutProposal, executeResponse, joinSessions, proposalOf, recordWithoutCall, userFacts,
  type ResponseMeta, type ResponseRequest,
} from '../../respond/index.ts';
import { SlackApiError, redact } from '../../slack/errors.ts';
import { createWebClient, type WebClient } from '../../slack/web-client.ts';
import type { ActionRecord } from '../../store/actions.ts';
import { isoSeconds } from '../../util/time.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { parseBody } from '../validate.ts';

const UserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id (U… or W…)');
const SignOutBody = z.strictObject({
  user_ids: z.array(UserId).min(1).max(5000),
  scope: z.enum(['all', 'mobile', 'web']),
  reason: z.string().max(1000).optional(),
  alert_id: z.string().min(1).max(200).optional(),
  dry_run: z.boolean().optional(),
});
const EndSessionBody = z.strictObject({ user_id: UserId, session_id: z.string().regex(/^\d+$/, 'a session id (digits)'), reason: z.string().max(1000).optional() });

/** What the UI shows of a record: everything but the hashes. */
export function actionJson(r: ActionRecord): Omit<ActionRecord, 'prev_hash' | 'hash' | 'arguments'> & { args: Record<string, unknown> } {
  const { prev_hash: _p, hash: _h, arguments: args, ...rest } = r;
  return { ...rest, args };
}

/** The admin client of the server process, or null when it was started without a token. */
export function adminOf(deps: ServerDeps): { client: WebClient; token: string } | null {
  const a = deps.slackAdmin;
  return a ? { client: createWebClient({ token: a.token, baseUrl: a.baseUrl }), token: a.token } : null;
}

export const NO_TOKEN = 'the server has no Slack admin token: start it with SLACK_ADMIN_TOKEN set or --admin-token-file';
const actor = (c: { get(k: 'session'): AppEnv['Variables']['session'] }): string => `web:${c.get('session')!.account.name}`;

async function alertOf(deps: ServerDeps, id: string | undefined): Promise<{ id: string; lastTs: number } | null> {
  if (!id) return null;
  const a = await deps.store.responderReads().alert(id);
  if (!a) throw notFound('alert', id);
  return { id: a.id, lastTs: a.lastTs };
}

/** Carry out a request for a person (the button is the confirmation) and answer `{ ok, message, action }`. */
async function act(deps: ServerDeps, req: ResponseRequest, meta: ResponseMeta, dryRun: boolean) {
  const log = deps.store.actionLog();
  if (dryRun) return { ok: true, message: 'dry run: nothing was called', action: actionJson(await recordWithoutCall(log, req, meta, 'dry_run', null)) };
  const admin = adminOf(deps);
  if (!admin) return { ok: false, message: NO_TOKEN, action: actionJson(await recordWithoutCall(log, req, meta, 'failed', NO_TOKEN)) };
  const { record, error } = await executeResponse(admin.client, log, req, meta, admin.token);
  deps.log('respond', { action: record.action, status: record.status, actor: meta.actor, id: record.id });
  return { ok: !error, message: error ? redact(error, admin.token) : 'done', action: actionJson(record) };
}

/** @example api.route('/respond', respondRoutes()); */
export function respondRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  // Store reads only (no Slack call): open to viewers, who see the same facts on the user page.
  r.get('/preflight/:user_id', async (c) => {
    const deps = c.get('deps');
    const userId = c.req.param('user_id');
    const alert = await alertOf(deps, new URL(c.req.url).searchParams.get('alert_id') ?? undefined);
    const [f] = await userFacts(deps.store.responderReads(), [userId], alert);
    const who = (await deps.store.entityReads().searchPeople(userId, 5)).find((u) => u.id === userId);
    return c.json({
      user_id: userId,
      user_name: who?.name ?? null,
      email: who?.email ?? null,
      last_seen: f?.lastSeen == null ? null : isoSeconds(f.lastSeen),
      aer_reset: f?.aerReset == null ? null : { at: isoSeconds(f.aerReset), after_alert: alert !== null },
      configured: deps.slackAdmin != null,
    });
  });

  r.post('/sign-out', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const b = await parseBody(SignOutBody, c.req.raw);
    const alert = await alertOf(deps, b.alert_id);
    const meta = { actor: actor(c), reason: b.reason?.trim() || null, alertId: alert?.id ?? null };
    return c.json(await act(deps, { kind: 'sign-out', users: b.user_ids, scope: b.scope }, meta, !!b.dry_run));
  });

  r.post('/end-session', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const b = await parseBody(EndSessionBody, c.req.raw);
    const meta = { actor: actor(c), reason: b.reason?.trim() || null, alertId: null };
    return c.json(await act(deps, { kind: 'end-session', user: b.user_id, sessionId: b.session_id }, meta, false));
  });

  // Calls Slack (admin.users.session.list): responders and admins only.
  r.get('/sessions/:user_id', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const userId = c.req.param('user_id');
    const admin = adminOf(deps);
    if (!admin) throw new HttpError(503, 'not_configured', NO_TOKEN);
    const reads = deps.store.responderReads();
    const team = await reads.userTeam(userId);
    if (!team) throw notFound('user', userId);
    let active;
    try {
      active = await admin.client.sessionList({ userId, teamId: team });
    } catch (e) {
      if (e instanceof SlackApiError) throw new HttpError(503, 'slack_error', redact(e.message, admin.token));
      throw e;
    }
    const joined = await joinSessions(active, reads, userId);
    const storeView = (s: (typeof joined)[number]['seen']) =>
      s ? { first_seen: isoSeconds(s.firstSeen), last_seen: isoSeconds(s.lastSeen), ips: s.ips, user_agents: s.userAgents, anomalies: s.anomalies.map((a) => ({ time: isoSeconds(a.ts), reasons: a.reasons })) } : null;
    const sessions = joined.map((s) => {
      const now = s.recent ?? s.created;
      return {
        session_id: s.sessionId,
        device: now?.device_hardware ?? null,
        os: [now?.os, now?.os_version].filter(Boolean).join(' ') || null,
        client_version: now?.slack_client_version ?? null,
        ip: now?.ip ?? null,
        created: s.created ?? null,
        recent: s.recent ?? null,
        store: storeView(s.seen),
      };
    });
    const seenIds = await deps.store.queryEvents({ actor: userId, limit: 2000 });
    const ids = [...new Set(seenIds.map((e) => e.norm.sessionId).filter((x): x is string => !!x))].slice(0, 50);
    const audit = await reads.sessionFacts(userId, ids);
    return c.json({
      sessions,
      audit_sessions: [...audit.values()].sort((a, b) => b.lastSeen - a.lastSeen).map((s) => ({ session_id: s.sessionId, ...storeView(s)! })),
    });
  });

  return r;
}

/** `POST /alerts/:id/approve`, mounted beside the alert routes. @example api.route('/alerts', approveRoutes()); */
export function approveRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.post('/:id/approve', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    await alertOf(deps, id);
    const log = deps.store.actionLog();
    const proposal = await proposalOf(log, id);
    if (!proposal) throw new HttpError(409, 'no_proposal', `alert ${id} has no proposed response`);
    if (!approvable(proposal)) throw new HttpError(409, 'already_handled', `the proposal is already ${proposal.status}`);
    const admin = adminOf(deps);
    const res = await carryOutProposal({ log, proposal, actor: actor(c), admin: admin ?? { missing: NO_TOKEN } });
    deps.log('respond approve', { alert: id, status: res.action.status, actor: actor(c) });
    return c.json({ ok: res.ok, message: admin ? redact(res.message, admin.token) : res.message, action: actionJson(res.action) });
  });
  return r;
}
