// One incident (route /incidents/:id): who and what, its story on one timeline, its alerts (opening in the details
// panel), and beside them the decisions (status, assignee, history) and the comment thread.
import { ALERT_COLUMNS, AlertRow } from '../components/AlertRow.tsx';
import { SeverityBadge, StatusBadge } from '../components/Badges.tsx';
import { GridTable } from '../components/GridTable.tsx';
import { IncidentTimeline } from '../components/incidents/Timeline.tsx';
import { Thread } from '../components/incidents/Thread.tsx';
import { Triage } from '../components/incidents/Triage.tsx';
import type { IncidentDetailJson } from '../components/incidents/types.ts';
import { SafeText } from '../components/SafeText.tsx';
import { fmtTime, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, userPath } from '../router.tsx';
import '../components/incidents/incidents.css';

export default function IncidentPage({ id }: { id: string }) {
  const { data, error, reload } = useApi<IncidentDetailJson>(`/incidents/${encodeURIComponent(id)}`);
  if (error) return <p className="error page">{error.message}</p>;
  if (!data) return <p className="muted page">Loading…</p>;
  const i = data.incident;
  return (
    <div className="page incident-page" data-testid="incident-page">
      <p>
        <Link to="/detections">← Incidents</Link>
      </p>
      <h1>
        <SeverityBadge severity={i.severity} /> <SafeText text={i.title} />
      </h1>
      <div className="alert-meta">
        <StatusBadge status={i.status} />
        <Link to={userPath(i.user_id)}>
          <SafeText text={userLabel({ id: i.user_id, name: i.user_name, email: i.user_email })} />
        </Link>
        <span className="muted">
          {fmtTime(i.first_seen)} → {fmtTime(i.last_seen)} UTC · {i.alert_ids.length} alert{i.alert_ids.length === 1 ? '' : 's'}
        </span>
        {i.rules.map((r) => (
          <span key={r} className="tag tag-neutral mono">
            {r}
          </span>
        ))}
        <span className="muted mono">{i.id}</span>
      </div>
      <div className="incident-layout">
        <div>
          <IncidentTimeline incident={i} alerts={data.alerts} />
          <h3>Alerts</h3>
          <GridTable columns={ALERT_COLUMNS} testId="incident-alerts">
            {data.alerts.map((a) => (
              <AlertRow key={a.id} alert={a} />
            ))}
          </GridTable>
        </div>
        <aside className="incident-side">
          <Triage incident={i} history={data.history} onSaved={reload} />
          <Thread incidentId={i.id} comments={data.comments} onPosted={reload} />
        </aside>
      </div>
    </div>
  );
}
