/**
 * Load rule files (the built-in ones shipped in `rules/builtin`, then the config's directories), validate them, apply
 * the config (disabled ids, severity/suppression/parameter overrides) and compile them.
 *
 * Every problem is reported as `file: field: why` and loading fails as a whole: a half-loaded rule set would silently
 * miss detections.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { issuesToLines } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { compileRule } from './compile.ts';
import type { CompiledRule } from './compiled.ts';
import { CompileError } from './conditions.ts';
import type { DetectEnv } from './env.ts';
import { KIND_SCHEMAS, RULE_KINDS, type RuleDef } from './rule-schema.ts';

/** Directory of the rules shipped with gridwatch. */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules/builtin/', import.meta.url));

export class RuleLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid rules:\n  ${problems.join('\n  ')}`);
    this.name = 'RuleLoadError';
  }
}

export interface LoadedRule {
  def: RuleDef;
  /** The file's parsed YAML, before defaults (overrides are applied to it and re-validated). */
  raw: Record<string, unknown>;
  file: string;
  builtin: boolean;
}

const shortName = (file: string) => {
  const r = relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
};

/**
 * Validate a parsed rule object; problems come back as `field: why` lines.
 *
 * @example parseRuleObject({ id: 'x', kind: 'match', ... }) // { ok: true, def }
 */
export function parseRuleObject(obj: unknown): { ok: true; def: RuleDef } | { ok: false; problems: string[] } {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, problems: ['(top level): must be a mapping of rule fields'] };
  const kind = (obj as Record<string, unknown>).kind;
  if (typeof kind !== 'string' || !(RULE_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, problems: [`kind: must be one of ${RULE_KINDS.join(', ')}${kind === undefined ? '' : ` (got ${JSON.stringify(kind)})`}`] };
  }
  const r = KIND_SCHEMAS[kind as keyof typeof KIND_SCHEMAS].safeParse(obj);
  if (!r.success) return { ok: false, problems: issuesToLines(r.error.issues) };
  return { ok: true, def: r.data as RuleDef };
}

/**
 * Read and validate one rule file. Throws `RuleLoadError` with `file: field: why` lines.
 *
 * @example const { def } = loadRuleFile('rules/builtin/slack-anomaly.yml', true)
 */
export function loadRuleFile(file: string, builtin = false): LoadedRule {
  const name = shortName(file);
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new RuleLoadError(doc.errors.map((e) => `${name}: YAML: ${e.message.split('\n')[0]}`));
  const raw = doc.toJS() as Record<string, unknown>;
  const r = parseRuleObject(raw);
  if (!r.ok) throw new RuleLoadError(r.problems.map((p) => `${name}: ${p}`));
  return { def: r.def, raw, file, builtin };
}

/**
 * Every `*.yml` / `*.yaml` file of a directory (not recursive), sorted by name.
 *
 * @example ruleFiles('rules/builtin').length
 */
export function ruleFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RuleLoadError([`${dir}: not a directory`]);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Load and validate the rule files of several directories, collecting every problem before failing.
 *
 * @example const rules = loadRuleDirs([{ dir: BUILTIN_RULES_DIR, builtin: true }])
 */
export function loadRuleDirs(dirs: ReadonlyArray<{ dir: string; builtin: boolean }>): LoadedRule[] {
  const problems: string[] = [];
  const out: LoadedRule[] = [];
  const seen = new Map<string, string>();
  for (const { dir, builtin } of dirs) {
    let files: string[];
    try {
      files = ruleFiles(dir);
    } catch (e) {
      problems.push(...((e as RuleLoadError).problems ?? [(e as Error).message]));
      continue;
    }
    for (const f of files) {
      try {
        const r = loadRuleFile(f, builtin);
        const other = seen.get(r.def.id);
        if (other) problems.push(`${shortName(f)}: id: "${r.def.id}" is already defined in ${shortName(other)}`);
        else seen.set(r.def.id, f);
        out.push(r);
      } catch (e) {
        problems.push(...((e as RuleLoadError).problems ?? [`${shortName(f)}: ${(e as Error).message}`]));
      }
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  return out;
}

/** Set `a.b.c` inside an object, creating intermediate objects. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.');
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    const next = cur[s];
    cur = cur[s] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
  }
  cur[segs[segs.length - 1]!] = value;
}

/**
 * Apply the config to loaded rules: drop disabled ones, apply overrides (re-validated like the file), and check the
 * config only names rules that exist.
 *
 * @example const defs = applyRuleConfig(loaded, config)
 */
export function applyRuleConfig(loaded: readonly LoadedRule[], config: Config): Array<LoadedRule> {
  const where = config.source ?? 'config';
  const problems: string[] = [];
  const ids = new Set(loaded.map((r) => r.def.id));
  config.rules.disabled.forEach((id, i) => {
    if (!ids.has(id)) problems.push(`${where}: rules.disabled[${i}]: no rule with id "${id}"`);
  });
  for (const id of Object.keys(config.rules.overrides)) {
    if (!ids.has(id)) problems.push(`${where}: rules.overrides.${id}: no rule with id "${id}"`);
  }
  for (const id of Object.keys(config.allowlists.exclude_users)) {
    if (id !== '*' && !ids.has(id)) problems.push(`${where}: allowlists.exclude_users.${id}: no rule with id "${id}"`);
  }
  const disabled = new Set(config.rules.disabled);
  const out: LoadedRule[] = [];
  for (const r of loaded) {
    const o = config.rules.overrides[r.def.id];
    const enabled = o?.enabled ?? r.def.enabled;
    if (disabled.has(r.def.id) || !enabled) continue;
    if (!o) {
      out.push(r);
      continue;
    }
    const raw: Record<string, unknown> = { ...r.raw };
    if (o.severity) raw.severity = o.severity;
    if (o.suppress !== undefined) raw.suppress = o.suppress;
    if (o.params) {
      const block = r.def.kind;
      if (block === 'match') {
        problems.push(`${where}: rules.overrides.${r.def.id}.params: a match rule has no parameters (override severity or suppress)`);
        continue;
      }
      for (const [k, v] of Object.entries(o.params)) setPath(raw, `${block}.${k}`, v);
    }
    const parsed = parseRuleObject(raw);
    if (!parsed.ok) {
      for (const p of parsed.problems) problems.push(`${where}: rules.overrides.${r.def.id}: ${p}`);
      continue;
    }
    out.push({ ...r, raw, def: parsed.def });
  }
  if (problems.length) throw new RuleLoadError(problems);
  return out;
}

/**
 * Compile rules against an environment; an unresolved reference is reported as `file: path: why`.
 *
 * @example const compiled = compileRules(applyRuleConfig(loaded, config), env)
 */
export function compileRules(rules: readonly LoadedRule[], env: DetectEnv): CompiledRule[] {
  const problems: string[] = [];
  const out: CompiledRule[] = [];
  for (const r of rules) {
    try {
      out.push(compileRule(r.def, env, { suppressDefault: env.config.detect.suppress }));
    } catch (e) {
      if (e instanceof CompileError) problems.push(`${shortName(r.file)}: ${e.path}: ${e.message.slice(e.path.length + 2)}`);
      else problems.push(`${shortName(r.file)}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new RuleLoadError(problems);
  return out;
}

/**
 * The rule files a config asks for: built-ins (unless `rules.builtin: false`) and `rules.dirs`.
 *
 * @example const loaded = loadConfiguredRules(config)
 */
export function loadConfiguredRules(config: Config): LoadedRule[] {
  const dirs = [
    ...(config.rules.builtin ? [{ dir: BUILTIN_RULES_DIR, builtin: true }] : []),
    ...config.rules.dirs.map((dir) => ({ dir, builtin: false })),
  ];
  return loadRuleDirs(dirs);
}

/**
 * Load, configure and compile the enabled rules of a config in one call.
 *
 * @example const rules = loadEnabledRules(config, env)
 */
export function loadEnabledRules(config: Config, env: DetectEnv): CompiledRule[] {
  return compileRules(applyRuleConfig(loadConfiguredRules(config), config), env);
}
