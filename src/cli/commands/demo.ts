import type { Command } from 'commander';
import { demoConfig, demoSlackAdmin, demoSummary, runDemoCollection } from '../../demo/index.ts';
import { ALERT_TABLE_HEADERS, alertRow } from '../../alerts/format.ts';
import { severityRank } from '../../config/schema.ts';
import { CliError, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { cliInt } from '../parse.ts';
import { afterStore } from '../pipeline.ts';
import { progressReporter } from '../progress.ts';
import { startUi, waitForShutdown, withServeOptions, type UiOptions } from './serve.ts';

const CORRELATION_RULES = new Set(['session-hijack-suspected', 'scraping-suspected', 'excessive-downloads-over-baseline', 'unexpected-user-agent', 'anomaly-from-new-ip']);

export function register(program: Command, ctx: CliContext): void {
  withServeOptions(program.command('demo'))
    .description('the built-in demo: simulator → collect → detect → summary, then the web UI (what `npm start` runs)')
    .option('--no-serve', 'stop after the summary instead of serving the UI')
    .option('--seed <n>', 'organisation seed', cliInt(0), 42)
    .option('--days <n>', 'days of history', cliInt(1, 90), 8)
    .option('--users <n>', 'number of users', cliInt(10, 20000), 300)
    .action(async (o: { seed: number; days: number; users: number; serve: boolean } & UiOptions, cmd: Command) => {
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
        ctx.stdout.write((await demoSummary(store, dbPath)).join('\n') + '\n\n');
        // The demo's playbooks propose sign-outs; the buttons act on the demo's own simulator, whatever the environment says.
        const slackAdmin = demoSlackAdmin(sim);
        const hook = await afterStore(store, ctx, cmd, { quiet: true, adjust: demoConfig, slackAdmin });
        // gridwatch's own patterns (correlations, baselines, expected clients, new IPs) first: the story is there.
        const own = (rule: string) => (CORRELATION_RULES.has(rule) ? 0 : 1);
        const alerts = (await hook.finish()).sort(
          (a, b) => own(a.rule) - own(b.rule) || severityRank(b.severity) - severityRank(a.severity) || b.last_seen.localeCompare(a.last_seen),
        );
        const shown = alerts.filter((a) => a.rule !== 'slack-anomaly').slice(0, 15);
        const passthrough = alerts.filter((a) => a.rule === 'slack-anomaly').length;
        ctx.stdout.write(`Detection raised ${alerts.length} alerts (${passthrough} are Slack anomalies passed through). The most important:\n`);
        ctx.stdout.write(renderTable(ALERT_TABLE_HEADERS, shown.map(alertRow), 60) + '\n');
        if (o.serve) {
          const ui = await startUi(store, { ...o, config: hook.config, slackAdmin, portFallback: true, demoLogin: true }, ctx.stdout, ctx.stderr);
          ctx.stdout.write('Press Ctrl-C to stop.\n');
          await waitForShutdown();
          await ui.close();
        }
      } finally {
        await sim.close();
        await store.close();
      }
    });
}
