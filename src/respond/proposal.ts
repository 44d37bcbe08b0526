/**
 * A response proposal (issue #11): the action a playbook attaches to an alert, kept in the action log as a
 * `proposed` record (actor `auto`, the alert's id). Everything that happens to it afterwards is a record whose
 * `arguments.proposal` names that record's id: `approved` (a person said go), then `done`/`failed` (Slack's answer);
 * `refused` with `arguments.guardrail` when automatic mode declined (`protected`, `cap`, `no_token`: the proposal
 * waits for a person; `aer`: Slack's Anomaly Event Response already reset the sessions, so it is `skipped`). The
 * proposal's status is read back from those records, so it survives restarts and needs no table of its own.
 */
import type { ActionLog, ActionRecord } from '../store/actions.ts';
import type { WebClient } from '../slack/web-client.ts';
import type { Confirmation } from './confirm.ts';
import { executeResponse, recordWithoutCall } from './execute.ts';
import type { ResponseRequest, SignOutScope } from './plan.ts';

export type ProposalStatus = 'proposed' | 'approved' | 'done' | 'failed' | 'skipped';

/** What the alert detail shows (`GET /alerts/:id` → `proposal`), plus the ids code needs. */
export interface Proposal {
  action: 'sign-out';
  scope: SignOutScope;
  mode: 'propose' | 'auto';
  status: ProposalStatus;
  /** Why it waits or was skipped (a guardrail's message), or the failure's message. */
  reason?: string;
  /** Id of the `proposed` record. */
  id: number;
  userId: string;
  alertId: string;
}

/** A guardrail that stopped an automatic action; `aer` skips the proposal, the others leave it to a person. */
export type Guardrail = 'protected' | 'cap' | 'aer' | 'no_token';

const proposalIdOf = (r: ActionRecord): number | null => (typeof r.arguments.proposal === 'number' ? r.arguments.proposal : null);

/**
 * The proposal attached to an alert, with its current status, or null when no playbook proposed anything for it.
 * `records` (the alert's records, newest first) may be passed when the caller has them already.
 *
 * @example (await proposalOf(store.actionLog(), 'a1b2'))?.status // 'proposed'
 */
export async function proposalOf(log: ActionLog, alertId: string, records?: readonly ActionRecord[]): Promise<Proposal | null> {
  const rows = records ?? (await log.list({ alertId }));
  const proposed = rows.filter((r) => r.status === 'proposed' && r.arguments.playbook !== undefined).at(-1);
  if (!proposed || proposed.targets.length === 0) return null;
  const base: Proposal = {
    action: 'sign-out',
    scope: (proposed.arguments.scope as SignOutScope) ?? 'all',
    mode: proposed.arguments.mode === 'auto' ? 'auto' : 'propose',
    status: 'proposed',
    id: proposed.id,
    userId: proposed.targets[0]!,
    alertId,
  };
  // Newest first: the first record that moves the proposal decides its status.
  for (const r of rows) {
    if (proposalIdOf(r) !== proposed.id) continue;
    if (r.status === 'done' || r.status === 'failed' || r.status === 'approved') {
      return { ...base, status: r.status, ...(r.status === 'failed' && r.message ? { reason: r.message } : {}) };
    }
    if (r.status === 'refused' && typeof r.arguments.guardrail === 'string') {
      return { ...base, status: r.arguments.guardrail === 'aer' ? 'skipped' : 'proposed', ...(r.message ? { reason: r.message } : {}) };
    }
  }
  return base;
}

/** The request a proposal carries out. @example requestOf(p) // { kind: 'sign-out', users: ['W1'], scope: 'web' } */
export function requestOf(p: Proposal): ResponseRequest {
  return { kind: 'sign-out', users: [p.userId], scope: p.scope };
}

export interface CarryOutInput {
  log: ActionLog;
  proposal: Proposal;
  /** `web:<account>` or `cli:<os user>`. */
  actor: string;
  reason?: string | null;
  dryRun?: boolean;
  /** The admin client and its token (for scrubbing messages), or why there is none. */
  admin: { client: WebClient; token: string } | { missing: string };
  /** Asks the person (the CLI); absent when the request itself is the confirmation (the UI's button). */
  confirm?: () => Promise<Confirmation>;
}

export interface CarryOutResult {
  ok: boolean;
  message: string;
  /** The last record written (`done`, `failed`, `refused` or `dry_run`). */
  action: ActionRecord;
}

/** Whether a proposal may still be carried out: not while approved or once done. */
export function approvable(p: Proposal): boolean {
  return p.status !== 'done' && p.status !== 'approved';
}

/**
 * Carry out a proposal for a person (`gridwatch respond approve`, `POST /alerts/:id/approve`): dry run, or
 * confirm, record `approved`, call Slack and record `done`/`failed`. Every path is recorded with the proposal's id.
 *
 * @example
 * const r = await carryOutProposal({ log, proposal, actor: 'web:alice', admin: { client, token } });
 * r.action.status // 'done'
 */
export async function carryOutProposal(input: CarryOutInput): Promise<CarryOutResult> {
  const { log, proposal: p } = input;
  const req = requestOf(p);
  const meta = { actor: input.actor, reason: input.reason ?? null, alertId: p.alertId, arguments: { proposal: p.id } };
  if (input.dryRun) {
    return { ok: true, message: 'dry run: nothing was called', action: await recordWithoutCall(log, req, meta, 'dry_run', null) };
  }
  if ('missing' in input.admin) {
    return { ok: false, message: input.admin.missing, action: await recordWithoutCall(log, req, meta, 'failed', input.admin.missing) };
  }
  if (input.confirm) {
    const c = await input.confirm();
    if (!c.go) return { ok: false, message: c.why, action: await recordWithoutCall(log, req, meta, 'refused', c.why) };
  }
  await log.append({
    actor: input.actor,
    action: 'sign-out',
    targets: [p.userId],
    arguments: { scope: p.scope, proposal: p.id },
    reason: meta.reason,
    alert_id: p.alertId,
    status: 'approved',
    slack: null,
    slack_error: null,
    message: null,
    diff: null,
  });
  const { record, error } = await executeResponse(input.admin.client, log, req, meta, input.admin.token);
  return { ok: !error, message: error ?? `signed ${p.userId} out of Slack (${p.scope})`, action: record };
}
