// The event panel's "part of": each alert whose triggering events include this one, with its incident.
import type { EventAlertRef } from '../../../../src/server/api-types.ts';
import { Link } from '../../router.tsx';
import { SeverityBadge, StatusBadge } from '../Badges.tsx';
import { SafeText } from '../SafeText.tsx';

export function EventAlerts({ alerts }: { alerts: EventAlertRef[] }) {
  return (
    <section data-testid="event-alerts">
      <h3>In alerts and incidents</h3>
      {alerts.length === 0 ? (
        <p className="muted">No alert contains this event.</p>
      ) : (
        <ul className="plain">
          {alerts.map((a) => (
            <li key={a.id}>
              <SeverityBadge severity={a.severity} /> <StatusBadge status={a.status} />{' '}
              <Link to={`/detections?tab=alerts&alert=${encodeURIComponent(a.id)}`}>
                <SafeText text={a.title} />
              </Link>{' '}
              <span className="muted mono">{a.rule}</span>
              {a.incident_id && (
                <>
                  {' · '}
                  <Link to={`/incidents/${encodeURIComponent(a.incident_id)}`}>incident</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
