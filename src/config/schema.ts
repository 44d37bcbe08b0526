/**
 * The schema of `gridwatch.yaml`: the single source of truth for what the file may contain, its defaults, and the
 * typed `Config` the rest of gridwatch reads.
 *
 * Every object is strict: an unknown key (a typo such as `trusted_cidr`) is an error naming its path, because a
 * silently ignored allowlist or override is worse than a refusal to start.
 */
import { z } from 'zod';
import { IpDataConfigSchema } from '../enrich/ip-data.ts';
import { parseCidr } from '../enrich/ip.ts';
import { SinkConfigSchema } from '../sinks/config.ts';
import { ResponsesSchema } from './responses.ts';
import { parseDuration } from '../util/time.ts';
import { RuleExceptionSchema } from './rule-exceptions.ts';
import { SEVERITIES, severityRank, type Severity } from './severity.ts';

export const SeveritySchema = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });

/**
 * The user agents of Slack's official clients and mainstream browsers (regular expressions, any match is expected).
 * Headless and automation browsers are excluded on purpose: they are what scrapers drive.
 */
export const DEFAULT_EXPECTED_USER_AGENTS: readonly string[] = [
  // Slack desktop (Electron): `... Slack/4.41.105 Chrome/... Electron/... Sonic Slack_SSB/4.41.105`
  String.raw`^Mozilla/5\.0 \(.+\) .*\bSlack(_SSB)?/\d`,
  // Slack iOS app and its extensions: `com.tinyspeck.chatlyio/23.04.40 (iPhone; ...)`
  String.raw`^com\.tinyspeck\.chatlyio(\.[A-Za-z]\w*)?/\d`,
  // Slack Android and the `Slack/<ver> (...)` / `Slack/<ver> CFNetwork/...` mobile forms
  String.raw`^Slack/\d[\w.]*( \(| CFNetwork/)`,
  String.raw`^com\.Slack/\d`,
  // Mainstream browsers, not headless ones
  String.raw`^(?!.*\b(HeadlessChrome|PhantomJS|Puppeteer|Playwright)\b)Mozilla/5\.0 \(.+\) .*\b(Chrome|CriOS|Firefox|FxiOS|Version|Edg|EdgA|EdgiOS|OPR)/\d`,
];

/** A duration as text (`90s`, `15m`, `1h`, `30d`) or seconds; parsed to seconds. */
export const DurationSchema = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return v;
    ctx.addIssue({ code: 'custom', message: 'must be a non-negative number of seconds' });
    return z.NEVER;
  }
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const CidrSchema = z.string().superRefine((v, ctx) => {
  const r = parseCidr(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `not a CIDR or IP address: ${r.reason}` });
});

/** A regular expression given as text; compiled here so a bad one fails at start-up with the reason. */
export const RegexSchema = z.string().min(1, 'must not be empty').superRefine((v, ctx) => {
  try {
    new RegExp(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(e as Error).message}` });
  }
});

const ListNameSchema = z.string().regex(/^[a-z][a-z0-9_:-]*$/, 'use lower-case letters, digits, "_", ":" and "-", starting with a letter');

/** A user reference in exclusions and groups: a user id, an email, or `group:<name>`. */
const UserRefSchema = z.string().min(1, 'must not be empty');

const RuleOverrideSchema = z.strictObject({
  severity: SeveritySchema.optional(),
  /** Suppression window: firings of the rule for one user closer than this update one alert. */
  suppress: z.union([z.string(), z.number()]).optional(),
  /** Values merged into the rule's kind block (`window`, `lookback`, `baseline.fallback`...), checked like the rule file. */
  params: z.record(z.string(), z.unknown()).optional(),
  enabled: z.boolean().optional(),
  /** Users, apps or IPs the rule never alerts on, each with author, reason and expiry (`gridwatch rules except`). */
  exceptions: z.array(RuleExceptionSchema).default([]),
});
export type RuleOverride = z.infer<typeof RuleOverrideSchema>;

const RulesSchema = z.strictObject({
  /** Load the rules shipped in `rules/builtin` (default true). */
  builtin: z.boolean().default(true),
  /** Extra directories of rule files (`*.yml`, `*.yaml`), relative to the config file. */
  dirs: z.array(z.string().min(1)).default([]),
  /** Rule ids that do not run. */
  disabled: z.array(z.string().min(1)).default([]),
  overrides: z.record(z.string(), RuleOverrideSchema).default({}),
});

const AllowlistsSchema = z.strictObject({
  trusted_cidrs: z.array(CidrSchema).default([]),
  trusted_asns: z.array(z.number().int().positive().max(0xffffffff)).default([]),
  expected_user_agents: z.array(RegexSchema).default([...DEFAULT_EXPECTED_USER_AGENTS]),
  /** Named VPN egress ranges: `{ corp-vpn: ["10.8.0.0/16"] }`. An IP in one is shown as such in alert context. */
  vpn_ranges: z.record(ListNameSchema, z.array(CidrSchema)).default({}),
  /** Named groups of users (ids or emails) for exclusions: `{ service-accounts: ["W0BOT01", "etl@acme.example"] }`. */
  groups: z.record(ListNameSchema, z.array(UserRefSchema)).default({}),
  /** Users or `group:<name>` a rule never alerts on, by rule id (`"*"` for every rule). */
  exclude_users: z.record(z.string(), z.array(UserRefSchema)).default({}),
});

/** A user-defined named list usable from rules with `in_list`. */
const NamedListSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('values'), values: z.array(z.union([z.string(), z.number()])) }),
  z.strictObject({ type: z.literal('cidr'), values: z.array(CidrSchema) }),
  z.strictObject({ type: z.literal('regex'), values: z.array(RegexSchema) }),
]);
export type NamedListConfig = z.infer<typeof NamedListSchema>;

const CollectSchema = z.strictObject({
  /** Seconds an event second must age before it counts as settled (Slack delivers late). */
  settle_seconds: z.number().int().min(0).default(120),
  /** Hours re-read behind the checkpoint on every run to pick up late arrivals. */
  overlap_hours: z.number().min(0).default(6),
  /** Audit Logs API calls per minute gridwatch may use (the limit is shared org-wide, about 50). */
  budget_per_minute: z.number().int().min(1).max(50).default(40),
  /** Page size requested from `/audit/v1/logs` (max 9999). */
  page_limit: z.number().int().min(1).max(9999).default(5000),
});

const DetectSchema = z.strictObject({
  /** Default suppression window for rules that do not set one. */
  suppress: DurationSchema.default(3600),
  /** How far back alert context looks for a user's IP and user-agent history. */
  context_days: z.number().int().min(1).max(365).default(30),
});

const IncidentsSchema = z.strictObject({
  /** Alerts of one user at most this far apart (first event after the previous alerts' last) form one incident. */
  gap: DurationSchema.default(86400),
});

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The whole of `gridwatch.yaml`.
 *
 * @example
 * const cfg = ConfigSchema.parse({ allowlists: { trusted_cidrs: ['198.51.100.0/24'] } });
 * cfg.allowlists.expected_user_agents.length // 5 (the defaults)
 */
export const ConfigSchema = z.strictObject({
  /** IANA time zone for daily buckets and alert periods (default UTC). */
  timezone: z
    .string()
    .default('UTC')
    .refine(validTimeZone, { message: 'not a known IANA time zone (e.g. UTC, Europe/Paris, America/New_York)' }),
  rules: RulesSchema.default(RulesSchema.parse({})),
  allowlists: AllowlistsSchema.default(AllowlistsSchema.parse({})),
  lists: z.record(ListNameSchema, NamedListSchema).default({}),
  /** A local file of IPs/CIDRs, one per line, reloaded when it changes. Relative to the config file. */
  threat_intel_file: z.string().min(1).optional(),
  /** Optional IP → ASN / country range files (see src/enrich/ip-data.ts). Relative to the config file. */
  ip_data: IpDataConfigSchema.default({}),
  detect: DetectSchema.default(DetectSchema.parse({})),
  incidents: IncidentsSchema.default(IncidentsSchema.parse({})),
  sinks: z.array(SinkConfigSchema).default([]),
  collect: CollectSchema.default(CollectSchema.parse({})),
  /** Response playbooks: actions proposed (or taken) when a rule's alert is raised (`responses.ts`). */
  responses: ResponsesSchema.default(ResponsesSchema.parse({})),
});

/** The validated configuration, defaults filled in. Paths are absolute once `loadConfig` has resolved them. */
export type Config = z.infer<typeof ConfigSchema> & {
  /** Directory relative paths were resolved against (null for the built-in defaults). */
  baseDir: string | null;
  /** The file the configuration came from, or null for defaults. */
  source: string | null;
};

export { SEVERITIES, severityRank, type Severity };
