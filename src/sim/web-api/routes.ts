/**
 * The simulator's admin Web API (docs/slack-api.md 4, 5, 8): `admin.users.session.{reset,resetBulk,list,invalidate}` and
 * `admin.audit.anomaly.allow.{getItem,updateItem}` under `/api/`, with Slack's semantics. Errors are HTTP 200
 * `{ok:false,error}`; each method has its own Tier 2 limit (429 `ratelimited` + `Retry-After`); every sign-out writes
 * its audit event into the log `/audit/v1/logs` serves, so a later collect picks it up.
 */
import { actorOf, auditEvent, placeEntity, userEntity, type Json, type Person, type SimEvent } from '../builders.ts';
import { ENTERPRISE, WORKSPACES, type SimUser } from '../org.ts';
import { createRng } from '../random.ts';
import { RateLimiter, type RateLimitOptions } from '../ratelimit.ts';
import type { RouteContext, Simulator } from '../server.ts';
import { Allowlist, listArg, parseAllowlistInput, type AllowlistItem } from './allowlist.ts';
import { authorize, type AdminMethod } from './auth.ts';
import { SessionStore, SIM_BOT, type SessionKind, type SimSession } from './sessions.ts';

/** Slack's documented cap on `user_ids` per `resetBulk` call. */
export const BULK_MAX_USERS = 1000;
/** Largest and default `limit` of `session.list`. */
export const LIST_MAX_LIMIT = 1000;

export interface WebApiOptions {
  /** Tier 2, per method: default 20 calls a minute in a sliding window (bursts allowed); false turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** The ASN key `getItem` answers with: Slack's method page says `trusted_asns`, its examples `trusted_asn`. */
  asnKey?: 'trusted_asns' | 'trusted_asn';
  /** The allowlist at start (default empty). */
  allowlist?: AllowlistItem;
}

export interface WebApi {
  sessions: SessionStore;
  allowlist: Allowlist;
  /** The events that may enter the log: anomalies from trusted networks are never raised. */
  admit(events: SimEvent[]): SimEvent[];
}

export interface WebApiHooks {
  seed: number;
  /** Remove the held events that match (`visible`: whether `/logs` can return it now); returns how many. */
  drop(pred: (e: SimEvent, visible: boolean) => boolean): number;
}

type Params = Record<string, unknown>;
type Answer = Json & { ok: boolean };
const fail = (error: string, extra: Json = {}): Answer => ({ ok: false, error, ...extra });

/** A Web API boolean: JSON booleans, or `true`/`false`/`1`/`0` from a form; undefined when absent, null when bad. */
function boolArg(v: unknown): boolean | undefined | null {
  if (v === undefined || v === '') return undefined;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  return null;
}

/** The kinds a reset ends, or null when the flags are bad (both set, or not booleans). */
function resetScope(p: Params): { kinds: SessionKind[]; mobileOnly: boolean; webOnly: boolean } | null {
  const mobileOnly = boolArg(p.mobile_only);
  const webOnly = boolArg(p.web_only);
  if (mobileOnly === null || webOnly === null || (mobileOnly && webOnly)) return null;
  const kinds: SessionKind[] = mobileOnly ? ['mobile'] : webOnly ? ['web'] : ['web', 'mobile'];
  return { kinds, mobileOnly: mobileOnly ?? false, webOnly: webOnly ?? false };
}

const sessionIdArg = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

const sessionJson = (s: SimSession): Json => ({
  user_id: s.userId,
  team_id: s.teamId,
  session_id: s.sessionId,
  created: s.created,
  ...(s.recent ? { recent: s.recent } : {}),
});

const KNOWN_TEAMS = new Set([ENTERPRISE.id, ...WORKSPACES.map((w) => w.id)]);

/**
 * Register the admin methods on a running simulator.
 *
 * @example
 * const webApi = mountWebApi(sim, { rateLimit: false }, { seed: 42, drop: () => 0 });
 * webApi.sessions.sessionsOf('W0MATT0001')
 */
export function mountWebApi(sim: Simulator, opts: WebApiOptions, hooks: WebApiHooks): WebApi {
  const users = new Map<string, SimUser>(sim.users.map((u) => [u.id, u]));
  // Built on first use: replaying the log costs a few hundred ms on a large org, which a demo that never signs anyone out need not pay.
  let store: SessionStore | undefined;
  const sessionStore = (): SessionStore => (store ??= SessionStore.fromOrg(sim.users, sim.events()));
  const allowlist = new Allowlist();
  const rng = createRng(hooks.seed).fork('web-api');
  const limiters = new Map<AdminMethod, RateLimiter>();
  // The person behind the admin token: an org admin of the generated org (a placeholder when events were given).
  const adminUser = sim.users.find((u) => u.role === 'admin') ?? sim.users.find((u) => u.role === 'owner');
  const admin: Person = adminUser ?? { id: 'W0SIMADMIN', name: 'Sim Admin', email: 'sim.admin@acme.example', team: WORKSPACES[0]!.id };
  const adminDevice = adminUser?.devices[0];

  const isAnomalyFromTrusted = (e: SimEvent): boolean => {
    const ip = (e.event.context as Json | undefined)?.ip_address;
    return e.event.action === 'anomaly' && typeof ip === 'string' && allowlist.trusts(ip);
  };
  if (opts.allowlist) {
    // Trusted from the start: the generated log never had these anomalies.
    allowlist.set(opts.allowlist);
    hooks.drop(isAnomalyFromTrusted);
  }

  const write = (ctx: RouteContext, action: string, entity: Json, details: Json): void => {
    const ua = ctx.req.headers['user-agent'] ?? '';
    const context = {
      location: { type: 'enterprise', id: ENTERPRISE.id, name: ENTERPRISE.name, domain: ENTERPRISE.domain },
      ua,
      session_id: adminDevice?.sessionId ?? null,
      ip_address: adminDevice?.ip ?? '127.0.0.1',
    };
    sim.addEvents([auditEvent(rng, ctx.now(), action, actorOf(admin), entity, context, details)]);
  };

  /** Why this user's sessions cannot be reset, or null. */
  const refuseTarget = (userId: string): string | null => {
    if (userId === SIM_BOT.id) return 'cannot_reset_bot';
    const u = users.get(userId);
    if (!u) return 'user_not_found';
    if (u.role === 'owner') return 'cannot_reset_primary_owner';
    return null;
  };

  const handlers: Record<AdminMethod, (p: Params, ctx: RouteContext) => Answer> = {
    'admin.users.session.reset': (p, ctx) => {
      const scope = resetScope(p);
      if (typeof p.user_id !== 'string' || p.user_id === '' || !scope) return fail('invalid_arguments');
      const refusal = refuseTarget(p.user_id);
      if (refusal) return fail(refusal);
      sessionStore().reset(p.user_id, scope.kinds);
      write(ctx, 'user_session_reset_by_admin', userEntity(users.get(p.user_id)!), {
        mobile_only: scope.mobileOnly,
        web_only: scope.webOnly,
        non_sso_only: false,
      });
      return { ok: true };
    },
    'admin.users.session.resetBulk': (p, ctx) => {
      const ids = listArg(p.user_ids);
      const scope = resetScope(p);
      if (!scope || ids.length === 0 || ids.length > BULK_MAX_USERS || !ids.every((x) => typeof x === 'string' && x !== '')) {
        return fail('invalid_arguments');
      }
      const succeeded: string[] = [];
      const failed: Array<{ id: string; error: string }> = [];
      for (const id of new Set(ids as string[])) {
        const refusal = refuseTarget(id);
        if (refusal) failed.push({ id, error: refusal });
        else {
          sessionStore().reset(id, scope.kinds);
          succeeded.push(id);
        }
      }
      write(ctx, 'bulk_session_reset_by_admin', placeEntity('enterprise', ENTERPRISE), {
        succeeded_users: succeeded,
        failed_users: failed.map((f) => f.id),
        mobile_only: scope.mobileOnly,
        web_only: scope.webOnly,
      });
      if (failed.length === 0) return { ok: true };
      // Slack says the details are "in extended comments": the ids, and one message per failure.
      return fail('failed_for_some_users', {
        failed_users: failed.map((f) => f.id),
        response_metadata: { messages: failed.map((f) => `[ERROR] ${f.id}: ${f.error}`) },
      });
    },
    'admin.users.session.list': (p) => {
      const userId = typeof p.user_id === 'string' && p.user_id !== '' ? p.user_id : undefined;
      const teamId = typeof p.team_id === 'string' && p.team_id !== '' ? p.team_id : undefined;
      if (userId && !teamId) return fail('missing_team');
      if (teamId && !userId) return fail('missing_user');
      const limit = p.limit === undefined || p.limit === '' ? LIST_MAX_LIMIT : Number(p.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT) return fail('invalid_arguments');
      let offset = 0;
      if (typeof p.cursor === 'string' && p.cursor !== '') {
        const m = /^offset:(\d+)$/.exec(Buffer.from(p.cursor, 'base64').toString('utf8'));
        if (!m) return fail('invalid_cursor');
        offset = Number(m[1]);
      }
      let list: SimSession[];
      if (userId) {
        if (userId === SIM_BOT.id) return fail('bots_not_allowed');
        if (!users.has(userId)) return fail('user_not_found');
        if (!KNOWN_TEAMS.has(teamId!)) return fail('team_not_found');
        list = sessionStore().sessionsOf(userId);
        if (list.length === 0) return fail('no_active_sessions');
      } else {
        list = sessionStore().all();
      }
      const page = list.slice(offset, offset + limit);
      const next = offset + limit < list.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
      return { ok: true, active_sessions: page.map(sessionJson), response_metadata: { next_cursor: next } };
    },
    'admin.users.session.invalidate': (p, ctx) => {
      const sid = sessionIdArg(p.session_id);
      if (sid === null) return fail('invalid_arguments');
      const s = sessionStore().find(sid);
      if (!s || (typeof p.user_id === 'string' && p.user_id !== '' && p.user_id !== s.userId)) return fail('session_not_found');
      const owner = users.get(s.userId)!;
      if (owner.role === 'owner') return fail('cannot_invalidate_primary_owner');
      sessionStore().invalidate(sid);
      // [INFERRED] Slack documents only the action name; the ended session's id in details lets a reader join it.
      write(ctx, 'user_session_invalidated', userEntity(owner), { session_id: sid });
      return { ok: true };
    },
    'admin.audit.anomaly.allow.getItem': () => {
      const item = allowlist.get();
      return { ok: true, trusted_cidr: item.trusted_cidr, [opts.asnKey ?? 'trusted_asns']: item.trusted_asns };
    },
    'admin.audit.anomaly.allow.updateItem': (p) => {
      const input = parseAllowlistInput(p);
      if (!input.ok) return fail('invalid_arguments');
      allowlist.set(input.item);
      // Anomalies Slack has not raised yet (late ones) are never raised from a network trusted now.
      hooks.drop((e, visible) => !visible && isAnomalyFromTrusted(e));
      return { ok: true };
    },
  };

  const rateLimited = (method: AdminMethod, ctx: RouteContext): boolean => {
    if (opts.rateLimit === false) return false;
    let rl = limiters.get(method);
    if (!rl) limiters.set(method, (rl = new RateLimiter({ perMinute: 20, error: 'ratelimited', ...opts.rateLimit })));
    const d = rl.take(Date.now());
    if (d.ok) return false;
    sim.stats.rateLimited++;
    ctx.json(429, { ok: false, error: rl.errorCode }, { 'retry-after': String(d.retryAfterSec) });
    return true;
  };

  for (const method of Object.keys(handlers) as AdminMethod[]) {
    sim.route('POST', `/api/${method}`, async (ctx) => {
      let params: Params;
      let token: string | null;
      try {
        params = await ctx.params();
        token = await ctx.token();
      } catch {
        return ctx.json(200, fail('invalid_arguments'));
      }
      const refusal = authorize(method, sim.tokenKind(token), token !== null);
      if (refusal) return ctx.json(200, { ok: false, ...refusal });
      if (rateLimited(method, ctx)) return;
      ctx.json(200, handlers[method](params, ctx));
    });
  }

  return {
    get sessions() {
      return sessionStore();
    },
    allowlist,
    admit: (events) => events.filter((e) => !isAnomalyFromTrusted(e)),
  };
}
