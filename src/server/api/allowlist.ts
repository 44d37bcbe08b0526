/**
 * The allowlist routes (issue #11, docs/api.md "Respond"): `GET /allowlist` (Slack's list beside the config's),
 * `POST /allowlist/preview` (checked entries and the diff per list, nothing written) and `POST /allowlist/apply`
 * (read → merge → re-read → write whole → read back, recorded: `runAllowlistChange`, the CLI's own logic). All three
 * call Slack with the server's admin token: responders and admins only.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { localSide, runAllowlistChange, slackSide, type AllowlistSide } from '../../respond/allowlist-change.ts';
import { checkChange, mergeAllowlist, ALLOWLIST_TARGETS } from '../../respond/allowlist.ts';
import { redact } from '../../slack/errors.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseBody } from '../validate.ts';
import { actionJson, adminOf, NO_TOKEN } from './respond.ts';

const ChangeBody = z.strictObject({
  op: z.enum(['add', 'remove']),
  cidrs: z.array(z.string().max(100)).max(500).optional(),
  asns: z.array(z.number().int()).max(500).optional(),
  to: z.enum(ALLOWLIST_TARGETS),
});
type ChangeBody = z.infer<typeof ChangeBody>;

/** The lists a change goes to; 503 when one is unavailable (no token, no config file). */
function sidesOf(deps: ServerDeps, to: ChangeBody['to']): { sides: AllowlistSide[]; token: string } {
  const sides: AllowlistSide[] = [];
  const admin = adminOf(deps);
  if (to !== 'local') {
    if (!admin) throw new HttpError(503, 'not_configured', NO_TOKEN);
    sides.push(slackSide(admin.client));
  }
  if (to !== 'slack') {
    const file = deps.env.config.source;
    if (!file) throw new HttpError(503, 'no_config_file', 'the server runs without a config file (--config): there is no local list to edit');
    sides.push(localSide(file));
  }
  return { sides, token: admin?.token ?? '' };
}

function checked(b: ChangeBody) {
  const r = checkChange({ cidrs: b.cidrs ?? [], asns: (b.asns ?? []).map(String) }, b.to);
  return r.ok ? { errors: [] as string[], change: r.value } : { errors: r.problems, change: null };
}

/** @example api.route('/allowlist', allowlistRoutes()); */
export function allowlistRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole('responder'));

  r.get('/', async (c) => {
    const deps = c.get('deps');
    const a = deps.env.config.allowlists;
    const local = { trusted_cidrs: a.trusted_cidrs, trusted_asns: a.trusted_asns, expected_user_agents: a.expected_user_agents };
    const admin = adminOf(deps);
    if (!admin) return c.json({ slack: null, slack_error: NO_TOKEN, local });
    try {
      const s = await admin.client.allowlistGet();
      return c.json({ slack: { cidrs: s.cidrs, asns: s.asns }, local });
    } catch (e) {
      return c.json({ slack: null, slack_error: redact((e as Error).message, admin.token), local });
    }
  });

  r.post('/preview', async (c) => {
    const deps = c.get('deps');
    const b = await parseBody(ChangeBody, c.req.raw);
    const { errors, change } = checked(b);
    if (!change) return c.json({ errors });
    const { sides, token } = sidesOf(deps, b.to);
    const out: Record<string, unknown> = { errors };
    for (const side of sides) {
      try {
        const before = await side.read();
        const plan = mergeAllowlist(before, b.op, change);
        out[side.name] = { before, after: plan.next, added: plan.diff.added, removed: plan.diff.removed };
      } catch (e) {
        errors.push(`reading ${side.label} failed: ${redact((e as Error).message, token)}`);
      }
    }
    return c.json(out);
  });

  r.post('/apply', async (c) => {
    const deps = c.get('deps');
    const b = await parseBody(ChangeBody, c.req.raw);
    const { errors, change } = checked(b);
    if (!change) throw new HttpError(400, 'invalid', errors.join('; '));
    const { sides, token } = sidesOf(deps, b.to);
    const log = deps.store.actionLog();
    const lines: string[] = [];
    const actor = `web:${c.get('session')!.account.name}`;
    const before = (await log.list({ limit: 1 }))[0]?.id ?? 0;
    const res = await runAllowlistChange({ op: b.op, change, to: b.to, sides, mode: 'yes', log, actor, print: (l) => lines.push(l), clean: (t) => redact(t, token) });
    const actions = (await log.list({ limit: 10 })).filter((x) => x.id > before && x.actor === actor && x.action.startsWith('allowlist.'));
    deps.log('allowlist change', { op: b.op, to: b.to, ok: res.ok, actor });
    return c.json({
      ok: res.ok,
      message: res.message ?? (lines.at(-1) ?? 'done'),
      concurrent_change: lines.some((l) => /changed (since it was read|again right after the write)/.test(l)),
      actions: actions.reverse().map(actionJson),
    });
  });
  return r;
}
