/**
 * `gridwatch respond`: sign users out of Slack (all devices, mobile only, web only), list a user's sessions, end one
 * session. A thin layer over `src/respond/`: it shows what the store knows and the exact calls, asks (or refuses
 * without a terminal, or acts on `--yes`), and every outcome lands in the action log.
 */
import type { Command } from 'commander';
import {
  approvable,
  carryOutProposal,
  confirmOrRefuse,
  proposalOf,
  requestOf,
  describeFacts,
  describePlan,
  executeResponse,
  joinSessions,
  recordWithoutCall,
  userFacts,
  type AlertRef,
  type ResponseMeta,
  type ResponseRequest,
} from '../../respond/index.ts';
import { cliActor } from '../../respond/actor.ts';
import { SlackApiError, redact } from '../../slack/errors.ts';
import { resolveAdminToken } from '../../slack/token.ts';
import { createWebClient, type WebClient } from '../../slack/web-client.ts';
import type { OpenedStore } from '../../store/index.ts';
import { isoSeconds } from '../../util/time.ts';
import { CliError, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';

interface TokenFlags {
  tokenFile?: string;
}

interface ActFlags extends TokenFlags {
  reason?: string;
  alert?: string;
  yes?: boolean;
  dryRun?: boolean;
}

/** The admin client: token from --token-file or SLACK_ADMIN_TOKEN (never the audit token), base URL SLACK_API_URL. */
function adminClient(ctx: CliContext, o: TokenFlags): { client: WebClient; token: string } {
  let token: string;
  try {
    token = resolveAdminToken({ tokenFile: o.tokenFile, env: ctx.env });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return { client: createWebClient({ token, baseUrl: ctx.env.SLACK_API_URL?.trim() || undefined }), token };
}

async function alertRef(store: OpenedStore, id: string | undefined): Promise<AlertRef | null> {
  if (!id) return null;
  const a = await store.responderReads().alert(id);
  if (!a) throw new CliError(`no alert ${id} in the database (see gridwatch alerts)`);
  return { id: a.id, lastTs: a.lastTs };
}

/** Show, confirm and carry out one request; every path is recorded. Exit status 1 unless it was done or dry-run. */
async function act(ctx: CliContext, cmd: Command, req: ResponseRequest, o: ActFlags): Promise<void> {
  const store = await ctx.openStore(cmd);
  try {
    const alert = await alertRef(store, o.alert);
    const log = store.actionLog();
    const meta: ResponseMeta = { actor: cliActor(ctx.env), reason: o.reason ?? null, alertId: alert?.id ?? null };
    const users = req.kind === 'sign-out' ? req.users : [req.user];
    const facts = await userFacts(store.responderReads(), users, alert);
    ctx.stdout.write(`${describeFacts(facts, alert, new Set(users).size)}\n${describePlan(req)}\n`);
    if (o.dryRun) {
      const r = await recordWithoutCall(log, req, meta, 'dry_run', null);
      ctx.stdout.write(`dry run: nothing was called (recorded as action ${r.id})\n`);
      return;
    }
    let client: WebClient;
    let token: string;
    try {
      ({ client, token } = adminClient(ctx, o));
    } catch (e) {
      await recordWithoutCall(log, req, meta, 'failed', (e as Error).message);
      throw e;
    }
    const ok = await confirmOrRefuse(o.yes, { stdin: ctx.stdin, prompt: ctx.stderr }, 'Go ahead? [y/N] ');
    if (!ok.go) {
      const r = await recordWithoutCall(log, req, meta, 'refused', ok.why);
      throw new CliError(`${ok.why} (recorded as action ${r.id})`);
    }
    const { record, error } = await executeResponse(client, log, req, meta, token);
    if (error) throw new CliError(`${redact(error, token)} (recorded as failed, action ${record.id})`);
    ctx.stdout.write(`done: ${record.action} ${record.targets.length === 1 ? record.targets[0] : `${record.targets.length} users`} (recorded as action ${record.id})\n`);
  } finally {
    await store.close();
  }
}

const withToken = (c: Command): Command => c.option('--token-file <path>', 'file holding the admin token (default: $SLACK_ADMIN_TOKEN)');
const withAct = (c: Command): Command =>
  withToken(c)
    .option('--reason <text>', 'why (kept in the action log)')
    .option('--alert <alert_id>', 'the alert this responds to (kept in the action log)')
    .option('--yes', 'act without asking')
    .option('--dry-run', 'show the calls and call nothing');

export function register(program: Command, ctx: CliContext): void {
  const respond = program.command('respond').description("act on Slack: end users' sessions (needs SLACK_ADMIN_TOKEN, an org admin's token)");

  withAct(
    respond
      .command('sign-out')
      .description('sign users out of Slack: admin.users.session.reset (one user) or resetBulk (several, 1,000 a call)')
      .argument('<user_id...>', 'Slack user ids (W… or U…)')
      .option('--mobile-only', 'end mobile sessions only')
      .option('--web-only', 'end web and desktop sessions only'),
  ).action(async (users: string[], o: ActFlags & { mobileOnly?: boolean; webOnly?: boolean }, cmd: Command) => {
    if (o.mobileOnly && o.webOnly) throw new CliError('--mobile-only and --web-only exclude each other (leave both out for all devices)', 2);
    await act(ctx, cmd, { kind: 'sign-out', users, scope: o.mobileOnly ? 'mobile' : o.webOnly ? 'web' : 'all' }, o);
  });

  withAct(
    respond
      .command('end-session')
      .description('end one session of a user: admin.users.session.invalidate')
      .argument('<user_id>')
      .argument('<session_id>', 'as listed by gridwatch respond sessions (the audit events\' context.session_id)'),
  ).action(async (user: string, sessionId: string, o: ActFlags, cmd: Command) => {
    if (!/^\d+$/.test(sessionId)) throw new CliError(`session id must be a number (got "${sessionId}")`, 2);
    await act(ctx, cmd, { kind: 'end-session', user, sessionId }, o);
  });

  withToken(
    respond
      .command('approve')
      .description("carry out the response a playbook proposed for an alert (the config's responses:), as sign-out would")
      .argument('<alert_id>')
      .option('--reason <text>', 'why (kept in the action log)')
      .option('--yes', 'act without asking')
      .option('--dry-run', 'show the call and call nothing'),
  ).action(async (alertId: string, o: ActFlags, cmd: Command) => {
    const store = await ctx.openStore(cmd);
    try {
      const alert = await alertRef(store, alertId);
      const log = store.actionLog();
      const proposal = await proposalOf(log, alertId);
      if (!proposal) throw new CliError(`alert ${alertId} has no proposed response (see responses: in gridwatch.yaml)`);
      if (!approvable(proposal)) throw new CliError(`the proposal on alert ${alertId} is already ${proposal.status} (see gridwatch actions)`);
      const req = requestOf(proposal);
      ctx.stdout.write(`${describeFacts(await userFacts(store.responderReads(), [proposal.userId], alert), alert, 1)}\n${describePlan(req)}\n`);
      let admin: Parameters<typeof carryOutProposal>[0]['admin'];
      try {
        admin = o.dryRun ? { missing: 'dry run' } : adminClient(ctx, o);
      } catch (e) {
        admin = { missing: (e as Error).message };
      }
      const r = await carryOutProposal({
        log,
        proposal,
        actor: cliActor(ctx.env),
        reason: o.reason ?? null,
        dryRun: o.dryRun,
        admin,
        confirm: () => confirmOrRefuse(o.yes, { stdin: ctx.stdin, prompt: ctx.stderr }, 'Go ahead? [y/N] '),
      });
      if (!r.ok) throw new CliError(`${r.message} (recorded as ${r.action.status}, action ${r.action.id})`);
      ctx.stdout.write(`${o.dryRun ? 'dry run: nothing was called' : `done: ${r.message}`} (recorded as action ${r.action.id})\n`);
    } finally {
      await store.close();
    }
  });

  withToken(
    respond
      .command('sessions')
      .description("a user's active Slack sessions (admin.users.session.list) beside what the audit log knows of each")
      .argument('<user_id>')
      .option('--team <team_id>', "the user's workspace or org id (default: from the user's stored events)")
      .option('--format <format>', 'table or json', 'table'),
  ).action(async (user: string, o: TokenFlags & { team?: string; format: string }, cmd: Command) => {
    if (!['table', 'json'].includes(o.format)) throw new CliError(`--format must be table or json (got "${o.format}")`, 2);
    const store = await ctx.openStore(cmd);
    try {
      const reads = store.responderReads();
      const team = o.team ?? (await reads.userTeam(user));
      if (!team) throw new CliError(`no stored event names ${user}'s team: pass --team TEAM_ID`);
      const { client, token } = adminClient(ctx, o);
      let rows;
      try {
        rows = await joinSessions(await client.sessionList({ userId: user, teamId: team }), reads, user);
      } catch (e) {
        if (e instanceof SlackApiError) throw new CliError(redact(e.message, token));
        throw e;
      }
      if (o.format === 'json') {
        for (const r of rows) ctx.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      if (rows.length === 0) {
        ctx.stdout.write(`${user} has no active Slack sessions\n`);
        return;
      }
      const client_ = (c: JoinedInfo | null | undefined) => (c ? `${c.device_hardware ?? ''} ${c.os ?? ''} ${c.os_version ?? ''} ${c.slack_client_version ?? ''}`.replace(/\s+/g, ' ').trim() : '');
      ctx.stdout.write(
        renderTable(
          ['session', 'kind (now)', 'ip (now)', 'first seen', 'last seen', 'ips seen', 'user agents', 'anomalies'],
          rows.map((r) => {
            const now = r.recent ?? r.created;
            return [
              r.sessionId,
              client_(now),
              now?.ip ?? '',
              r.seen ? isoSeconds(r.seen.firstSeen) : 'not in the log',
              r.seen ? isoSeconds(r.seen.lastSeen) : '',
              r.seen?.ips.join(' ') ?? '',
              r.seen?.userAgents.join(' | ') ?? '',
              r.seen ? (r.seen.anomalies.length ? [...new Set(r.seen.anomalies.flatMap((a) => a.reasons))].join(',') + ` (${r.seen.anomalies.length})` : 'none') : '',
            ];
          }),
          60,
        ),
      );
    } finally {
      await store.close();
    }
  });
}

type JoinedInfo = { device_hardware?: string; os?: string; os_version?: string; slack_client_version?: string; ip?: string };
