// Records of the action log as a table: when, who, what, on whom, how it ended and why. Actors, reasons and Slack's
// messages are shown through SafeText (a reason is typed by a person; targets may be ids from the audit log).
import { fmtTime } from '../../format.ts';
import { Link, setParams, userPath } from '../../router.tsx';
import { GridTable } from '../GridTable.tsx';
import { SafeText } from '../SafeText.tsx';
import type { ActionRecord } from './types.ts';

const STATUS_KIND: Record<string, string> = { done: 'good', approved: 'good', failed: 'bad', refused: 'bad', dry_run: 'neutral', proposed: 'warn', cancelled: 'neutral' };

/** A Slack user id (`U…`/`W…`), which gets a link to its page. */
const isUserId = (t: string) => /^[UW][A-Z0-9]{2,}$/.test(t);

/** What the action was asked to do beyond its name: scope, session, entries (arguments, then the diff). */
function detail(r: ActionRecord): string {
  const args = r.args ?? r.arguments ?? {};
  const parts = Object.entries(args)
    .filter(([k, v]) => k !== 'user_ids' && v !== null && v !== undefined && v !== false)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  if (r.diff) {
    const added = [...r.diff.added.cidrs, ...r.diff.added.asns.map((a) => `AS${a}`)];
    const removed = [...r.diff.removed.cidrs, ...r.diff.removed.asns.map((a) => `AS${a}`)];
    if (added.length) parts.push(`+ ${added.join(', ')}`);
    if (removed.length) parts.push(`− ${removed.join(', ')}`);
  }
  return parts.join(' · ');
}

/**
 * @example <ActionsTable actions={data.actions} testId="alert-actions" />
 */
export function ActionsTable({ actions, testId, showAlert = true }: { actions: readonly ActionRecord[]; testId?: string; showAlert?: boolean }) {
  const columns = ['Time (UTC)', 'Actor', 'Action', 'Targets', 'Details', 'Status', 'Reason', 'Slack', ...(showAlert ? ['Alert'] : [])];
  return (
    <GridTable columns={columns} testId={testId}>
      {actions.map((r) => (
        <tr key={r.id} data-action-id={r.id}>
          <td className="mono nowrap">{fmtTime(r.time)}</td>
          <td><SafeText text={r.actor} /></td>
          <td className="mono"><SafeText text={r.action} /></td>
          <td className="mono">
            {r.targets.map((t, i) => (
              <span key={t}>
                {i ? ', ' : ''}
                {isUserId(t) ? <Link to={userPath(t)}>{t}</Link> : <SafeText text={t} />}
              </span>
            ))}
          </td>
          <td className="mono"><SafeText text={detail(r)} /></td>
          <td><span className={`tag tag-${STATUS_KIND[r.status] ?? 'neutral'}`}>{r.status.replace('_', ' ')}</span></td>
          <td><SafeText text={r.reason} /></td>
          <td>
            <SafeText className="mono" text={r.slack_error} /> <SafeText className="muted" text={r.status === 'done' ? null : r.message} />
          </td>
          {showAlert && (
            <td className="mono">
              {r.alert_id ? (
                <a href="#" onClick={(e) => (e.preventDefault(), setParams({ alert: r.alert_id, event: null }))}>
                  <SafeText text={r.alert_id} />
                </a>
              ) : null}
            </td>
          )}
        </tr>
      ))}
    </GridTable>
  );
}

/**
 * The "Actions taken" section of an alert or a user page (nothing when there are none).
 *
 * @example <ActionsSection actions={data.actions} testId="alert-actions" />
 */
export function ActionsSection({ actions, testId, showAlert }: { actions: readonly ActionRecord[] | undefined; testId: string; showAlert?: boolean }) {
  return (
    <section data-testid={testId}>
      <h3>Actions taken</h3>
      {actions?.length ? <ActionsTable actions={actions} showAlert={showAlert} /> : <p className="muted">None recorded.</p>}
    </section>
  );
}
