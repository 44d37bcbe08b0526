import type { Command } from 'commander';
import { ANOMALIES_ONLY, checkpointKey, collect, describeCheckpoints, followLoop, formatFaults, type CheckpointStatus, type CollectOptions, type CollectSummary, type FollowSummary } from '../../collector/index.ts';
import { createAuditClient, type ClientEvent } from '../../slack/audit-client.ts';
import { SlackApiError } from '../../slack/errors.ts';
import { auditBaseUrl, resolveAuditToken, tokenKindWarning } from '../../slack/token.ts';
import { isoSeconds } from '../../util/time.ts';
import { CliError, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';
import { cliDuration, cliInt, cliList, cliTime } from '../parse.ts';
import { afterStore, type AfterStoreHook } from '../pipeline.ts';
import { progressReporter, type ProgressReporter } from '../progress.ts';
import type { Store } from '../../store/types.ts';
import { collectorLeases, type CollectorLease } from '../../store/leases/index.ts';
import { describeHolder, LeaseHeldError, leaseTimings, thisHolder, whileLeased, type LeasedOptions } from '../../collector/lease.ts';

export interface CollectFlags {
  since?: number;
  until?: number;
  follow?: boolean;
  interval: number;
  action?: string[];
  actor?: string;
  entity?: string;
  anomaliesOnly?: boolean;
  tokenFile?: string;
  format: string;
  status?: boolean;
  settle?: number;
  overlap?: number;
  budget?: number;
  pageLimit?: number;
}

/** The summary fields `--format json` promises: the run's figures, then its faults (`retries` ... `rereads`). */
function summaryJson(s: Pick<CollectSummary, 'fetched' | 'new' | 'duplicates' | 'quarantined' | 'pages' | 'windows' | 'late' | 'faults'>) {
  return { fetched: s.fetched, new: s.new, duplicates: s.duplicates, quarantined: s.quarantined, pages: s.pages, windows: s.windows, late: s.late, ...s.faults };
}

/** `; faults: 3 retries, 2 rate limited (429)` when there were any, else ''. */
export function faultsClause(s: Pick<CollectSummary, 'faults'>): string {
  const f = formatFaults(s.faults);
  return f ? `; faults: ${f}` : '';
}

/** The `last run` cell of `collect --status`: outcome and figures. */
function lastRunCell(c: CheckpointStatus): string {
  if (!c.lastRun) return '';
  const s = c.lastRun.summary;
  const outcome = c.lastRun.error ? `FAILED: ${c.lastRun.error}` : c.lastRun.running ? 'running/interrupted' : 'ok';
  return `${outcome} ${s ? `${s.fetched} fetched, ${s.new} new, ${s.duplicates} dup, ${s.late} late, ${s.quarantined} quarantined, ${s.pages} pages` : ''}`;
}

/** The faults of a checkpoint's last run and since counting began, as one line under the table (never cut). */
function faultsLine(c: CheckpointStatus): string | null {
  if (!c.lastRunFaults && !c.faultTotals) return null;
  const last = c.lastRunFaults ? formatFaults(c.lastRunFaults) || 'none' : 'not counted';
  const total = c.faultTotals ? `; since ${isoSeconds(Math.floor(c.faultTotals.since / 1000))}: ${formatFaults(c.faultTotals) || 'none'}` : '';
  return `faults of ${c.key}: last run ${last}${total}\n`;
}

/** `collector of all: host pid 12 since ..., lease until ...` (or `expired at`: its holder stopped renewing). */
function leaseLine(l: CollectorLease & { expired: boolean }): string {
  const until = new Date(l.expiresAt).toISOString();
  return `collector of ${l.key}: ${describeHolder(l)} since ${new Date(l.acquiredAt).toISOString()}, lease ${l.expired ? `expired at ${until}` : `until ${until}`}`;
}

/**
 * The lease options of a collecting command (one collector per filter set: collector/lease.ts): the filter set's
 * key, who we are (`GRIDWATCH_HOST_ID`), the timings (`GRIDWATCH_LEASE_MS`), and `say` for waiting, taking over and
 * losing it.
 *
 * @example await whileLeased(leaseOptionsFor(store, opts, ctx, signal, true, (m) => ctx.stderr.write(m)), work);
 */
export function leaseOptionsFor(store: Store, opts: CollectOptions, ctx: CliContext, signal: AbortSignal, wait: boolean, say: (m: string) => void): LeasedOptions {
  return {
    leases: collectorLeases(store),
    key: checkpointKey(opts.filters),
    timings: leaseTimings(ctx.env),
    me: thisHolder(ctx.env),
    signal,
    wait,
    onWaiting: (l) => say(`another collector holds the lease of '${l.key}' (${describeHolder(l)}): waiting to take over`),
    onAcquired: (l) => say(`collecting '${l.key}' (lease held by this process)`),
    onLost: (reason) => say(`stopped collecting: ${reason}`),
    onError: (e) => say(`cannot read the collector lease, retrying: ${(e as Error).message}`),
  };
}

async function printStatus(ctx: CliContext, cmd: Command, format: string): Promise<void> {
  const store = await ctx.openStore(cmd);
  try {
    const cps = await describeCheckpoints(store);
    const newest = await store.newestEventTime();
    const leases = await collectorLeases(store).list();
    if (format === 'json') {
      ctx.stdout.write(`${JSON.stringify({ checkpoints: cps, newest_event: newest === null ? null : isoSeconds(newest), leases })}\n`);
      return;
    }
    if (!cps.length) ctx.stdout.write('no collection checkpoints yet (run gridwatch collect)\n');
    else {
      const rows = cps.map((c) => [c.key, c.lowIso, c.highIso, `${Math.round(c.lagSec / 60)} min`, lastRunCell(c)]);
      ctx.stdout.write(renderTable(['checkpoint', 'covered from', 'covered to', 'lag', 'last run'], rows, 90));
      for (const c of cps) ctx.stdout.write(faultsLine(c) ?? '');
    }
    for (const l of leases) ctx.stdout.write(`${leaseLine(l)}\n`);
    ctx.stdout.write(`newest stored event: ${newest === null ? 'none' : isoSeconds(newest)}\n`);
  } finally {
    await store.close();
  }
}

/** The collection flags shared by `collect` and `run`. */
export function withCollectOptions(cmd: Command): Command {
  return cmd
    .option('--since <time>', 'collect from (first run) or backfill back to this time: ISO 8601, Unix seconds, or 30d', cliTime)
    .option('--until <time>', 'collect up to this time (default: now minus the settle delay)', cliTime)
    .option('--interval <duration>', 'time between polls when following', cliDuration, 60)
    .option('--action <list>', 'only these actions (comma list; more than 30 are split into several queries)', cliList)
    .option('--actor <id>', 'only events by this user id')
    .option('--entity <id>', 'only events on this entity id')
    .option('--anomalies-only', 'only anomaly events (action=anomaly): the low-volume mode')
    .option('--token-file <file>', 'read the token from a file instead of $SLACK_AUDIT_TOKEN')
    .option('--settle <duration>', 'how old a second must be before it is collected (config collect.settle_seconds, default 120s)', cliDuration)
    .option('--overlap <duration>', 're-read this far behind the checkpoint to catch late events (default 6h)', cliDuration)
    .option('--budget <n>', 'API calls per minute gridwatch may use (org-wide limit is about 50; default 40)', cliInt(1, 1000))
    .option('--page-limit <n>', 'events per request (max 9999, default 5000)', cliInt(1, 9999));
}

/**
 * Everything a collection run needs from the flags, the config and the environment: the API client (token from
 * `--token-file` or `$SLACK_AUDIT_TOKEN`, never printed) and the collector options, wired to detection.
 *
 * @example
 * const opts = collectOptionsFrom(o, ctx, { store, hook, progress, signal });
 */
export function collectOptionsFrom(
  o: CollectFlags,
  ctx: CliContext,
  parts: { store: Store; hook: AfterStoreHook; progress: ProgressReporter; signal: AbortSignal },
): CollectOptions {
  if (o.anomaliesOnly && o.action) throw new CliError('use either --anomalies-only or --action, not both', 2);
  const config = parts.hook.config;
  const token = resolveAuditToken({ tokenFile: o.tokenFile, env: ctx.env });
  const warning = tokenKindWarning(token);
  if (warning) ctx.stderr.write(`gridwatch: warning: ${warning}\n`);
  const client = createAuditClient({
    baseUrl: auditBaseUrl(ctx.env),
    token,
    budgetPerMinute: o.budget ?? config.collect.budget_per_minute,
    onEvent: (e) => {
      if (e.type === 'retry' || e.type === 'rate_limited') parts.progress.note(describeClientEvent(e));
    },
  });
  return {
    store: parts.store,
    client,
    filters: o.anomaliesOnly ? ANOMALIES_ONLY : { actions: o.action, actor: o.actor, entity: o.entity },
    since: o.since,
    until: o.until,
    settleSec: o.settle ?? config.collect.settle_seconds,
    overlapSec: o.overlap ?? config.collect.overlap_hours * 3600,
    pageLimit: o.pageLimit ?? config.collect.page_limit,
    signal: parts.signal,
    onProgress: (p) => parts.progress.update(p),
    onStored: parts.hook.onStored,
  };
}

/**
 * Poll until the signal aborts, running detection after each poll (one detection run at a time).
 *
 * @example
 * await followWithDetection(opts, hook, 60, ctx, (s) => console.log(s.new));
 */
export async function followWithDetection(
  opts: CollectOptions,
  hook: AfterStoreHook,
  intervalSec: number,
  ctx: CliContext,
  onSummary: (s: CollectSummary) => void,
): Promise<FollowSummary> {
  let detecting: Promise<unknown> = Promise.resolve();
  const total = await followLoop({
    ...opts,
    intervalSec,
    onRun: (s) => {
      onSummary(s);
      detecting = detecting.then(() => hook.finish()).catch((e) => ctx.stderr.write(`gridwatch: detection failed: ${(e as Error).message}\n`));
    },
    onError: (e) => ctx.stderr.write(`gridwatch: collect failed, retrying next poll: ${(e as Error).message}\n`),
  });
  await detecting;
  await hook.finish();
  return total;
}

export function register(program: Command, ctx: CliContext): void {
  withCollectOptions(
    program
      .command('collect')
      .description('pull audit events from the Slack Audit Logs API into the store (token: $SLACK_AUDIT_TOKEN or --token-file)'),
  )
    .option('--follow', 'keep polling for new events until interrupted (see --interval)')
    .option('--format <format>', 'text or json', 'text')
    .option('--status', 'print each checkpoint, the last run and the newest stored event, then exit')
    .action(async (o: CollectFlags, cmd: Command) => {
      if (!['text', 'json'].includes(o.format)) throw new CliError('--format must be text or json', 2);
      if (o.status) return printStatus(ctx, cmd, o.format);
      const store = await ctx.openStore(cmd);
      const progress = progressReporter(ctx.stderr, o.format !== 'json');
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const hook = await afterStore(store, ctx, cmd);
        const opts = collectOptionsFrom(o, ctx, { store, hook, progress, signal: abort.signal });
        const say = (m: string) => ctx.stderr.write(`gridwatch: ${m}\n`);
        if (o.follow) {
          const total = await whileLeased(leaseOptionsFor(store, opts, ctx, abort.signal, true, say), (signal) =>
            followWithDetection({ ...opts, signal }, hook, o.interval, ctx, (s) => {
              progress.done();
              if (o.format === 'json') ctx.stdout.write(`${JSON.stringify(summaryJson(s))}\n`);
              else ctx.stderr.write(`collected ${s.new} new events (${s.fetched} fetched, ${s.duplicates} duplicates, ${s.late} late)${faultsClause(s)}\n`);
            }),
          );
          if (o.format !== 'json' && total) ctx.stderr.write(`stopped after ${total.runs} polls: ${total.new} new events${faultsClause(total)}\n`);
          return;
        }
        // A one-off run does not wait for a following collector: it says who holds the lease and exits 1.
        const s = await whileLeased(leaseOptionsFor(store, opts, ctx, abort.signal, false, () => {}), (signal) => collect({ ...opts, signal }));
        if (!s) return;
        progress.done();
        await hook.finish();
        if (o.format === 'json') ctx.stdout.write(`${JSON.stringify(summaryJson(s))}\n`);
        else {
          ctx.stdout.write(
            `fetched ${s.fetched}: ${s.new} new, ${s.duplicates} duplicates, ${s.quarantined} quarantined, ${s.late} late arrivals; ` +
              `${s.pages} pages, ${s.windows} windows${s.aborted ? ' (interrupted)' : ''}${faultsClause(s)}\n`,
          );
          if (s.checkpoint.high !== null) ctx.stdout.write(`checkpoint ${s.checkpoint.key}: covered ${isoSeconds(s.checkpoint.low!)} .. ${isoSeconds(s.checkpoint.high)}\n`);
        }
      } catch (e) {
        progress.done();
        // Slack API errors carry messages that say what to do and never contain the token.
        if (e instanceof SlackApiError || e instanceof LeaseHeldError) throw new CliError(e.message);
        throw e;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await store.close();
      }
    });
}

function describeClientEvent(e: ClientEvent): string {
  if (e.type === 'rate_limited') return `rate limited by Slack: waiting ${Math.ceil(e.retryAfterMs / 1000)}s (Retry-After)`;
  if (e.type === 'retry') return `retry ${e.attempt} in ${Math.ceil(e.delayMs / 1000)}s after ${e.reason}`;
  return e.type;
}
