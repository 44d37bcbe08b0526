/**
 * Configuration of alert sinks (YAML `sinks:` list), validated with zod.
 *
 * Secrets (webhook signing secrets, Slack webhook URLs, which are bearer credentials) should come from the
 * environment: `secret_env` / `webhook_url_env` name a variable, so the YAML can be committed and shared. Literal
 * `secret` / `webhook_url` are accepted for local use. Unknown keys are errors, so a misspelt `min_severty` fails at
 * start-up rather than silently sending everything.
 */
import { z } from 'zod';
import { SEVERITIES } from './types.ts';

const common = {
  /** Outbox key; defaults to the type. Required to tell apart two sinks of the same type. */
  name: z.string().regex(/^[\w.-]{1,64}$/, 'use 1-64 letters, digits, "_", "." or "-"').optional(),
  min_severity: z.enum(SEVERITIES).optional(),
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const StdoutSink = z.strictObject({ type: z.literal('stdout'), ...common });

const FileSink = z.strictObject({ type: z.literal('file'), ...common, path: z.string().min(1, 'must not be empty') });

const WebhookSink = z
  .strictObject({
    type: z.literal('webhook'),
    ...common,
    url: httpUrl,
    /** HMAC-SHA256 signing secret (prefer `secret_env`). */
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
    secret_env: envName.optional(),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names use letters, digits and "-"'), z.string()).optional(),
    timeout_ms: z.number().int().min(100).max(120_000).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.secret === undefined) === (v.secret_env === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'give exactly one of secret or secret_env' });
    }
  });

const SlackSink = z
  .strictObject({
    type: z.literal('slack'),
    ...common,
    /** Incoming-webhook URL (a credential: prefer `webhook_url_env`). */
    webhook_url: httpUrl.optional(),
    webhook_url_env: envName.optional(),
    timeout_ms: z.number().int().min(100).max(120_000).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.webhook_url === undefined) === (v.webhook_url_env === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['webhook_url'], message: 'give exactly one of webhook_url or webhook_url_env' });
    }
  });

/**
 * One sink's configuration: a union on `type`.
 *
 * @example
 * SinkConfigSchema.parse({ type: 'webhook', url: 'https://siem.example/hook', secret_env: 'GRIDWATCH_HOOK_SECRET' });
 */
export const SinkConfigSchema = z.discriminatedUnion('type', [StdoutSink, FileSink, WebhookSink, SlackSink]);

export type SinkConfig = z.infer<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;
export type WebhookSinkConfig = Extract<SinkConfig, { type: 'webhook' }>;
export type SlackSinkConfig = Extract<SinkConfig, { type: 'slack' }>;
export type FileSinkConfig = Extract<SinkConfig, { type: 'file' }>;

/** Invalid sink configuration. The message lists every problem as `sinks[i].field: reason` (never the value). */
export class SinkConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid sink configuration: ${problems.join('; ')}`);
    this.name = 'SinkConfigError';
  }
}

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  let s = prefix;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return s;
}

/**
 * The sink's outbox name: its `name`, or its type.
 *
 * @example
 * sinkName({ type: 'stdout' }) // 'stdout'
 */
export function sinkName(c: SinkConfig): string {
  return c.name ?? c.type;
}

/**
 * Validate the `sinks:` list. Throws `SinkConfigError` naming each bad field, including duplicate names (the name is
 * the outbox key, so two sinks sharing one would steal each other's deliveries).
 *
 * @example
 * parseSinkConfigs([{ type: 'slack', webhook_url_env: 'SLACK_HOOK', min_severity: 'high' }]);
 * parseSinkConfigs([{ type: 'webhook', url: 'https://x.example', secret_env: 'S', tmeout_ms: 5 }]);
 * // throws: invalid sink configuration: sinks[0].tmeout_ms: unknown key
 */
export function parseSinkConfigs(value: unknown, prefix = 'sinks'): SinkConfig[] {
  if (!Array.isArray(value)) throw new SinkConfigError([`${prefix}: must be a list`]);
  const problems: string[] = [];
  const out: SinkConfig[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const r = SinkConfigSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) {
        if (issue.code === 'unrecognized_keys') {
          for (const k of issue.keys) problems.push(`${issuePath(`${prefix}[${i}]`, [...issue.path, k])}: unknown key`);
        } else {
          problems.push(`${issuePath(`${prefix}[${i}]`, issue.path)}: ${issue.message}`);
        }
      }
      return;
    }
    const name = sinkName(r.data);
    const first = seen.get(name);
    if (first !== undefined) {
      problems.push(`${prefix}[${i}].name: duplicate sink name "${name}" (also ${prefix}[${first}]); give each sink a distinct name`);
    } else {
      seen.set(name, i);
    }
    out.push(r.data);
  });
  if (problems.length > 0) throw new SinkConfigError(problems);
  return out;
}

/**
 * Resolve a secret given either literally or by environment variable name. The error names the variable, never
 * a value.
 *
 * @example
 * resolveSecret(undefined, 'GRIDWATCH_HOOK_SECRET', process.env, 'sinks[0].secret_env')
 */
export function resolveSecret(literal: string | undefined, envVar: string | undefined, env: NodeJS.ProcessEnv, field: string): string {
  if (literal !== undefined) return literal;
  const v = envVar ? env[envVar] : undefined;
  if (!v) throw new SinkConfigError([`${field}: environment variable ${envVar ?? '(none)'} is not set or empty`]);
  return v;
}
