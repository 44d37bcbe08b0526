/**
 * Rule exceptions in `gridwatch.yaml` (`rules.overrides.<rule>.exceptions`): "never alert on this for this user /
 * this app / this IP", each kept with who added it, why, when, and until when. Written by
 * `gridwatch rules except`, applied by the engine (`src/detect/exceptions.ts`).
 */
import { z } from 'zod';
import { parseCidr } from '../enrich/ip.ts';

/** An ISO 8601 time (`2025-07-01T00:00:00Z`) or date (`2025-07-01`, midnight UTC). */
const IsoTimeSchema = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && Number.isFinite(Date.parse(v)), {
  message: 'must be an ISO 8601 time such as 2025-07-01T00:00:00Z or a date such as 2025-07-01',
});

const IpOrCidrSchema = z.string().superRefine((v, ctx) => {
  const r = parseCidr(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR: ${r.reason}` });
});

/** What an exception matches: exactly one of these. */
export const EXCEPTION_TARGETS = ['user', 'app', 'ip'] as const;
export type ExceptionTarget = (typeof EXCEPTION_TARGETS)[number];

/**
 * One exception. `user` is the alert's user (id or email); `app` an app id or name (the event's entity app or the
 * app that acted, `context.app`); `ip` an address or CIDR. It applies to events before `expires` (all when absent).
 *
 * @example RuleExceptionSchema.parse({ user: 'W0ETL', reason: 'ETL account', author: 'cli:alice', created: '2025-06-01T09:00:00Z' })
 */
export const RuleExceptionSchema = z
  .strictObject({
    user: z.string().min(1).optional(),
    app: z.string().min(1).optional(),
    ip: IpOrCidrSchema.optional(),
    reason: z.string().trim().min(1, 'say why (the next analyst reads it)'),
    author: z.string().min(1),
    created: IsoTimeSchema,
    expires: IsoTimeSchema.optional(),
  })
  .superRefine((e, ctx) => {
    const given = EXCEPTION_TARGETS.filter((k) => e[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of ${EXCEPTION_TARGETS.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}` });
  });
export type RuleException = z.infer<typeof RuleExceptionSchema>;

/**
 * Unix seconds an ISO time or date stands for.
 *
 * @example isoSeconds('2025-07-01') // 1751328000
 */
export function isoSeconds(v: string): number {
  return Math.floor(Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v) / 1000);
}
