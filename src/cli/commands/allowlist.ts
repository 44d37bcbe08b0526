/**
 * `gridwatch allowlist show|add|remove` (issue #11): Slack's anomaly allowlist beside the config's local lists, and
 * changes to either, merged onto what is there (Slack's `updateItem` overwrites), confirmed and recorded. The logic
 * lives in `respond/allowlist.ts` (checks, merge, diff) and `respond/allowlist-change.ts` (read, confirm, write).
 */
import type { Command } from 'commander';
import { ALLOWLIST_TARGETS, checkChange, type AllowlistOp, type AllowlistTarget } from '../../respond/allowlist.ts';
import { localSide, runAllowlistChange, slackSide, type AllowlistSide } from '../../respond/allowlist-change.ts';
import { cliActor } from '../../respond/actor.ts';
import { confirmOrRefuse } from '../../respond/confirm.ts';
import { redact } from '../../slack/errors.ts';
import { resolveAdminToken } from '../../slack/token.ts';
import { createWebClient, type WebClient } from '../../slack/web-client.ts';
import { CliError, type CliContext } from '../context.ts';
import { commandConfig } from './detect.ts';

const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];

function target(v: string): AllowlistTarget {
  if (!(ALLOWLIST_TARGETS as readonly string[]).includes(v)) throw new CliError(`--to must be one of ${ALLOWLIST_TARGETS.join(', ')} (got "${v}")`, 2);
  return v as AllowlistTarget;
}

/** The admin Web API client, from `--token-file` or `SLACK_ADMIN_TOKEN` (never the audit token). */
function adminClient(ctx: CliContext, tokenFile: string | undefined): { client: WebClient; token: string } {
  let token: string;
  try {
    token = resolveAdminToken({ tokenFile, env: ctx.env });
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  return { client: createWebClient({ token, baseUrl: ctx.env.SLACK_API_URL?.trim() || undefined }), token };
}

interface ChangeOptions {
  cidr?: string[];
  asn?: string[];
  to: AllowlistTarget;
  yes?: boolean;
  dryRun?: boolean;
  reason?: string;
  alert?: string;
  tokenFile?: string;
}

async function change(ctx: CliContext, cmd: Command, op: AllowlistOp, o: ChangeOptions): Promise<void> {
  if (o.yes && o.dryRun) throw new CliError('give --yes or --dry-run, not both', 2);
  const checked = checkChange({ cidrs: o.cidr ?? [], asns: o.asn ?? [] }, o.to);
  if (!checked.ok) throw new CliError(checked.problems.join('\n  '), 2);
  const sides: AllowlistSide[] = [];
  let token: string | undefined;
  if (o.to !== 'local') {
    const admin = adminClient(ctx, o.tokenFile);
    token = admin.token;
    sides.push(slackSide(admin.client));
  }
  if (o.to !== 'slack') {
    const file = ctx.configPath(cmd);
    if (!file) throw new CliError('--to local edits the config file, and there is none: pass --config FILE or create ./gridwatch.yaml', 2);
    await commandConfig(ctx, cmd); // refuse to edit a file that does not load today
    sides.push(localSide(file));
  }
  const clean = (s: string): string => redact(s, token);
  const stdin = ctx.stdin;
  const canAsk = !o.yes && !o.dryRun && Boolean(stdin?.isTTY);
  const store = await ctx.openStore(cmd);
  try {
    const log = store.actionLog();
    const r = await runAllowlistChange({
      op,
      change: checked.value,
      to: o.to,
      sides,
      mode: o.dryRun ? 'dry-run' : o.yes ? 'yes' : 'ask',
      confirm: canAsk ? async (q) => (await confirmOrRefuse(false, { stdin, prompt: ctx.stderr }, `${q} [y/N] `)).go : undefined,
      log,
      actor: cliActor(ctx.env),
      reason: o.reason ?? null,
      alertId: o.alert ?? null,
      print: (line) => ctx.stdout.write(`${clean(line)}\n`),
      clean,
    });
    if (o.to !== 'slack' && r.ok && !o.dryRun) ctx.stdout.write('the rules use the local lists from their next run\n');
    if (!r.ok) throw new CliError(clean(r.message ?? 'the change did not complete'));
  } finally {
    await store.close();
  }
}

function changeCommand(parent: Command, ctx: CliContext, op: AllowlistOp): void {
  parent
    .command(op)
    .description(
      op === 'add'
        ? 'trust networks: read the list, merge, show the diff, confirm, write the whole list back, read it again'
        : 'stop trusting networks: read the list, remove, show the diff, confirm, write the whole list back, read it again',
    )
    .option('--cidr <cidr>', 'IPv4 network in canonical form (192.0.2.0/24) or one address (a /32); repeatable', repeat)
    .option('--asn <asn>', 'autonomous system number, 1 to 4294967295 (64500 or AS64500); repeatable', repeat)
    .option('--to <list>', 'slack (Slack\'s anomaly allowlist), local (the config\'s allowlists) or both', target, 'slack')
    .option('--yes', 'do it without asking')
    .option('--dry-run', 'read and show the diff; write nothing')
    .option('--reason <text>', 'why, for the action log')
    .option('--alert <id>', 'the alert this comes from, for the action log')
    .option('--token-file <file>', 'read the Slack admin token from this file instead of SLACK_ADMIN_TOKEN')
    .action(async (o: ChangeOptions, cmd: Command) => change(ctx, cmd, op, o));
}

export function register(program: Command, ctx: CliContext): void {
  const allowlist = program
    .command('allowlist')
    .description("Slack's anomaly allowlist (trusted CIDRs and ASNs) and the config's local allowlists the rules use");

  allowlist
    .command('show')
    .description("print Slack's trusted CIDRs and ASNs beside the config's trusted CIDRs, ASNs and expected user agents")
    .option('--format <format>', 'text (default) or json')
    .option('--token-file <file>', 'read the Slack admin token from this file instead of SLACK_ADMIN_TOKEN')
    .action(async (o: { format?: string; tokenFile?: string }, cmd: Command) => {
      const format = o.format ?? 'text';
      if (!['text', 'json'].includes(format)) throw new CliError(`--format must be text or json (got "${format}")`, 2);
      const config = await commandConfig(ctx, cmd);
      const local = {
        file: config.source,
        trusted_cidrs: config.allowlists.trusted_cidrs,
        trusted_asns: config.allowlists.trusted_asns,
        expected_user_agents: config.allowlists.expected_user_agents,
      };
      let slack: { trusted_cidr: string[]; trusted_asns: number[] } | null = null;
      let slackError: string | null = null;
      let token: string | undefined;
      try {
        // A missing token still shows the local lists: only Slack's side is "not read".
        const admin = adminClient(ctx, o.tokenFile);
        token = admin.token;
        const l = await admin.client.allowlistGet();
        slack = { trusted_cidr: l.cidrs, trusted_asns: l.asns };
      } catch (e) {
        slackError = redact((e as Error).message, token);
      }
      if (format === 'json') {
        ctx.stdout.write(`${JSON.stringify({ slack, slack_error: slackError, local })}\n`);
      } else {
        const list = (items: readonly (string | number)[]): string => (items.length ? items.map((i) => `\n    ${i}`).join('') : ' (none)');
        const out = [
          "Slack's anomaly allowlist (admin.audit.anomaly.allow.getItem):",
          slack ? `  trusted CIDRs:${list(slack.trusted_cidr)}\n  trusted ASNs:${list(slack.trusted_asns)}` : `  not read: ${slackError}`,
          `Local allowlists the rules use (${local.file ?? 'built-in defaults, no config file'}):`,
          `  trusted_cidrs:${list(local.trusted_cidrs)}`,
          `  trusted_asns:${list(local.trusted_asns)}`,
          `  expected_user_agents:${list(local.expected_user_agents)}`,
        ];
        ctx.stdout.write(`${out.join('\n')}\n`);
      }
      if (slackError) throw new CliError(`reading Slack's allowlist failed: ${slackError}`);
    });

  changeCommand(allowlist, ctx, 'add');
  changeCommand(allowlist, ctx, 'remove');
}
