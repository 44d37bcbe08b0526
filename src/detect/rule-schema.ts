/**
 * The rule file format (one YAML file per rule): the single source of truth, documented for people in
 * `rules/README.md`. Parsing a file yields a typed `RuleDef`; the engine never reads YAML.
 */
import { z } from 'zod';
import { DurationSchema, RegexSchema, SeveritySchema } from '../config/schema.ts';
import { parseCidr } from '../enrich/ip.ts';
import { TagSchema } from './rule-tags.ts';

/** A field path: an alias (`user_id`, `reasons`, `ip`...) or a dotted raw path (`details.previous_ua`). */
export const FieldSchema = z
  .string()
  .regex(/^[A-Za-z_][\w-]*(\.[\w-]+)*$/, 'must be a field name or dotted path such as details.reason or entity.file.name');

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const OPERATORS = ['equals', 'in', 'contains', 'prefix', 'suffix', 'regex', 'cidr', 'exists', 'in_list', 'subset_of', 'gt', 'gte', 'lt', 'lte', 'equals_field'] as const;
export type Operator = (typeof OPERATORS)[number];

const CidrText = z.string().superRefine((v, ctx) => {
  const r = parseCidr(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `not a CIDR: ${r.reason}` });
});

const LeafSchema = z.strictObject({
  field: FieldSchema,
  equals: Scalar.optional(),
  in: z.array(Scalar).min(1, 'must list at least one value').optional(),
  contains: z.string().optional(),
  prefix: z.string().optional(),
  suffix: z.string().optional(),
  regex: RegexSchema.optional(),
  cidr: z.union([CidrText, z.array(CidrText).min(1)]).optional(),
  exists: z.boolean().optional(),
  in_list: z.string().min(1).optional(),
  subset_of: z.array(Scalar).min(1, 'must list at least one value').optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  /** The field's value (or one of its elements) equals another field's value: `{field: ip, equals_field: details.previous_ip_address}`. */
  equals_field: FieldSchema.optional(),
  /**
   * Test only the elements that another field's array does not hold: `{field: details.new_scopes, minus:
   * details.previous_scopes, regex: ...}` tests the scopes added. A missing other field removes nothing.
   */
  minus: FieldSchema.optional(),
  /** Compare strings case-insensitively (equals, in, contains, prefix, suffix, regex, subset_of). */
  ignore_case: z.boolean().optional(),
});
export type LeafCondition = z.infer<typeof LeafSchema>;

export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const CONDITION_SHAPES = 'a condition is {field, <operator>: value}, {all: [...]}, {any: [...]} or {not: {...}}';

/** Validate a condition tree, reporting each problem at its own path. */
function checkCondition(v: unknown, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  const add = (p: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', message, path: p });
  if (!isObj(v)) return add(path, `must be an object: ${CONDITION_SHAPES}`);
  for (const k of ['all', 'any'] as const) {
    if (k in v) {
      if (Object.keys(v).length !== 1) return add(path, `"${k}" must be the only key of its condition`);
      const arr = v[k];
      if (!Array.isArray(arr) || arr.length === 0) return add([...path, k], 'must be a non-empty list of conditions');
      arr.forEach((c, i) => checkCondition(c, ctx, [...path, k, i]));
      return;
    }
  }
  if ('not' in v) {
    if (Object.keys(v).length !== 1) return add(path, '"not" must be the only key of its condition');
    return checkCondition(v.not, ctx, [...path, 'not']);
  }
  if (!('field' in v)) return add(path, `has no "field": ${CONDITION_SHAPES}`);
  const r = LeafSchema.safeParse(v);
  if (!r.success) {
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) add([...path, ...issue.path, k], `unknown key (operators: ${OPERATORS.join(', ')})`);
      } else {
        add([...path, ...issue.path], issue.message);
      }
    }
    return;
  }
  const ops = OPERATORS.filter((o) => (v as Record<string, unknown>)[o] !== undefined);
  if (ops.length === 0) add(path, `needs one operator: ${OPERATORS.join(', ')}`);
  else if (ops.length > 1) add(path, `has several operators (${ops.join(', ')}): combine them with all: [...]`);
}

/**
 * A condition tree, validated with errors at the exact path (`where.all[1].regex: not a valid regular expression`).
 *
 * @example ConditionSchema.parse({ field: 'reasons', contains: 'tor' })
 */
export const ConditionSchema = z
  .unknown()
  .superRefine((v, ctx) => checkCondition(v, ctx, []))
  .transform((v) => v as Condition);

const TITLE_VARS = ['user', 'user_id', 'actor', 'reasons', 'count', 'action', 'actions', 'target', 'value', 'limit', 'ip', 'ua', 'rule_title', 'window'] as const;

const TemplateSchema = z.string().min(1).superRefine((v, ctx) => {
  for (const m of v.matchAll(/\{(\w+)\}/g)) {
    if (!(TITLE_VARS as readonly string[]).includes(m[1]!)) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {${m[1]}} (known: ${TITLE_VARS.map((t) => `{${t}}`).join(' ')})` });
    }
  }
});

/** One expected alert of a rule test. Every given field must match; the number of expectations must match too. */
const ExpectationSchema = z.strictObject({
  severity: SeveritySchema.optional(),
  user_id: z.string().optional(),
  /** Exactly these event ids (order does not matter). */
  events: z.array(z.string()).optional(),
  event_count: z.number().int().min(0).optional(),
  title_contains: z.string().optional(),
  /** A partial object the alert's context must contain (deep subset match). */
  context: z.record(z.string(), z.unknown()).optional(),
});
export type Expectation = z.infer<typeof ExpectationSchema>;

/** A test event: a partial audit event plus shorthands (`at`, `user`, `ip`, `ua`, `reasons`); see `test-events.ts`. */
const TestEventSchema = z.record(z.string(), z.unknown());

const TestCaseSchema = z.strictObject({
  name: z.string().min(1),
  /** Part of gridwatch.yaml for this test only (allowlists, timezone, lists...). */
  config: z.record(z.string(), z.unknown()).optional(),
  /** Event files (JSON lines or a JSON array of audit events), relative to the rule file. */
  fixtures: z.array(z.string().min(1)).default([]),
  events: z.array(TestEventSchema).default([]),
  /** The alerts the events must produce, no more, no fewer (`[]`: must not alert). */
  expect: z.array(ExpectationSchema),
});
export type RuleTestCase = z.infer<typeof TestCaseSchema>;

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'use 2-64 lower-case letters, digits and "-"'),
  title: z.string().min(1),
  description: z.string().min(1),
  severity: SeveritySchema,
  /** Namespaced tags as in Sigma: `attack.t1078`, `attack.collection`, `slack.anomaly` (see rule-tags.ts). */
  tags: z.array(TagSchema).default([]),
  /** Known benign causes of the rule's alerts, for the analyst deciding whether this one is one of them. */
  false_positives: z.array(z.string().min(1)).default([]),
  /** Where to read more (vendor documentation, ATT&CK pages, write-ups): absolute http(s) URLs. */
  references: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })).default([]),
  /** What the analyst checks next. */
  runbook: z.string().min(1),
  /** Title of the alerts, with placeholders such as {user}, {reasons}, {count}, {target}. */
  alert_title: TemplateSchema.optional(),
  /**
   * Whose alert it is: the actor (default), the entity acted on (e.g. the user Slack signed out), or `target_user`:
   * the user a role or permission was given to (the entity when it is a user, else `details.target_user`).
   */
  subject: z.enum(['actor', 'entity', 'target_user']).default('actor'),
  /** The field alerts are grouped and counted by (default: the subject's id). */
  key: FieldSchema.optional(),
  /** The events the rule looks at. */
  where: ConditionSchema,
  /** Raise or lower the severity when an event of the alert matches (first matching entry per event; max wins). */
  severity_by: z.array(z.strictObject({ when: ConditionSchema, severity: SeveritySchema })).default([]),
  /** Firings for one key closer than this update one alert (default from config, 1 h). */
  suppress: DurationSchema.optional(),
  /** Add the user's `file_downloaded` events in the window to the alert context. */
  context: z.strictObject({ downloads: z.boolean().default(false) }).default({ downloads: false }),
  /** Shipped but off unless enabled in the config. */
  enabled: z.boolean().default(true),
  tests: z.array(TestCaseSchema).min(1, 'every rule needs at least one test'),
};

export const MatchRuleSchema = z.strictObject({ kind: z.literal('match'), ...base });

export const CorrelateRuleSchema = z.strictObject({
  kind: z.literal('correlate'),
  ...base,
  correlate: z.strictObject({
    /** All `require` conditions must be seen within this window (inclusive). */
    window: DurationSchema,
    /** Named conditions; each must be met by a distinct signal (paired reasons count once). */
    require: z.record(z.string().regex(/^\w+$/, 'use letters, digits and "_"'), ConditionSchema).refine((r) => Object.keys(r).length >= 1, 'needs at least one condition'),
  }),
});

const BaselineSchema = z.strictObject({
  /** `max`: above the highest bucket count in the lookback; `mean_stddev`: above mean + k standard deviations. */
  method: z.enum(['max', 'mean_stddev']).default('max'),
  lookback: DurationSchema.default(30 * 86400),
  k: z.number().min(0).default(3),
  /** Buckets with at least one event needed in the lookback before the key's own baseline is trusted. */
  min_history: z.number().int().min(1).default(1),
  /** Threshold used when the key has too little history. */
  fallback: z.number().min(0),
});

export const ThresholdRuleSchema = z.strictObject({
  kind: z.literal('threshold'),
  ...base,
  threshold: z
    .strictObject({
      /** Fixed buckets (`1d` buckets follow the configured time zone). */
      bucket: DurationSchema.optional(),
      /** Or a sliding window ending at each event. */
      window: DurationSchema.optional(),
      /** Fire when the count is above this number. */
      above: z.number().min(0).optional(),
      baseline: BaselineSchema.optional(),
    })
    .superRefine((t, ctx) => {
      if ((t.bucket === undefined) === (t.window === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of bucket or window', path: ['bucket'] });
      if (t.above === undefined && t.baseline === undefined) ctx.addIssue({ code: 'custom', message: 'give above, baseline or both', path: ['above'] });
      if (t.baseline && t.bucket === undefined) ctx.addIssue({ code: 'custom', message: 'a baseline needs fixed buckets (bucket)', path: ['baseline'] });
      if (t.bucket !== undefined && (t.bucket <= 0 || (t.bucket >= 86400 ? t.bucket % 86400 !== 0 : 86400 % t.bucket !== 0))) {
        ctx.addIssue({ code: 'custom', message: 'must divide a day (1m, 5m, 1h...) or be whole days', path: ['bucket'] });
      }
      if (t.window !== undefined && t.window <= 0) ctx.addIssue({ code: 'custom', message: 'must be positive', path: ['window'] });
    }),
});

export const NewValueRuleSchema = z.strictObject({
  kind: z.literal('new_value'),
  ...base,
  new_value: z
    .strictObject({
      /** The value that must be new for the key: `ip`, `ip_24`, `asn`, `ua_family`, `ua_name` or any field. */
      value: FieldSchema,
      lookback: DurationSchema,
      /** Uses within this long before the event do not count as history (an attacker's own warm-up). */
      grace: DurationSchema.default(0),
      /** Events that make a value known (default: any event of the key carrying the value). */
      history: ConditionSchema.optional(),
    })
    .refine((n) => n.lookback > n.grace, { message: 'lookback must be longer than grace', path: ['lookback'] }),
});

export const RULE_KINDS = ['match', 'correlate', 'threshold', 'new_value'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/**
 * Any rule file. Parse through `parseRuleObject` (rule-loader.ts) for messages that name the kind's own fields.
 *
 * @example RuleSchema.safeParse(yamlObject)
 */
export const RuleSchema = z.discriminatedUnion('kind', [MatchRuleSchema, CorrelateRuleSchema, ThresholdRuleSchema, NewValueRuleSchema]);

export type RuleDef = z.infer<typeof RuleSchema>;
export type MatchRuleDef = z.infer<typeof MatchRuleSchema>;
export type CorrelateRuleDef = z.infer<typeof CorrelateRuleSchema>;
export type ThresholdRuleDef = z.infer<typeof ThresholdRuleSchema>;
export type NewValueRuleDef = z.infer<typeof NewValueRuleSchema>;

/** The schema of one kind, for precise error messages. */
export const KIND_SCHEMAS = {
  match: MatchRuleSchema,
  correlate: CorrelateRuleSchema,
  threshold: ThresholdRuleSchema,
  new_value: NewValueRuleSchema,
} as const;
