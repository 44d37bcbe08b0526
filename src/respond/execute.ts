/**
 * Carry out a planned response and record it. Every outcome is appended to the action log: `done` only when every
 * call answered `ok`; `failed` otherwise (with Slack's error code and the one-line advice); `refused` and `dry_run`
 * when nothing was called. Messages pass through `redact` with the token, so none can carry it.
 */
import { SlackApiError, redact } from '../slack/errors.ts';
import { FailedForSomeUsersError } from '../slack/web-errors.ts';
import type { WebClient } from '../slack/web-client.ts';
import type { ActionLog, ActionRecord, ActionStatus } from '../store/actions.ts';
import { planCalls, recordFields, type ResponseRequest } from './plan.ts';

/** Who asked, why, and for which alert. */
export interface ResponseMeta {
  /** `cli:<os user>`, `web:<gridwatch user>` or `auto`. */
  actor: string;
  reason: string | null;
  alertId: string | null;
  /** More fields for the record's `arguments` (a playbook's `proposal` id, `mode`). */
  arguments?: Record<string, unknown>;
}

/** The record fields of a request with the meta's extra arguments merged in. */
function fieldsOf(req: ResponseRequest, meta: ResponseMeta): ReturnType<typeof recordFields> {
  const f = recordFields(req);
  return { ...f, arguments: { ...f.arguments, ...meta.arguments } };
}

export interface ResponseOutcome {
  record: ActionRecord;
  /** The one-line message for the person when it did not succeed. */
  error: string | null;
}

/**
 * Record a response that made no call (`refused`, `dry_run`), with the reason in `message`.
 *
 * @example await recordWithoutCall(log, req, meta, 'dry_run', null)
 */
export async function recordWithoutCall(log: ActionLog, req: ResponseRequest, meta: ResponseMeta, status: Extract<ActionStatus, 'refused' | 'dry_run' | 'failed'>, message: string | null): Promise<ActionRecord> {
  return log.append({
    ...fieldsOf(req, meta),
    actor: meta.actor,
    reason: meta.reason,
    alert_id: meta.alertId,
    status,
    slack: null,
    slack_error: null,
    message,
    diff: null,
  });
}

/**
 * Make the planned calls in order through the client (which retries 5xx and honours 429 `Retry-After`). A
 * `failed_for_some_users` answer of one bulk call does not stop the next ones (those users were handled); any other
 * error stops. The outcome is recorded before this returns.
 *
 * @example
 * const { record, error } = await executeResponse(client, log, { kind: 'sign-out', users: ['W1'], scope: 'web' }, meta, token);
 */
export async function executeResponse(client: WebClient, log: ActionLog, req: ResponseRequest, meta: ResponseMeta, secret: string): Promise<ResponseOutcome> {
  const calls = planCalls(req);
  const failedUsers: string[] = [];
  let done = 0;
  let failure: { code: string; message: string } | null = null;
  for (const c of calls) {
    try {
      await client.call(c.method, c.args);
      done++;
    } catch (e) {
      if (e instanceof FailedForSomeUsersError) {
        failedUsers.push(...e.failedUsers);
        done++;
        continue;
      }
      const code = e instanceof SlackApiError ? (e.code ?? (e.status ? `http_${e.status}` : 'unavailable')) : 'unavailable';
      failure = { code, message: redact((e as Error).message ?? String(e), secret) };
      break;
    }
  }
  if (!failure && failedUsers.length > 0) {
    const bad = new Set(failedUsers);
    const sent = calls.flatMap((c) => (c.args.user_ids as string[] | undefined) ?? []);
    failure = { code: 'failed_for_some_users', message: new FailedForSomeUsersError({ method: calls[0]!.method, failedUsers, succeededUsers: sent.filter((u) => !bad.has(u)) }).message };
  }
  const slack = failure
    ? { ok: false, error: failure.code, calls: calls.length, calls_answered: done, ...(failedUsers.length ? { failed_users: failedUsers } : {}) }
    : { ok: true, calls: calls.length };
  const record = await log.append({
    ...fieldsOf(req, meta),
    actor: meta.actor,
    reason: meta.reason,
    alert_id: meta.alertId,
    status: failure ? 'failed' : 'done',
    slack,
    slack_error: failure?.code ?? null,
    message: failure?.message ?? null,
    diff: null,
  });
  return { record, error: failure?.message ?? null };
}
