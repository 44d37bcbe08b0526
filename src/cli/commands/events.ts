import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config/load.ts';
import { openIpData } from '../../enrich/ip-data.ts';
import { resolveActor, type ResolvedActor } from '../../events/actor-names.ts';
import { eventQueryOf } from '../../events/filter-query.ts';
import { EVENT_LIST_FILTERS, EventFilterShape, splitList, type EventFilters } from '../../events/filters.ts';
import { messageChannel } from '../../events/message-channel.ts';
import type { StoredEvent } from '../../events/schema.ts';
import type { EventQuery } from '../../store/types.ts';
import type { OpenedStore } from '../../store/index.ts';
import { isoSeconds } from '../../util/time.ts';
import { CliError, type CliContext, outputFormat } from '../context.ts';
import { csvRow, renderTable } from '../format.ts';
import { EVENT_CSV_HEADER, eventCsv, pagedEvents } from '../../events/export.ts';
import { cliInt } from '../parse.ts';

/** The filter flags as typed (strings): checked by `parseFilterFlags` with the API's schema. */
export interface EventFilterFlags {
  action?: string;
  actor?: string;
  entity?: string;
  ip?: string;
  asn?: string;
  channel?: string;
  session?: string;
  reason?: string;
  since?: string;
  until?: string;
}

const FlagSchema = z.strictObject(EventFilterShape).omit({ q: true });

/**
 * Check the filter flags with the same schema as the API's parameters (src/events/filters.ts): a bad or empty value
 * is a usage error (exit 2) naming the flag.
 *
 * @example parseFilterFlags({ ip: '203.0.113.0/24' }).ip // { family: 4, start: 3405803776, end: 3405804031, ... }
 * parseFilterFlags({ action: '' }) // throws CliError: invalid --action: must not be empty
 */
export function parseFilterFlags(o: EventFilterFlags): Omit<EventFilters, 'q'> {
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k in FlagSchema.shape && typeof v === 'string') raw[k] = EVENT_LIST_FILTERS.has(k) ? splitList([v]) : v;
  }
  const r = FlagSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new CliError(`invalid --${String(issue.path[0] ?? 'filter')}: ${issue.message}`, 2);
}

/**
 * The store query of the filter flags. `--asn` looks the stored addresses up in the IP data in effect (the config's
 * `ip_data`, else the shipped data).
 *
 * @example const q = await queryFromFlags({ asn: '13335' }, store, ctx, cmd);
 */
export async function queryFromFlags(o: EventFilterFlags, store: OpenedStore, ctx: CliContext, cmd: Command): Promise<EventQuery> {
  const f = parseFilterFlags(o);
  // The config is read only for --asn: other filters work beside a config that does not load.
  const ipData = f.asn !== undefined ? openIpData((await loadConfig(ctx.configPath(cmd))).ip_data) : null;
  const named = f.actor === undefined ? null : await actorOfFlag(f.actor, store, ctx);
  const q = await eventQueryOf({ ...f, actor: named?.query.actor ?? f.actor }, { distinctIps: () => store.uiReads().distinctIps(), lookupAsn: (ip) => ipData?.lookupAsn(ip) ?? null });
  return named?.query.actors ? { ...q, actor: undefined, actors: named.query.actors } : q;
}

/** `--actor` as an id, e-mail or name; says on stderr whom a name or e-mail matched. */
async function actorOfFlag(value: string, store: OpenedStore, ctx: CliContext): Promise<ResolvedActor> {
  // The people directory is folded in from the events: bring it up to date first (a no-op when it is).
  await store.eventSearch().catchUp();
  const r = await resolveActor(store, value);
  if (r.matched.length) {
    const who = r.matched.map((p) => `${p.id} (${[p.name, p.email].filter(Boolean).join(', ')})`).join('; ');
    ctx.stderr.write(`--actor ${JSON.stringify(value)} matches ${r.matched.length === 1 ? '' : `any of ${r.matched.length}: `}${who}\n`);
  }
  return r;
}

function tableRow(e: StoredEvent): string[] {
  const n = e.norm;
  const channel = messageChannel(e);
  const entity = n.entityName ?? n.entityId ?? (channel ? `message in ${channel}` : '');
  return [isoSeconds(n.ts), n.action, n.actorName ?? n.actorId ?? '', entity, n.ip ?? '', n.reasons.join(' ')];
}

/** Add the shared event filter options to a command. */
export function withEventFilters(cmd: Command): Command {
  return cmd
    .option('--action <list>', 'actions, comma-separated')
    .option('--actor <who>', 'actor: user id, e-mail or name (a name several people share matches any of them)')
    .option('--entity <id>', 'entity id (user, channel, file, app, ...)')
    .option('--ip <ip|cidr>', 'context IP address or CIDR block (203.0.113.0/24, 2001:db8::/32)')
    .option('--asn <asn>', 'context IP in this autonomous system (13335 or AS13335)')
    .option('--channel <id>', 'channel of a message entity (private_message_forwarded, message_flagged, ...)')
    .option('--session <id>', 'context session id')
    .option('--reason <reason>', 'anomaly reason (e.g. excessive_downloads)')
    .option('--since <time>', 'ISO 8601, Unix seconds, or a duration back from now (90m, 24h, 30d)')
    .option('--until <time>', 'ISO 8601, Unix seconds, or a duration back from now');
}

export function register(program: Command, ctx: CliContext): void {
  withEventFilters(program.command('events').description('query stored events, newest first'))
    .option('--limit <n>', 'maximum events (0 for all)', cliInt(0), 100)
    .option('--format <format>', 'table (default on a terminal), json (the exact objects received from Slack, one per line), csv')
    .action(async (opts: EventFilterFlags & { limit: number; format?: string }, cmd: Command) => {
      const format = outputFormat(opts.format, ctx.stdout, ['table', 'json', 'csv']);
      parseFilterFlags(opts); // usage errors before the store is opened
      const store = await ctx.openStore(cmd);
      try {
        const q = await queryFromFlags(opts, store, ctx, cmd);
        if (format === 'csv') ctx.stdout.write(csvRow(EVENT_CSV_HEADER));
        const rows: string[][] = [];
        for await (const page of pagedEvents(store, q, opts.limit)) {
          if (format === 'json') ctx.stdout.write(page.map((e) => e.raw).join('\n') + '\n');
          else if (format === 'csv') ctx.stdout.write(page.map(eventCsv).join(''));
          else rows.push(...page.map(tableRow));
        }
        if (format === 'table') {
          ctx.stdout.write(rows.length ? renderTable(['time', 'action', 'actor', 'entity', 'ip', 'reasons'], rows) : 'no events match\n');
        }
      } finally {
        await store.close();
      }
    });
}
