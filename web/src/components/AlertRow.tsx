// One alert as a table row (the alerts list, an incident's alerts): clicking it opens the alert in the details panel.
import { fmtTime, userLabel } from '../format.ts';
import { Link, setParams, useLocation, userPath } from '../router.tsx';
import type { AlertListItem } from '../types.ts';
import { Reasons, SeverityBadge, StatusBadge } from './Badges.tsx';
import { SafeText } from './SafeText.tsx';

/** The header cells matching `AlertRow`. */
export const ALERT_COLUMNS = ['Severity', 'Alert', 'Reasons', 'User', 'Last event (UTC)', 'Status', 'Rule'] as const;

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
