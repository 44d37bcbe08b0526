import { resolve } from 'node:path';
import type { Command } from 'commander';
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
        return { id: d.id, kind: d.kind, severity: d.severity, enabled: effective.has(d.id), title: d.title, tags: d.tags, tests: d.tests.length, source: r.builtin ? 'builtin' : r.file };
      });
      if (format === 'json') {
        for (const r of rows) ctx.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      ctx.stdout.write(renderTable(['id', 'kind', 'severity', 'enabled', 'tests', 'title', 'source'], rows.map((r) => [r.id, r.kind, r.severity, r.enabled ? 'yes' : 'no', String(r.tests), r.title, r.source]), 60));
    });

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
