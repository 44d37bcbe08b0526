import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { ingestFile, type IngestSummary } from '../../ingest/index.ts';
import { CliError, type CliContext } from '../context.ts';
import { cliInt } from '../parse.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description('import audit events from JSON Lines, a JSON array or saved /logs responses (gzip or plain; - for stdin)')
    .argument('<files...>', 'files to import, - for stdin')
    .option('--format <format>', 'text or json (prints {"ingested","duplicates","quarantined"})', 'text')
    .option('--strict', 'exit 1 if any input was quarantined')
    .option('--max-event-bytes <n>', 'size limit per event in bytes', cliInt(1), 1024 * 1024)
    .action(async (files: string[], opts: { format: string; strict?: boolean; maxEventBytes: number }, cmd: Command) => {
      if (!['text', 'json'].includes(opts.format)) throw new CliError('--format must be text or json', 2);
      for (const f of files) {
        if (f !== '-') await access(f).catch(() => {
          throw new CliError(`cannot read ${f}: no such file (check the path)`);
        });
      }
      const store = await ctx.openStore(cmd);
      const total: IngestSummary = { ingested: 0, duplicates: 0, quarantined: 0 };
      try {
        const { afterStore } = await import('../pipeline.ts');
        const hook = await afterStore(store, ctx, cmd);
        for (const f of files) {
          const s = await ingestFile(f, {
            store,
            maxEventBytes: opts.maxEventBytes,
            onStored: hook.onStored,
            onQuarantine: (q) => ctx.stderr.write(`gridwatch: quarantined ${q.source} ${q.position}: ${q.reason}\n`),
          });
          total.ingested += s.ingested;
          total.duplicates += s.duplicates;
          total.quarantined += s.quarantined;
        }
        await hook.finish();
      } finally {
        await store.close();
      }
      if (opts.format === 'json') ctx.stdout.write(`${JSON.stringify(total)}\n`);
      else ctx.stdout.write(`ingested ${total.ingested}, duplicates ${total.duplicates}, quarantined ${total.quarantined}\n`);
      if (opts.strict && total.quarantined > 0) throw new CliError(`${total.quarantined} input(s) quarantined (--strict)`);
    });
}
