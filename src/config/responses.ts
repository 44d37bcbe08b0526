/**
 * The `responses:` section of `gridwatch.yaml` (issue #11): response playbooks. Each rule id listed under `rules`
 * gets a proposed action attached to its alerts (a sign-out of the alert's user, all devices, mobile or web only).
 * `mode: propose` (the default) waits for a person (`gridwatch respond approve`, the UI's button); `mode: auto` acts
 * at once within guardrails that no setting turns off: owners and admins (as the store knows them) and
 * `protected_users` are never acted on automatically, at most `max_per_hour` automatic actions, never after Slack's
 * Anomaly Event Response already reset the sessions.
 */
import { z } from 'zod';

export const ResponseModeSchema = z.enum(['propose', 'auto']);
export type ResponseMode = z.infer<typeof ResponseModeSchema>;

/** One rule's playbook: `{ action: sign-out, scope: web }`, optionally with its own `mode`. */
export const PlaybookSchema = z.strictObject({
  action: z.literal('sign-out', { error: 'the only response action is sign-out' }),
  scope: z.enum(['all', 'mobile', 'web'], { error: 'must be all, mobile or web' }).default('all'),
  /** Overrides `responses.mode` for this rule. */
  mode: ResponseModeSchema.optional(),
});
export type Playbook = z.infer<typeof PlaybookSchema>;

/**
 * @example
 * ResponsesSchema.parse({ rules: { 'scraping-suspected': { action: 'sign-out', scope: 'web' } } })
 * // { mode: 'propose', max_per_hour: 5, protected_users: [], rules: { 'scraping-suspected': { action: 'sign-out', scope: 'web' } } }
 */
export const ResponsesSchema = z.strictObject({
  /** Default mode of every playbook. */
  mode: ResponseModeSchema.default('propose'),
  /** Automatic actions allowed in any hour (counted from the action log); beyond it proposals wait for a person. */
  max_per_hour: z.number().int().min(0).default(5),
  /** User ids (or emails) never acted on automatically, besides the owners and admins the store knows of. */
  protected_users: z.array(z.string().min(1, 'must not be empty')).default([]),
  /** Rule id → playbook. */
  rules: z.record(z.string().min(1), PlaybookSchema).default({}),
});
export type ResponsesConfig = z.infer<typeof ResponsesSchema>;
