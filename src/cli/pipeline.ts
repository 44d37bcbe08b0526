import type { Command } from 'commander';
import type { Alert } from '../alerts/types.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { SlackAdmin } from '../respond/playbook.ts';
import type { Store } from '../store/types.ts';
import { runIncremental } from './compose.ts';
import type { CliContext } from './context.ts';

export interface AfterStoreHook {
  /** Called with the ids of newly stored events (marks detection as due). */
  onStored: (ids: string[]) => void;
  /** Run detection over everything stored since its last run, if anything was stored. */
  flush(): Promise<Alert[]>;
  /** Flush, then report what detection found on stderr. */
  finish(): Promise<Alert[]>;
  config: Config;
}

export interface AfterStoreOptions {
  /** No summary line on stderr (the demo prints its own). */
  quiet?: boolean;
  /** Change the loaded config before detection uses it (the demo adds its playbooks). */
  adjust?: (config: Config) => Config;
  /** Admin credentials for automatic playbook actions (default: `SLACK_ADMIN_TOKEN`/`SLACK_API_URL` from the environment). */
  slackAdmin?: SlackAdmin | null;
}

/**
 * What runs after events are stored by `collect`, `ingest` and `run`: the detection engine, incrementally (its
 * durable mark in the store makes every path, and every restart, pick up exactly the events not yet seen).
 *
 * @example
 * const hook = await afterStore(store, ctx, cmd); ...store events...; await hook.finish();
 */
export async function afterStore(store: Store, ctx: CliContext, cmd: Command, opts: AfterStoreOptions = {}): Promise<AfterStoreHook> {
  const loaded = await loadConfig(ctx.configPath(cmd));
  const config = opts.adjust ? opts.adjust(loaded) : loaded;
  let due = true; // a previous run may have stored events and stopped before detecting
  const log = (m: string) => ctx.stderr.write(`gridwatch: ${m}\n`);
  const flush = async () => {
    if (!due) return [];
    due = false;
    return runIncremental(store, config, { log, ...(opts.slackAdmin === undefined ? {} : { slackAdmin: opts.slackAdmin }) });
  };
  return {
    config,
    onStored: (ids) => {
      if (ids.length) due = true;
    },
    flush,
    async finish() {
      const alerts = await flush();
      if (alerts.length && !opts.quiet) ctx.stderr.write(`detection: ${alerts.length} alert(s) raised or updated (gridwatch alerts to list them)\n`);
      return alerts;
    },
  };
}
