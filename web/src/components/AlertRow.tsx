// One alert as a table row (the alerts list, an incident's alerts): clicking it opens the alert in the details panel.
import { fmtTime, userLabel } from '../format.ts';
import { Link, setParams, useLocation, userPath } from '../router.tsx';
import { SEVERITIES, type AlertListItem, type Severity } from '../types.ts';
import { Reasons, SeverityBadge, StatusBadge } from './Badges.tsx';
import { SafeText } from './SafeText.tsx';
import type { SortColumn } from './SortedGrid.tsx';

/**
 * A severity as a number that grows with it, so a descending sort puts critical first (the names sort badly).
 *
 * @example severityRank('critical') > severityRank('low') // true
 */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

/** The columns of `AlertRow` and what each sorts by (Reasons, a list, does not sort). */
export const ALERT_SORT_COLUMNS: ReadonlyArray<SortColumn<AlertListItem>> = [
  { label: 'Severity', value: (a) => severityRank(a.severity) },
  { label: 'Alert', value: (a) => a.title },
  { label: 'Reasons' },
  { label: 'User', value: (a) => (a.user_id ? userLabel({ id: a.user_id, name: a.user_name, email: a.user_email }) : null) },
  { label: 'Last event (UTC)', value: (a) => a.last_ts },
  { label: 'Status', value: (a) => a.status },
  { label: 'Rule', value: (a) => a.rule },
];

/** The header cells matching `AlertRow`, for a table that does not sort. */
export const ALERT_COLUMNS = ALERT_SORT_COLUMNS.map((c) => c.label);

/**
 * An alert's row; `lead` is an optional first cell (an indent or a checkbox column of the table around it).
 *
 * @example <tbody>{alerts.map((a) => <AlertRow key={a.id} alert={a} />)}</tbody>
 */
export function AlertRow({ alert: a, lead }: { alert: AlertListItem; lead?: boolean }) {
  const { params } = useLocation();
  return (
    <tr onClick={() => setParams({ alert: a.id, event: null })} className={params.get('alert') === a.id ? 'selected' : ''} data-alert-id={a.id}>
      {lead && <td />}
      <td>
        <SeverityBadge severity={a.severity} />
      </td>
      <td>
        <SafeText text={a.title} />
      </td>
      <td>
        <Reasons reasons={a.reasons} />
      </td>
      <td>
        {a.user_id ? (
          <Link to={userPath(a.user_id)}>
            <SafeText text={userLabel({ id: a.user_id, name: a.user_name, email: a.user_email })} />
          </Link>
        ) : (
          ''
        )}
      </td>
      <td className="mono nowrap">{fmtTime(a.last_ts)}</td>
      <td>
        <StatusBadge status={a.status} />
      </td>
      <td className="mono">{a.rule}</td>
    </tr>
  );
}
