// A person's incidents, for their user page: the way from "who is this" to "what happened" (the people search leads
// to the user page).
import { fmtTime } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { SeverityBadge, StatusBadge } from '../Badges.tsx';
import { GridTable } from '../GridTable.tsx';
import { MoreNote } from '../MoreNote.tsx';
import { SafeText } from '../SafeText.tsx';
import { incidentPath, type IncidentList } from './types.ts';

/** Incidents shown on a user page. */
const SHOWN = 20;

/**
 * The user's incidents, newest activity first; nothing when they have none.
 *
 * @example <UserIncidents userId={s.user.id} />
 */
export function UserIncidents({ userId }: { userId: string }) {
  const { data } = useApi<IncidentList>('/incidents', { user: userId, limit: SHOWN });
  if (!data?.incidents.length) return null;
  return (
    <section>
      <h2>Incidents</h2>
      <GridTable testId="user-incidents">
        {data.incidents.map((i) => (
          <tr key={i.id} data-incident-id={i.id}>
            <td>
              <SeverityBadge severity={i.severity} />
            </td>
            <td>
              <Link to={incidentPath(i.id)}>
                <SafeText text={i.title} />
              </Link>
            </td>
            <td className="mono nowrap">
              {fmtTime(i.first_seen)} → {fmtTime(i.last_seen)}
            </td>
            <td>{i.alert_ids.length} alerts</td>
            <td>
              <StatusBadge status={i.status} />
            </td>
            <td>{i.assignee ? <SafeText text={i.assignee} /> : <span className="muted">unassigned</span>}</td>
          </tr>
        ))}
      </GridTable>
      <MoreNote truncated={data.total > data.incidents.length} shown={data.incidents.length} what="incidents" to={`/detections?user=${encodeURIComponent(userId)}`} />
    </section>
  );
}
