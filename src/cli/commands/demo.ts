import type { Command } from 'commander';
import { demoSummary, runDemoCollection } from '../../demo/index.ts';
import { CliError, type CliContext } from '../context.ts';
import { cliInt } from '../parse.ts';
import { afterStore } from '../pipeline.ts';
import { progressReporter } from '../progress.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('the built-in demo: simulator → collect → detect, then a summary (what `npm start` runs)')
    .option('--seed <n>', 'organisation seed', cliInt(0), 42)
    .option('--days <n>', 'days of history', cliInt(1, 90), 8)
    .option('--users <n>', 'number of users', cliInt(10, 20000), 300)
    .action(async (o: { seed: number; days: number; users: number }, cmd: Command) => {
      const dbPath = (cmd.optsWithGlobals() as { db?: string }).db ?? 'gridwatch-demo.db';
      ctx.stderr.write(`Starting the Slack API simulator (${o.users} users, ${o.days} days, seed ${o.seed}) and collecting its audit logs...\n`);
      const progress = progressReporter(ctx.stderr, true);
      let result;
      try {
        result = await runDemoCollection({ dbPath, seed: o.seed, days: o.days, users: o.users, onProgress: (p) => progress.update(p) });
      } catch (e) {
        progress.done();
        throw new CliError(`demo failed: ${(e as Error).message}`);
      }
      progress.done();
      const { store, sim, collected } = result;
      try {
        ctx.stderr.write(`Collected ${collected.new} events in ${collected.pages} pages (${collected.windows} windows).\n`);
        const hook = await afterStore(store, ctx, cmd);
        await hook.onStored?.([]);
        await hook.finish();
        ctx.stdout.write((await demoSummary(store, dbPath)).join('\n') + '\n');
      } finally {
        await sim.close();
        await store.close();
      }
    });
}
