/**
 * `gridwatch actions`: the action log (every response and allowlist change, done or not), newest first, and
 * `gridwatch actions verify`, which walks the hash chain and names the first record that does not fit.
 */
import type { Command } from 'commander';
import type { ActionRecord } from '../../store/actions.ts';
import { CliError, outputFormat, type CliContext } from '../context.ts';
import { csvRow, renderTable } from '../format.ts';
import { cliTime } from '../parse.ts';

const FIELDS = ['id', 'time', 'actor', 'action', 'targets', 'status', 'reason', 'alert_id', 'slack_error'] as const;

/** The JSON line of a record: the contract fields first, then the rest (arguments, Slack's answer, diff, hashes). */
function jsonLine(r: ActionRecord): string {
  const { id, time, actor, action, targets, status, reason, alert_id, slack_error, ...rest } = r;
  return JSON.stringify({ id, time, actor, action, targets, status, reason, alert_id, slack_error, ...rest });
}

const cell = (r: ActionRecord, f: (typeof FIELDS)[number]): string => {
  const v = r[f];
  return Array.isArray(v) ? v.join(' ') : v === null || v === undefined ? '' : String(v);
};

export function register(program: Command, ctx: CliContext): void {
  const actions = program
    .command('actions')
    .description('the action log: every sign-out, session end and allowlist change (done, failed, refused, dry run), newest first')
    .option('--user <user_id>', 'actions aimed at this user')
    .option('--since <time>', 'ISO 8601, Unix seconds, or a duration back from now (90m, 24h, 30d)', cliTime)
    .option('--format <format>', 'json (one object per line), table or csv (default: table on a terminal, else json)')
    .action(async (o: { user?: string; since?: number; format?: string }, cmd: Command) => {
      const format = outputFormat(o.format, ctx.stdout, ['json', 'table', 'csv']);
      const store = await ctx.openStore(cmd);
      try {
        const rows = await store.actionLog().list({ user: o.user, since: o.since !== undefined ? new Date(o.since * 1000).toISOString() : undefined });
        if (format === 'json') for (const r of rows) ctx.stdout.write(`${jsonLine(r)}\n`);
        else if (format === 'csv') ctx.stdout.write(csvRow([...FIELDS]) + rows.map((r) => csvRow(FIELDS.map((f) => cell(r, f)))).join(''));
        else ctx.stdout.write(rows.length ? renderTable([...FIELDS], rows.map((r) => FIELDS.map((f) => cell(r, f)))) : 'no actions recorded\n');
      } finally {
        await store.close();
      }
    });

  actions
    .command('verify')
    .description('check the hash chain of the action log; exit 1 naming the first record that does not fit')
    .action(async (_o: unknown, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      try {
        const v = await store.actionLog().verify();
        if (!v.ok) throw new CliError(`action log: record ${v.bad.id} does not fit: ${v.bad.problem} (${v.count} records before it are intact)`);
        ctx.stdout.write(`action log intact: ${v.count} record(s), each chained to the one before\n`);
      } finally {
        await store.close();
      }
    });
}
