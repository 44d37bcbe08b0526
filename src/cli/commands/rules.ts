import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addRuleException } from '../../config/edit-exceptions.ts';
import { writeFileAtomic } from '../../config/edit.ts';
import { issuesToLines } from '../../config/load.ts';
import { RuleExceptionSchema } from '../../config/rule-exceptions.ts';
import { compileRule } from '../../detect/compile.ts';
import { buildEnv } from '../../detect/env.ts';
import { previewException } from '../../detect/exception-preview.ts';
import { cliActor } from '../../respond/actor.ts';
import { confirmOrRefuse } from '../../respond/confirm.ts';
import { parseDuration } from '../../util/time.ts';
import { applyRuleConfig, BUILTIN_RULES_DIR, loadConfiguredRules, loadRuleDirs, type LoadedRule } from '../../detect/rule-loader.ts';
import { runRuleTests } from '../../detect/rule-tests.ts';
import { CliError, outputFormat, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { commandConfig, explain } from './detect.ts';

function load<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw explain(e);
  }
}

export function register(program: Command, ctx: CliContext): void {
  const rules = program.command('rules').description('list the detection rules or run their tests');

  rules
    .command('list')
    .description('show the rules (built-in and from rules.dirs), enabled or not')
    .option('--format <format>', 'table (default on a terminal) or json (one rule per line)')
    .action(async (opts: { format?: string }, cmd: Command) => {
      const format = outputFormat(opts.format, ctx.stdout, ['table', 'json']);
      const config = await commandConfig(ctx, cmd);
      const all = load(() => loadConfiguredRules(config));
      // Enabled rules carry the config's overrides (severity, parameters): show what will actually run.
      const effective = new Map(load(() => applyRuleConfig(all, config)).map((r) => [r.def.id, r.def]));
      const rows = all.map((r) => {
        const d = effective.get(r.def.id) ?? r.def;
        return {
          id: d.id, kind: d.kind, severity: d.severity, enabled: effective.has(d.id), title: d.title, tags: d.tags,
          false_positives: d.false_positives, references: d.references, tests: d.tests.length, source: r.builtin ? 'builtin' : r.file,
        };
      });
      if (format === 'json') {
        for (const r of rows) ctx.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      ctx.stdout.write(renderTable(['id', 'kind', 'severity', 'enabled', 'tests', 'title', 'tags', 'false positives', 'source'], rows.map((r) => [r.id, r.kind, r.severity, r.enabled ? 'yes' : 'no', String(r.tests), r.title, r.tags.join(' '), r.false_positives.join('; '), r.source]), 60));
    });

  registerExcept(rules, ctx);

  rules
    .command('test')
    .description('run the tests written in rule files; exit 1 if any fails')
    .argument('[dir]', 'a directory of rule files (default: the built-in rules and rules.dirs of the config)')
    .option('--format <format>', 'text or json (one result per line)', 'text')
    .action(async (dir: string | undefined, opts: { format: string }, cmd: Command) => {
      if (!['text', 'json'].includes(opts.format)) throw new CliError('--format must be text or json', 2);
      let loaded: LoadedRule[];
      if (dir) {
        const abs = resolve(dir);
        loaded = load(() => loadRuleDirs([{ dir: abs, builtin: abs === resolve(BUILTIN_RULES_DIR) }]));
      } else {
        const config = await commandConfig(ctx, cmd);
        loaded = load(() => loadConfiguredRules(config));
      }
      const outcomes = await runRuleTests(loaded);
      let failed = 0;
      for (const o of outcomes) {
        if (!o.ok) failed++;
        if (opts.format === 'json') {
          ctx.stdout.write(`${JSON.stringify({ rule: o.rule, test: o.test, ok: o.ok, problems: o.problems })}\n`);
        } else {
          ctx.stdout.write(`${o.ok ? 'ok  ' : 'FAIL'} ${o.rule}: ${o.test}\n`);
          for (const p of o.problems) ctx.stdout.write(`       ${p}\n`);
        }
      }
      const summary = `${outcomes.length} test(s) in ${loaded.length} rule(s), ${failed} failed`;
      if (opts.format === 'text') ctx.stdout.write(`${summary}\n`);
      if (failed > 0) throw new CliError(summary, 1);
    });
}

interface ExceptOptions {
  user?: string;
  app?: string;
  ip?: string;
  reason?: string;
  expires?: string;
  yes?: boolean;
  dryRun?: boolean;
}

/** `gridwatch rules except RULE --user U|--app A|--ip IP --reason TEXT`: preview, confirm, write into the config. */
function registerExcept(rules: Command, ctx: CliContext): void {
  rules
    .command('except')
    .description('never alert on this for this user / app / IP: show how many stored alerts it would have suppressed, then save it in the config')
    .argument('<rule>', 'the rule id')
    .option('--user <user>', "the alert's user (id or email)")
    .option('--app <app>', 'an app id or name')
    .option('--ip <ip>', 'an IP address or CIDR')
    .option('--reason <text>', 'why (kept with the exception)')
    .option('--expires <duration>', 'stop applying after this long (30d, 12h); default never')
    .option('--yes', 'save without asking')
    .option('--dry-run', 'show the preview; write nothing')
    .action(async (ruleId: string, o: ExceptOptions, cmd: Command) => {
      if (o.yes && o.dryRun) throw new CliError('give --yes or --dry-run, not both', 2);
      const file = ctx.configPath(cmd);
      if (!file) throw new CliError('an exception is written into the config file, and there is none: pass --config FILE or create ./gridwatch.yaml', 2);
      const config = await commandConfig(ctx, cmd);
      const loaded = load(() => loadConfiguredRules(config)).find((r) => r.def.id === ruleId);
      if (!loaded) throw new CliError(`no rule with id "${ruleId}" (see gridwatch rules list)`, 2);
      const now = Date.now();
      let expires: string | undefined;
      if (o.expires !== undefined) {
        try {
          expires = new Date(now + parseDuration(o.expires) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        } catch (e) {
          throw new CliError(`--expires: ${(e as Error).message}`, 2);
        }
      }
      const parsed = RuleExceptionSchema.safeParse({
        user: o.user, app: o.app, ip: o.ip, reason: o.reason ?? '', author: cliActor(ctx.env),
        created: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'), expires,
      });
      if (!parsed.success) throw new CliError(issuesToLines(parsed.error.issues).map((l) => l.replace(/^(user|app|ip|reason)\b/, '--$1')).join('\n  '), 2);
      const exception = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as typeof parsed.data;
      const rule = load(() => compileRule(loaded.def, buildEnv(config), { suppressDefault: config.detect.suppress }));
      const store = await ctx.openStore(cmd);
      try {
        const p = await previewException(store, store.alertStore(), rule, exception);
        ctx.stdout.write(`${ruleId}: would have suppressed ${p.suppressed} of ${p.alerts} stored alert(s)\n`);
        for (const id of p.examples) ctx.stdout.write(`  ${id}\n`);
      } finally {
        await store.close();
      }
      if (o.dryRun) return;
      const ok = await confirmOrRefuse(o.yes, { stdin: ctx.stdin, prompt: ctx.stderr }, `Save this exception in ${file}? [y/N] `);
      if (!ok.go) throw new CliError(ok.why);
      const text = readFileSync(file, 'utf8');
      writeFileAtomic(file, load(() => addRuleException(text, ruleId, exception, file)));
      ctx.stdout.write(`saved in ${file} (rules.overrides.${ruleId}.exceptions); new events are checked against it from the next run, run gridwatch detect to apply it to stored alerts\n`);
    });
}
