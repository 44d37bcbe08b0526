import type { Command } from 'commander';
import { alertJson, alertRow, ALERT_TABLE_HEADERS } from '../../alerts/format.ts';
import { ConfigError, loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { MARK_KEY } from '../../detect/incremental.ts';
import { RuleLoadError } from '../../detect/rule-loader.ts';
import { replayDetailed } from '../compose.ts';
import { CliError, outputFormat, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { cliTime } from '../parse.ts';

/**
 * The configuration for a command: `--config`, else ./gridwatch.yaml, else defaults; errors become one clear
 * message per problem.
 *
 * @example const config = await commandConfig(ctx, cmd)
 */
export async function commandConfig(ctx: CliContext, cmd: Command): Promise<Config> {
  try {
    return await loadConfig(ctx.configPath(cmd));
  } catch (e) {
    throw explain(e);
  }
}

/** Turn configuration and rule errors into a CLI error listing each `file: field: why`. */
export function explain(e: unknown): unknown {
  if (e instanceof ConfigError) return new CliError(`invalid configuration in ${e.file}:\n  ${e.problems.join('\n  ')}`);
  if (e instanceof RuleLoadError) return new CliError(`invalid rules:\n  ${e.problems.join('\n  ')}`);
  return e;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('detect')
    .description('replay stored events through the enabled rules, store the alerts and print them')
    .option('--since <time>', 'start: ISO 8601, Unix seconds, or a duration back from now (30d); default the oldest event', cliTime)
    .option('--until <time>', 'end: ISO 8601, Unix seconds, or a duration back from now; default the newest event', cliTime)
    .option('--format <format>', 'table (default on a terminal) or json (one alert per line)')
    .option('--no-notify', 'do not send new or changed alerts to the configured sinks')
    .action(async (opts: { since?: number; until?: number; format?: string; notify: boolean }, cmd: Command) => {
      const format = outputFormat(opts.format, ctx.stdout, ['table', 'json']);
      if (opts.since !== undefined && opts.until !== undefined && opts.until < opts.since) {
        throw new CliError('--until is before --since', 2);
      }
      const config = await commandConfig(ctx, cmd);
      const store = await ctx.openStore(cmd);
      try {
        const seqBefore = await store.maxSeq();
        const report = await replayDetailed(store, config, {
          since: opts.since,
          until: opts.until,
          ...(opts.notify ? {} : { notifier: null }),
          log: (m) => ctx.stderr.write(`gridwatch: ${m}\n`),
        }).catch((e: unknown) => {
          throw explain(e);
        });
        // A replay of everything also serves as the incremental engine's first run.
        if (opts.since === undefined && opts.until === undefined) await store.putState(MARK_KEY, String(seqBefore));
        if (format === 'json') {
          for (const a of report.alerts) ctx.stdout.write(`${JSON.stringify(alertJson(a))}\n`);
        } else {
          ctx.stdout.write(report.alerts.length ? renderTable(ALERT_TABLE_HEADERS, report.alerts.map(alertRow), 72) : 'no alerts\n');
        }
        const r = report.result;
        ctx.stderr.write(
          `gridwatch: replayed ${report.events} events (${report.seconds.evaluate.toFixed(1)} s): ${report.alerts.length} alert(s), ` +
            `${r.created.length} new, ${r.updated.length} updated, ${r.removed.length} removed\n`,
        );
      } finally {
        await store.close();
      }
    });
}
