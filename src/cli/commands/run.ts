import type { Command } from 'commander';
import { formatFaults, nonZeroFaults } from '../../collector/index.ts';
import { SlackApiError } from '../../slack/errors.ts';
import { streamLogger } from '../../util/log.ts';
import { CliError, type CliContext } from '../context.ts';
import { afterStore } from '../pipeline.ts';
import { progressReporter } from '../progress.ts';
import { whileLeased } from '../../collector/lease.ts';
import { collectOptionsFrom, followWithDetection, leaseOptionsFor, withCollectOptions, type CollectFlags } from './collect.ts';
import { adminCredentials, startUi, waitForShutdown, withServeOptions, type UiOptions } from './serve.ts';

/**
 * `gridwatch run`: the deployment mode. One process collects continuously, detects as events arrive and serves the
 * UI; SIGTERM (or SIGINT) stops the poller, lets the running detection finish, closes the server and the database.
 */
export function register(program: Command, ctx: CliContext): void {
  withServeOptions(withCollectOptions(program.command('run').description('collect continuously, detect as events arrive, and serve the UI'))).action(
    async (o: CollectFlags & UiOptions, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      // Slack's error text and counts go out as fields of structured lines (see util/log.ts), never raw.
      const log = streamLogger(ctx.stderr, 'gridwatch run');
      const abort = new AbortController();
      try {
        // One admin token for the process (--admin-token-file, else SLACK_ADMIN_TOKEN): the respond routes and the
        // playbooks' automatic actions use the same one.
        const slackAdmin = adminCredentials(o);
        const hook = await afterStore(store, ctx, cmd, { slackAdmin });
        const opts = collectOptionsFrom(o, ctx, { store, hook, progress: progressReporter(ctx.stderr, false), signal: abort.signal });
        const ui = await startUi(store, { ...o, config: hook.config, slackAdmin }, ctx.stdout, ctx.stderr);
        let fatal: unknown = null;
        // Every run process serves the UI; one per filter set collects (the lease holder), the others wait to take over.
        const leased = leaseOptionsFor(store, opts, ctx, abort.signal, true, (m) => log(m));
        const collecting = whileLeased(leased, (signal) =>
          followWithDetection({ ...opts, signal }, hook, o.interval, ctx, (s) => {
            // A poll's faults (retries, 429s, 5xx, truncated bodies, re-read windows) are told even when nothing is new.
            if (s.new || formatFaults(s.faults)) log('collected new events', { count: s.new, ...nonZeroFaults(s.faults) });
          }),
        ).catch((e) => {
          // Authentication or request errors stop collection for good; the UI keeps serving what is stored.
          fatal = e;
          log('collection stopped', { error: (e as Error).message });
        });
        await waitForShutdown();
        log('shutting down');
        abort.abort();
        await collecting;
        await ui.close();
        if (fatal instanceof SlackApiError) throw new CliError(fatal.message);
      } finally {
        await store.close();
      }
    },
  );
}
