import type { Command } from 'commander';
import { pruneStore, type PruneSummary } from '../../store/prune/index.ts';
import { isoSeconds } from '../../util/time.ts';
import { CliError, type CliContext } from '../context.ts';
import { cliDuration } from '../parse.ts';

interface PruneFlags {
  olderThan: number;
  includeAlerts?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  format: string;
}

function describe(s: PruneSummary): string {
  const verb = s.dryRun ? 'would remove' : 'removed';
  const parts = s.partitionsDropped.length ? ` (${s.partitionsDropped.length} monthly partitions whole: ${s.partitionsDropped.join(', ')})` : '';
  return `${verb} ${s.events} events before ${isoSeconds(s.cut)}${parts}; ${s.alerts} alerts, ${s.incidents} incidents; the action log is kept\n`;
}

/**
 * `gridwatch prune --older-than 400d`: remove old events (whole partitions on PostgreSQL, bounded batches on SQLite);
 * alerts and incidents too with --include-alerts; never the action log (a hash chain) nor the checkpoints.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('prune')
    .description('remove events older than a duration (alerts and incidents too with --include-alerts; the action log is always kept)')
    .requiredOption('--older-than <duration>', 'remove what is older than this, e.g. 400d', cliDuration)
    .option('--include-alerts', 'also remove alerts and incidents whose last event is older')
    .option('--dry-run', 'count what would be removed; change nothing')
    .option('--yes', 'remove without asking (required unless --dry-run)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (o: PruneFlags, cmd: Command) => {
      if (!['text', 'json'].includes(o.format)) throw new CliError('--format must be text or json', 2);
      if (!(o.olderThan > 0)) throw new CliError('--older-than must be a positive duration', 2);
      if (!o.yes && !o.dryRun) throw new CliError('prune deletes data: add --yes (or --dry-run to count first)', 2);
      const store = await ctx.openStore(cmd);
      try {
        const cut = Math.floor(Date.now() / 1000) - o.olderThan;
        const s = await pruneStore(store, { cut, includeAlerts: !!o.includeAlerts, dryRun: !!o.dryRun });
        if (o.format === 'json') ctx.stdout.write(`${JSON.stringify({ cut: isoSeconds(s.cut), events: s.events, partitions_dropped: s.partitionsDropped, alerts: s.alerts, incidents: s.incidents, dry_run: s.dryRun })}\n`);
        else ctx.stdout.write(describe(s));
      } finally {
        await store.close();
      }
    });
}
