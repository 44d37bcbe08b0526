/**
 * Response playbooks (issue #11): when an alert of a rule listed under `responses.rules` is raised, attach the
 * proposed action to it (a `proposed` record in the action log), and in `auto` mode carry it out at once unless a
 * guardrail holds: the user is protected (config `protected_users`, or an owner/admin as the store knows them), the
 * hourly cap of automatic actions is reached (counted from the action log, so it holds across restarts), Slack's
 * Anomaly Event Response already reset the sessions after the alert, or there is no admin token. Proposals are made
 * once per alert id (a replay finds the record and does nothing), so nothing is ever acted on twice.
 *
 * Wired after alerts are stored by `cli/compose.ts`; detection itself knows nothing of this.
 */
import type { Alert } from '../alerts/types.ts';
import type { Playbook, ResponseMode, ResponsesConfig } from '../config/responses.ts';
import { redact } from '../slack/errors.ts';
import { createWebClient } from '../slack/web-client.ts';
import type { ActionLog, ActionRecord } from '../store/actions.ts';
import type { ResponderReads } from '../store/responder-reads.ts';
import { executeResponse, recordWithoutCall } from './execute.ts';
import { proposalOf, requestOf, type Guardrail, type Proposal } from './proposal.ts';

/** The admin Web API credentials of a process (`SLACK_ADMIN_TOKEN` / a token file, `SLACK_API_URL`). */
export interface SlackAdmin {
  token: string;
  baseUrl?: string;
}

/** The actor of automatic actions. */
export const AUTO_ACTOR = 'auto';

/**
 * The playbook of a rule and the mode it runs in, or null when the rule has none.
 *
 * @example playbookFor(config.responses, 'scraping-suspected') // { playbook: { action: 'sign-out', scope: 'web' }, mode: 'propose' }
 */
export function playbookFor(cfg: ResponsesConfig, rule: string): { playbook: Playbook; mode: ResponseMode } | null {
  const playbook = Object.hasOwn(cfg.rules, rule) ? cfg.rules[rule] : undefined;
  return playbook ? { playbook, mode: playbook.mode ?? cfg.mode } : null;
}

export interface PlaybookDeps {
  config: ResponsesConfig;
  log: ActionLog;
  reads: ResponderReads;
  /** Null: automatic actions wait for a person (guardrail `no_token`). */
  admin: SlackAdmin | null;
  /** Unix ms (default `Date.now`): the hourly cap counts the action log's records of the last hour before this. */
  now?: () => number;
}

/** What a playbook did about one alert: proposed only, or an automatic action (done or failed). */
export interface PlaybookOutcome {
  alert: Alert;
  proposal: Proposal;
  /** The automatic action's record, when one was made. */
  auto: ActionRecord | null;
}

/** Automatic sign-outs (done or failed) recorded since `sinceMs`. */
async function autoActionsSince(log: ActionLog, sinceMs: number): Promise<number> {
  const rows = await log.list({ since: new Date(sinceMs).toISOString(), action: 'sign-out' });
  return rows.filter((r) => r.actor === AUTO_ACTOR && (r.status === 'done' || r.status === 'failed')).length;
}

/** The guardrail that stops an automatic action on this alert, with its message, or null when it may go ahead. */
async function guardrail(deps: PlaybookDeps, alert: Alert, userId: string): Promise<{ kind: Guardrail; message: string } | null> {
  const listed = new Set(deps.config.protected_users.map((u) => u.toLowerCase()));
  if (listed.has(userId.toLowerCase()) || (alert.user_email && listed.has(alert.user_email.toLowerCase()))) {
    return { kind: 'protected', message: `not automatic: ${userId} is in responses.protected_users; waiting for a person` };
  }
  const role = await deps.reads.privilegedRole(userId);
  if (role) return { kind: 'protected', message: `not automatic: ${userId} is an org ${role} (as the audit log shows); waiting for a person` };
  const resets = await deps.reads.aerResets(userId, alert.last_ts);
  if (resets.length > 0) {
    return { kind: 'aer', message: `skipped: Slack's Anomaly Event Response already reset ${userId}'s sessions at ${new Date(resets.at(-1)! * 1000).toISOString()}, after the alert` };
  }
  const now = (deps.now ?? Date.now)();
  const used = await autoActionsSince(deps.log, now - 3600_000);
  if (used >= deps.config.max_per_hour) {
    return { kind: 'cap', message: `not automatic: ${used} automatic action(s) in the last hour reached responses.max_per_hour (${deps.config.max_per_hour}); waiting for a person` };
  }
  if (!deps.admin) return { kind: 'no_token', message: 'not automatic: this process has no Slack admin token (SLACK_ADMIN_TOKEN); waiting for a person' };
  return null;
}

/**
 * Propose (and in `auto` mode carry out) the playbook's action for each new or changed alert that has one and was
 * not handled before. Alerts are taken oldest first, so the hourly cap goes to the earliest.
 *
 * @example
 * const outcomes = await runPlaybooks(changedAlerts, { config: config.responses, log: store.actionLog(), reads: store.responderReads(), admin: null });
 */
export async function runPlaybooks(alerts: readonly Alert[], deps: PlaybookDeps): Promise<PlaybookOutcome[]> {
  const out: PlaybookOutcome[] = [];
  if (Object.keys(deps.config.rules).length === 0) return out;
  for (const alert of [...alerts].sort((a, b) => a.first_ts - b.first_ts)) {
    const pb = playbookFor(deps.config, alert.rule);
    if (!pb || !alert.user_id) continue;
    // Once per alert id: a replay or a new version of the alert finds the proposal and leaves it alone.
    if (await proposalOf(deps.log, alert.id)) continue;
    const { scope } = pb.playbook;
    const rec = await deps.log.append({
      actor: AUTO_ACTOR,
      action: 'sign-out',
      targets: [alert.user_id],
      arguments: { scope, mode: pb.mode, playbook: alert.rule },
      reason: `playbook for ${alert.rule}: sign-out (${scope})`,
      alert_id: alert.id,
      status: 'proposed',
      slack: null,
      slack_error: null,
      message: null,
      diff: null,
    });
    const proposal = (await proposalOf(deps.log, alert.id))!;
    if (pb.mode !== 'auto') {
      out.push({ alert, proposal, auto: null });
      continue;
    }
    const meta = { actor: AUTO_ACTOR, reason: `automatic: playbook for ${alert.rule}`, alertId: alert.id, arguments: { proposal: rec.id, mode: 'auto' } };
    const stop = await guardrail(deps, alert, alert.user_id);
    if (stop) {
      await recordWithoutCall(deps.log, requestOf(proposal), { ...meta, arguments: { ...meta.arguments, guardrail: stop.kind } }, 'refused', stop.message);
      out.push({ alert, proposal: (await proposalOf(deps.log, alert.id))!, auto: null });
      continue;
    }
    const admin = deps.admin!;
    const client = createWebClient({ token: admin.token, baseUrl: admin.baseUrl });
    const { record } = await executeResponse(client, deps.log, requestOf(proposal), meta, admin.token);
    out.push({ alert, proposal: (await proposalOf(deps.log, alert.id))!, auto: record });
  }
  return out;
}

/**
 * The notification the alert sinks receive for an automatic action: shaped like an alert (so every sink, its
 * outbox and `min_severity` take it unchanged) with `kind: "response"`, an id of its own (`response-<action id>`),
 * the alert's rule, severity and user, and `context` holding the action (status, scope, Slack's error, the alert id).
 *
 * @example responseNotification(alert, record).title // 'gridwatch signed W0MATT0001 out of Slack (web) automatically: …'
 */
export function responseNotification(alert: Alert, record: ActionRecord, token = ''): Record<string, unknown> & { id: string } {
  const scope = String(record.arguments.scope ?? 'all');
  const user = record.targets[0] ?? alert.user_id ?? '';
  const what = record.status === 'done' ? `signed ${user} out of Slack (${scope}) automatically` : `failed to sign ${user} out of Slack (${scope}) automatically`;
  return {
    id: `response-${record.id}`,
    kind: 'response',
    rule: alert.rule,
    severity: alert.severity,
    title: `gridwatch ${what}: ${alert.title}`,
    user_id: alert.user_id,
    user_name: alert.user_name,
    first_seen: record.time,
    last_seen: record.time,
    event_ids: [],
    context: {
      summary: what,
      action_id: record.id,
      action: record.action,
      status: record.status,
      scope,
      alert_id: alert.id,
      slack_error: record.slack_error,
      message: record.message ? redact(record.message, token) : null,
    },
  };
}
