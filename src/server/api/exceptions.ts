/**
 * Exceptions from an alert ("never alert on this for this user / app / IP"): `POST /api/v1/alerts/:id/exception/preview`
 * counts the stored alerts of its rule the exception would have suppressed (responders and admins: it reads only), and
 * `POST /api/v1/alerts/:id/exception` writes it into the config file's `rules.overrides.<rule>.exceptions` with the
 * account as author (admins only: it edits the server's configuration, like `gridwatch rules except`). Detection
 * applies it from its next run; the server's own rules are not reloaded.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { z } from 'zod';
import { addRuleException } from '../../config/edit-exceptions.ts';
import { writeFileAtomic } from '../../config/edit.ts';
import { ConfigError, issuesToLines } from '../../config/load.ts';
import { EXCEPTION_TARGETS, RuleExceptionSchema, type RuleException } from '../../config/rule-exceptions.ts';
import { compileRule } from '../../detect/compile.ts';
import { previewException } from '../../detect/exception-preview.ts';
import { parseDuration } from '../../util/time.ts';
import type { ExceptionPreviewJson } from '../api-types.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, ServerDeps } from '../context.ts';
import { badParam, HttpError, notFound } from '../errors.ts';
import { parseBody } from '../validate.ts';
import { alertsOf } from './alerts.ts';

/** The body of both routes: what to except, why, and until when (a duration from now, `30d`, or an ISO time). */
export const ExceptionBody = z.strictObject({
  kind: z.enum(EXCEPTION_TARGETS),
  value: z.string().trim().min(1).max(500),
  reason: z.string().trim().min(1, 'say why (the next analyst reads it)').max(2000),
  expires: z.string().trim().min(1).max(40).optional(),
});
type ExceptionBody = z.infer<typeof ExceptionBody>;

const isoNow = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The exception a body stands for, checked by the config's own schema (a bad IP or time is a 400 naming the field).
 *
 * @example exceptionOf({ kind: 'user', value: 'W0ETL', reason: 'ETL', expires: '30d' }, 'web:alice', Date.now())
 * // { user: 'W0ETL', reason: 'ETL', author: 'web:alice', created: '…Z', expires: '…Z' }
 */
export function exceptionOf(b: ExceptionBody, author: string, nowMs: number): RuleException {
  let expires = b.expires;
  if (expires !== undefined && /^\d{1,6}[smhdw]?$/.test(expires)) expires = isoNow(nowMs + parseDuration(expires) * 1000);
  const r = RuleExceptionSchema.safeParse({ [b.kind]: b.value, reason: b.reason, author, created: isoNow(nowMs), ...(expires ? { expires } : {}) });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = String(issue.path[0] ?? 'value');
    throw badParam(field === b.kind ? 'value' : field, issuesToLines([issue])[0] ?? issue.message);
  }
  return r.data;
}

/** The alert's rule, compiled against the server's environment; 409 when the rule is not loaded any more. */
async function ruleOfAlert(deps: ServerDeps, id: string) {
  const a = await alertsOf(deps).get(id);
  if (!a) throw notFound('alert', id);
  const def = deps.rules.find((r) => r.id === a.rule);
  if (!def) throw new HttpError(409, 'rule_not_loaded', `rule "${a.rule}" is not loaded by this server (disabled or removed)`);
  // A rule run on half-loaded IP data would miss `trusted_asns` matches: wait for it (only just after start).
  await deps.env.ipDataReady();
  return compileRule(def, deps.env, { suppressDefault: deps.env.config.detect.suppress });
}

/** @example api.route('/alerts', exceptionRoutes()); */
export function exceptionRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.post('/:id/exception/preview', requireRole('responder'), async (c) => {
    const deps = c.get('deps');
    const body = await parseBody(ExceptionBody, c.req.raw);
    const e = exceptionOf(body, `web:${c.get('session')!.account.name}`, deps.clock.now());
    const rule = await ruleOfAlert(deps, c.req.param('id'));
    const p = await previewException(deps.store, alertsOf(deps), rule, e);
    return c.json({ rule: p.rule, would_suppress: p.suppressed, total: p.alerts, examples: p.examples } satisfies ExceptionPreviewJson);
  });

  r.post('/:id/exception', requireRole('admin'), async (c) => {
    const deps = c.get('deps');
    const body = await parseBody(ExceptionBody, c.req.raw);
    const author = `web:${c.get('session')!.account.name}`;
    const e = exceptionOf(body, author, deps.clock.now());
    const rule = await ruleOfAlert(deps, c.req.param('id'));
    const file = deps.env.config.source;
    if (!file) throw new HttpError(503, 'no_config_file', 'the server runs without a config file (--config): there is nowhere to write the exception');
    let text: string;
    try {
      text = addRuleException(readFileSync(file, 'utf8'), rule.id, e, file);
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(400, 'invalid', err.message);
      throw err;
    }
    writeFileAtomic(file, text);
    deps.log('rule exception added', { rule: rule.id, kind: body.kind, author });
    return c.json({ rule: rule.id, exception: e, saved_in: `rules.overrides.${rule.id}.exceptions` });
  });

  return r;
}
