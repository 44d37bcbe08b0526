import type { Command } from 'commander';
import { alertJson, alertRow, ALERT_TABLE_HEADERS, describeAlert } from '../../alerts/format.ts';
import { ALERT_STATUSES, SEVERITIES, type AlertFilter, type AlertStatus, type Severity } from '../../alerts/types.ts';
import { alertStoreFor } from '../compose.ts';
import { CliError, outputFormat, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { cliInt, cliList, cliTime } from '../parse.ts';

function oneOf<T extends string>(allowed: readonly T[], flag: string) {
  return (v: string): T[] => {
    const list = cliList(v);
    for (const x of list) if (!(allowed as readonly string[]).includes(x)) throw new CliError(`${flag} must be among ${allowed.join(', ')} (got "${x}")`, 2);
    return list as T[];
  };
}

type ListFlags = AlertFilter & { limit: number; format?: string };

export function register(program: Command, ctx: CliContext): void {
  const alerts = program
    .command('alerts')
    .description('list stored alerts, newest first (subcommands: show, set-status)')
    .option('--status <list>', `statuses, comma-separated (${ALERT_STATUSES.join(', ')})`, oneOf(ALERT_STATUSES, '--status'))
    .option('--rule <list>', 'rule ids, comma-separated', cliList)
    .option('--user <user>', 'user id, email or name')
    .option('--severity <list>', `severities, comma-separated (${SEVERITIES.join(', ')})`, oneOf(SEVERITIES, '--severity'))
    .option('--since <time>', 'alerts with events at or after this time (ISO 8601, Unix seconds, or 30d)', cliTime)
    .option('--until <time>', 'alerts with events at or before this time', cliTime)
    .option('--limit <n>', 'maximum alerts (0 for all)', cliInt(0), 100)
    .option('--format <format>', 'table (default on a terminal) or json (one alert per line)')
    .action(async (opts: ListFlags, cmd: Command) => {
      const format = outputFormat(opts.format, ctx.stdout, ['table', 'json']);
      const store = await ctx.openStore(cmd);
      try {
        const filter: AlertFilter = { status: opts.status, rule: opts.rule, user: opts.user, severity: opts.severity, since: opts.since, until: opts.until, limit: opts.limit || undefined };
        const list = await alertStoreFor(store).list(filter);
        if (format === 'json') for (const a of list) ctx.stdout.write(`${JSON.stringify(alertJson(a))}\n`);
        else ctx.stdout.write(list.length ? renderTable(ALERT_TABLE_HEADERS, list.map(alertRow), 72) : 'no alerts match\n');
      } finally {
        await store.close();
      }
    });

  alerts
    .command('show')
    .description('show one alert with its context and its status history (who, when, notes)')
    .argument('<id>', 'alert id')
    .option('--format <format>', 'text or json', 'text')
    .action(async (id: string, opts: { format: string }, cmd: Command) => {
      // `alerts` has a --format of its own, and commander gives it the flag wherever it stands on the line.
      const format = (cmd.parent?.opts().format as string | undefined) ?? opts.format;
      if (!['text', 'json'].includes(format)) throw new CliError('--format must be text or json', 2);
      const store = await ctx.openStore(cmd);
      try {
        const alerts = alertStoreFor(store);
        const a = await alerts.get(id);
        if (!a) throw new CliError(`no alert with id ${id} (list them with: gridwatch alerts)`);
        const history = await alerts.history(id);
        ctx.stdout.write(format === 'json' ? `${JSON.stringify(alertJson(a, history))}\n` : describeAlert(a, history));
      } finally {
        await store.close();
      }
    });

  alerts
    .command('set-status')
    .description(`set an alert's status (${ALERT_STATUSES.join(', ')})`)
    .argument('<id>', 'alert id')
    .argument('<status>', ALERT_STATUSES.join(' | '))
    .option('--note <text>', 'why (kept with the alert)')
    .option('--by <name>', 'who decided (default: $USER)')
    .action(async (id: string, status: string, opts: { note?: string; by?: string }, cmd: Command) => {
      if (!(ALERT_STATUSES as readonly string[]).includes(status)) throw new CliError(`status must be one of ${ALERT_STATUSES.join(', ')} (got "${status}")`, 2);
      const store = await ctx.openStore(cmd);
      try {
        const a = await alertStoreFor(store).updateStatus(id, status as AlertStatus, opts.note ?? null, opts.by ?? ctx.env.USER ?? null, Date.now());
        if (!a) throw new CliError(`no alert with id ${id} (list them with: gridwatch alerts)`);
        ctx.stdout.write(`${a.id} ${a.status}${a.status_note ? ` (${a.status_note})` : ''}\n`);
      } finally {
        await store.close();
      }
    });
}
