import type { Command } from 'commander';
import type { StoredEvent } from '../../events/schema.ts';
import type { EventQuery, Store } from '../../store/types.ts';
import { isoSeconds } from '../../util/time.ts';
import { type CliContext, outputFormat } from '../context.ts';
import { csvRow, renderTable } from '../format.ts';
import { cliInt, cliList, cliTime } from '../parse.ts';
import { resolveActor, type ResolvedActor } from '../../events/actor-names.ts';

export interface EventFilterFlags {
  action?: string[];
  actor?: string;
  entity?: string;
  ip?: string;
  session?: string;
  reason?: string;
  since?: number;
  until?: number;
}

/** `--actor` as an id, e-mail or name; says on stderr whom a name or e-mail matched. */
async function actorOfFlag(value: string, store: Store, ctx: CliContext): Promise<ResolvedActor> {
  // The people directory is folded in from the events: bring it up to date first (a no-op when it is).
  await store.eventSearch?.().catchUp();
  const r = await resolveActor(store, value);
  if (r.matched.length) {
    const who = r.matched.map((p) => `${p.id} (${[p.name, p.email].filter(Boolean).join(', ')})`).join('; ');
    ctx.stderr.write(`--actor ${JSON.stringify(value)} matches ${r.matched.length === 1 ? '' : `any of ${r.matched.length}: `}${who}\n`);
  }
  return r;
}

/** Map the shared filter flags onto a store query. */
export function queryFromFlags(o: EventFilterFlags): EventQuery {
  return { actions: o.action, actor: o.actor, entity: o.entity, ip: o.ip, session: o.session, reason: o.reason, since: o.since, until: o.until };
}

/**
 * Every event matching `q`, newest first, page by page (keyset pagination), so `--limit 0` over millions of
 * events streams in constant memory.
 *
 * @example
 * for await (const page of pagedEvents(store, { actions: ['anomaly'] }, 0)) ...
 */
export async function* pagedEvents(store: Store, q: EventQuery, limit: number, pageSize = 5000): AsyncGenerator<StoredEvent[]> {
  let remaining = limit > 0 ? limit : Infinity;
  let before: EventQuery['before'];
  while (remaining > 0) {
    const page = await store.queryEvents({ ...q, before, limit: Math.min(pageSize, remaining) });
    if (!page.length) return;
    yield page;
    remaining -= page.length;
    const last = page[page.length - 1]!;
    before = { ts: last.norm.ts, seq: last.seq };
    if (page.length < Math.min(pageSize, remaining + page.length)) return;
  }
}

const CSV_HEADER = ['id', 'time', 'action', 'actor_id', 'actor_name', 'actor_email', 'entity_type', 'entity_id', 'entity_name', 'ip', 'session_id', 'ua', 'reasons'];

function csvOf(e: StoredEvent): string {
  const n = e.norm;
  return csvRow([n.id, isoSeconds(n.ts), n.action, n.actorId, n.actorName, n.actorEmail, n.entityType, n.entityId, n.entityName, n.ip, n.sessionId, n.ua, n.reasons.join(' ')]);
}

function tableRow(e: StoredEvent): string[] {
  const n = e.norm;
  return [isoSeconds(n.ts), n.action, n.actorName ?? n.actorId ?? '', n.entityName ?? n.entityId ?? '', n.ip ?? '', n.reasons.join(' ')];
}

/** Add the shared event filter options to a command. */
export function withEventFilters(cmd: Command): Command {
  return cmd
    .option('--action <list>', 'actions, comma-separated', cliList)
    .option('--actor <who>', 'actor: user id, e-mail or name (a name several people share matches any of them)')
    .option('--entity <id>', 'entity id (user, channel, file, app, ...)')
    .option('--ip <ip>', 'context IP address')
    .option('--session <id>', 'context session id')
    .option('--reason <reason>', 'anomaly reason (e.g. excessive_downloads)')
    .option('--since <time>', 'ISO 8601, Unix seconds, or a duration back from now (90m, 24h, 30d)', cliTime)
    .option('--until <time>', 'ISO 8601, Unix seconds, or a duration back from now', cliTime);
}

export function register(program: Command, ctx: CliContext): void {
  withEventFilters(program.command('events').description('query stored events, newest first'))
    .option('--limit <n>', 'maximum events (0 for all)', cliInt(0), 100)
    .option('--format <format>', 'table (default on a terminal), json (the exact objects received from Slack, one per line), csv')
    .action(async (opts: EventFilterFlags & { limit: number; format?: string }, cmd: Command) => {
      const format = outputFormat(opts.format, ctx.stdout, ['table', 'json', 'csv']);
      const store = await ctx.openStore(cmd);
      try {
        const named = opts.actor === undefined ? null : await actorOfFlag(opts.actor, store, ctx);
        const q = { ...queryFromFlags(opts), ...(named && { actor: undefined, ...named.query }) };
        if (format === 'csv') ctx.stdout.write(csvRow(CSV_HEADER));
        const rows: string[][] = [];
        for await (const page of pagedEvents(store, q, opts.limit)) {
          if (format === 'json') ctx.stdout.write(page.map((e) => e.raw).join('\n') + '\n');
          else if (format === 'csv') ctx.stdout.write(page.map(csvOf).join(''));
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
