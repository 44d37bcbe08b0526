/**
 * Load and validate `gridwatch.yaml`. Errors name the file, the field path and why, one per line, so a typo is found
 * without reading code: `gridwatch.yaml: allowlists.trusted_cidr: unknown key`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.ts';

/** An invalid configuration. `problems` holds one `path: why` line per issue. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`invalid configuration in ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Render a zod issue path the way people write it: `sinks[0].url`, `rules.overrides.scraping-suspected.severity`.
 *
 * @example formatPath(['sinks', 0, 'url']) // 'sinks[0].url'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s || '(top level)';
}

/**
 * Turn zod issues into `path: why` lines (unknown keys get one line each, with their full path).
 *
 * @example
 * issuesToLines(r.error.issues) // ['allowlists.trusted_cidr: unknown key']
 */
export function issuesToLines(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push(`${formatPath([...prefix, ...issue.path, k])}: unknown key`);
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest: the one with the fewest issues, rather than "invalid input".
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...issuesToLines(best, [...prefix, ...issue.path]));
    } else {
      out.push(`${formatPath([...prefix, ...issue.path])}: ${issue.message}`);
    }
  }
  return [...new Set(out)];
}

/**
 * Validate an already-parsed configuration object. Relative paths are resolved against `baseDir`.
 *
 * @example
 * const cfg = configFromObject({ timezone: 'Europe/Paris' }, 'inline');
 */
export function configFromObject(value: unknown, source: string | null = null, baseDir: string | null = null): Config {
  const r = ConfigSchema.safeParse(value ?? {});
  if (!r.success) throw new ConfigError(source ?? 'configuration', issuesToLines(r.error.issues));
  const cfg: Config = { ...r.data, baseDir, source };
  if (baseDir) {
    const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
    cfg.rules = { ...cfg.rules, dirs: cfg.rules.dirs.map(abs) };
    if (cfg.threat_intel_file) cfg.threat_intel_file = abs(cfg.threat_intel_file);
    cfg.ip_data = {
      ...(cfg.ip_data.asn_csv ? { asn_csv: abs(cfg.ip_data.asn_csv) } : {}),
      ...(cfg.ip_data.country_csv ? { country_csv: abs(cfg.ip_data.country_csv) } : {}),
    };
  }
  const problems: string[] = [];
  if (cfg.threat_intel_file && !existsSync(cfg.threat_intel_file)) {
    problems.push(`threat_intel_file: file ${cfg.threat_intel_file} does not exist`);
  }
  for (const [i, d] of cfg.rules.dirs.entries()) {
    if (!existsSync(d)) problems.push(`rules.dirs[${i}]: directory ${d} does not exist`);
  }
  for (const [rule, refs] of Object.entries(cfg.allowlists.exclude_users)) {
    refs.forEach((ref, i) => {
      if (ref.startsWith('group:') && !(ref.slice(6) in cfg.allowlists.groups)) {
        problems.push(`allowlists.exclude_users.${rule}[${i}]: no group "${ref.slice(6)}" in allowlists.groups`);
      }
    });
  }
  if (problems.length) throw new ConfigError(source ?? 'configuration', problems);
  return cfg;
}

/**
 * Parse the YAML text of a configuration file.
 *
 * @example
 * configFromYaml('allowlists:\n  trusted_asns: [64500]\n', 'gridwatch.yaml', process.cwd())
 */
export function configFromYaml(text: string, file: string, baseDir: string | null): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  }
  return configFromObject(doc.toJS(), file, baseDir);
}

/**
 * Load the configuration: the given file, else `./gridwatch.yaml` when present, else the defaults.
 * Throws `ConfigError` (file, field, why) on an invalid file and when a named file does not exist.
 *
 * @example
 * const config = await loadConfig('gridwatch.yaml');
 * config.allowlists.trusted_cidrs // ['198.51.100.0/24']
 */
export async function loadConfig(path?: string | null): Promise<Config> {
  const file = path ?? (existsSync('gridwatch.yaml') ? 'gridwatch.yaml' : null);
  if (!file) return configFromObject({}, null, null);
  if (!existsSync(file)) throw new ConfigError(file, ['file does not exist']);
  return configFromYaml(readFileSync(file, 'utf8'), file, dirname(resolve(file)));
}

/**
 * The defaults, for tests and tools that run without a file.
 *
 * @example defaultConfig().timezone // 'UTC'
 */
export function defaultConfig(): Config {
  return configFromObject({}, null, null);
}
