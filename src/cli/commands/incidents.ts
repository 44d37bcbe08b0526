/**
 * `gridwatch incidents`: alerts grouped per user (list, show, assign, set-status, comment). Actions are recorded as
 * `cli:<os user>`, as the respond commands record theirs.
 */
import type { Command } from 'commander';
import { SEVERITIES, type Severity } from '../../alerts/types.ts';
import { describeIncident, INCIDENT_TABLE_HEADERS, incidentDetailJson, incidentJson, incidentRow } from '../../incidents/format.ts';
import { assignIncident, commentIncident, IncidentError, incidentDetail, setIncidentStatus, syncIncidents, type IncidentDeps } from '../../incidents/service.ts';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../incidents/types.ts';
import { cliActor } from '../../respond/actor.ts';
import type { OpenedStore } from '../../store/index.ts';
import { alertStoreFor } from '../compose.ts';
import { CliError, outputFormat, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { cliInt, cliList } from '../parse.ts';
import { commandConfig } from './detect.ts';

function oneOf<T extends string>(allowed: readonly T[], flag: string) {
  return (v: string): T[] => {
    const list = cliList(v);
    for (const x of list) if (!(allowed as readonly string[]).includes(x)) throw new CliError(`${flag} must be among ${allowed.join(', ')} (got "${x}")`, 2);
    return list as T[];
  };
}

/** Run `f` on the store's incidents; refusals become CLI errors; the store is closed afterwards. */
async function withIncidents<T>(ctx: CliContext, cmd: Command, f: (d: IncidentDeps, store: OpenedStore) => Promise<T>): Promise<T> {
  const store = await ctx.openStore(cmd);
  try {
    return await f({ store, alerts: alertStoreFor(store), incidents: store.incidentStore() }, store);
  } catch (e) {
    if (e instanceof IncidentError) throw new CliError(e.code === 'not_found' ? `${e.message} (list them with: gridwatch incidents)` : e.message);
    throw e;
  } finally {
    await store.close();
  }
}

/** The `--format` of a subcommand, which commander may hand to `incidents` wherever it stands on the line. */
function subFormat(cmd: Command, own: string): string {
  const format = (cmd.parent?.opts().format as string | undefined) ?? own;
  if (!['text', 'json'].includes(format)) throw new CliError('--format must be text or json', 2);
  return format;
}

type ListFlags = { status?: IncidentStatus[]; severity?: Severity[]; user?: string; assignee?: string; limit: number; format?: string };

export function register(program: Command, ctx: CliContext): void {
  const incidents = program
    .command('incidents')
    .description('list incidents (one user\'s alerts close in time), newest activity first (subcommands: show, assign, set-status, comment)')
    .option('--status <list>', `statuses, comma-separated (${INCIDENT_STATUSES.join(', ')})`, oneOf(INCIDENT_STATUSES, '--status'))
    .option('--user <user>', 'user id, email or name')
    .option('--severity <list>', `severities, comma-separated (${SEVERITIES.join(', ')})`, oneOf(SEVERITIES, '--severity'))
    .option('--assignee <name>', 'gridwatch account name')
    .option('--limit <n>', 'maximum incidents (0 for all)', cliInt(0), 100)
    .option('--format <format>', 'table (default on a terminal) or json (one incident per line)')
    .action(async (opts: ListFlags, cmd: Command) => {
      const format = outputFormat(opts.format, ctx.stdout, ['table', 'json']);
      const config = await commandConfig(ctx, cmd);
      await withIncidents(ctx, cmd, async (d) => {
        // Alerts stored before incidents existed (or a changed gap) are grouped now; otherwise a no-op.
        await syncIncidents(d.store, d.alerts, config.incidents.gap, null, Date.now());
        const list = await d.incidents.list({ status: opts.status, severity: opts.severity, user: opts.user, assignee: opts.assignee, limit: opts.limit || undefined });
        if (format === 'json') for (const i of list) ctx.stdout.write(`${JSON.stringify(incidentJson(i))}\n`);
        else ctx.stdout.write(list.length ? renderTable(INCIDENT_TABLE_HEADERS, list.map(incidentRow), 72) : 'no incidents match\n');
      });
    });

  incidents
    .command('show')
    .description('show one incident: its alerts, comments and changes')
    .argument('<id>', 'incident id')
    .option('--format <format>', 'text or json', 'text')
    .action(async (id: string, opts: { format: string }, cmd: Command) => {
      const format = subFormat(cmd, opts.format);
      await withIncidents(ctx, cmd, async (d) => {
        const detail = await incidentDetail(d, id);
        ctx.stdout.write(format === 'json' ? `${JSON.stringify(incidentDetailJson(detail))}\n` : describeIncident(detail));
      });
    });

  incidents
    .command('assign')
    .description('assign an incident to a gridwatch account (see: gridwatch users list)')
    .argument('<id>', 'incident id')
    .argument('[name]', 'account name (omit with --none)')
    .option('--none', 'unassign')
    .action(async (id: string, name: string | undefined, opts: { none?: boolean }, cmd: Command) => {
      if (!name && !opts.none) throw new CliError('give an account name, or --none to unassign', 2);
      if (name && opts.none) throw new CliError('give an account name or --none, not both', 2);
      await withIncidents(ctx, cmd, async (d) => {
        const i = await assignIncident(d, id, name ?? null, cliActor(ctx.env), Date.now());
        ctx.stdout.write(`${i.id} ${i.assignee ? `assigned to ${i.assignee}` : 'unassigned'}\n`);
      });
    });

  incidents
    .command('set-status')
    .description(`set an incident's status and its alerts' (${INCIDENT_STATUSES.join(', ')})`)
    .argument('<id>', 'incident id')
    .argument('<status>', INCIDENT_STATUSES.join(' | '))
    .option('--note <text>', 'why (kept with the incident and each alert)')
    .action(async (id: string, status: string, opts: { note?: string }, cmd: Command) => {
      if (!(INCIDENT_STATUSES as readonly string[]).includes(status)) throw new CliError(`status must be one of ${INCIDENT_STATUSES.join(', ')} (got "${status}")`, 2);
      await withIncidents(ctx, cmd, async (d) => {
        const i = await setIncidentStatus(d, id, status as IncidentStatus, opts.note?.trim() || null, cliActor(ctx.env), Date.now());
        ctx.stdout.write(`${i.id} ${i.status} (${i.alert_ids.length} alert${i.alert_ids.length === 1 ? '' : 's'})${opts.note ? ` (${opts.note})` : ''}\n`);
      });
    });

  incidents
    .command('comment')
    .description('add a comment to an incident')
    .argument('<id>', 'incident id')
    .argument('<text>', 'the comment')
    .action(async (id: string, text: string, _opts: unknown, cmd: Command) => {
      if (!text.trim()) throw new CliError('the comment is empty', 2);
      await withIncidents(ctx, cmd, async (d) => {
        const c = await commentIncident(d, id, cliActor(ctx.env), text.trim(), Date.now());
        ctx.stdout.write(`${id} comment ${c.id} by ${c.author} at ${c.at}\n`);
      });
    });
}
