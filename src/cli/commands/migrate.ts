import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { isPostgresUrl } from '../../store/index.ts';
import { migrateStore } from '../../store/migrate/index.ts';
import { CliError, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { cliInt } from '../parse.ts';

interface MigrateFlags {
  from: string;
  to: string;
  batchSize: number;
  format: string;
}

/**
 * `gridwatch migrate --from gridwatch.db --to postgres://...`: copy a SQLite store to PostgreSQL (resumable: run it
 * again to continue), then print the rows per table on each side; exit 1 when they differ.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('copy a SQLite store to PostgreSQL (resumable), then compare the counts per table')
    .requiredOption('--from <file>', 'the SQLite database to copy')
    .requiredOption('--to <url>', 'the PostgreSQL database (postgres://...), best empty')
    .option('--batch-size <n>', 'events per transaction', cliInt(1, 100_000), 5000)
    .option('--format <format>', 'text or json', 'text')
    .action(async (o: MigrateFlags) => {
      if (!['text', 'json'].includes(o.format)) throw new CliError('--format must be text or json', 2);
      if (!isPostgresUrl(o.to)) throw new CliError('--to must be a postgres:// URL', 2);
      if (isPostgresUrl(o.from) || !existsSync(o.from)) throw new CliError(`--from: no SQLite database at ${o.from}`, 2);
      const r = await migrateStore({
        from: o.from,
        to: o.to,
        batchSize: o.batchSize,
        onEvents: (n) => ctx.stderr.write(`gridwatch: migrate: ${n} events copied\n`),
      });
      const bad = r.counts.filter((c) => c.source !== c.target);
      if (o.format === 'json') ctx.stdout.write(`${JSON.stringify({ copied_events: r.copiedEvents, counts: r.counts, ok: bad.length === 0 })}\n`);
      else {
        ctx.stdout.write(renderTable(['table', 'source', 'target', ''], r.counts.map((c) => [c.table, String(c.source), String(c.target), c.source === c.target ? 'ok' : 'MISMATCH']), 80));
      }
      if (bad.length) throw new CliError(`counts differ for ${bad.map((c) => c.table).join(', ')}: run migrate again to continue, or check the target was empty`);
    });
}
