// The Security Detections view: gridwatch's alerts (severity, reasons, user, time, status; filterable) and Slack's
// own anomaly events. Either opens in the details panel.
import { useEffect, useState, type FormEvent } from 'react';
import { Reasons, SeverityBadge, StatusBadge } from '../components/Badges.tsx';
import { EventTable } from '../components/EventTable.tsx';
import { TimeRange } from '../components/TimeRange.tsx';
import { fmtTime, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, setParams, useLocation, userPath, withParams } from '../router.tsx';
import { ALERT_STATUSES, SEVERITIES, type AlertListItem, type EventPage } from '../types.ts';

function toggle(list: string[], v: string): string | null {
  const next = list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
  return next.join(',') || null;
}

function AlertsTab() {
  const { params } = useLocation();
  const status = (params.get('status') ?? '').split(',').filter(Boolean);
  const severity = (params.get('severity') ?? '').split(',').filter(Boolean);
  const filter = { status, severity, rule: params.get('rule') ?? undefined, user: params.get('user') ?? undefined, since: params.get('since') ?? undefined, until: params.get('until') ?? undefined };
  const list = useApi<{ alerts: AlertListItem[]; available: boolean }>('/alerts', filter);
  const all = useApi<{ alerts: AlertListItem[] }>('/alerts', { limit: 5000 });
  const rules = [...new Set((all.data?.alerts ?? []).map((a) => a.rule))].sort();
  const [user, setUser] = useState(params.get('user') ?? '');
  useEffect(() => setUser(params.get('user') ?? ''), [params.get('user')]);
  const applyUser = (e: FormEvent) => {
    e.preventDefault();
    setParams({ user: user.trim() || null, alert: null });
  };
  return (
    <>
      <form className="filters" onSubmit={applyUser} aria-label="Alert filters">
        <div className="filter-row">
          <TimeRange since={params.get('since')} until={params.get('until')} onChange={(since, until) => setParams({ since, until })} />
        </div>
        <div className="filter-row">
          <fieldset>
            <legend>Status</legend>
            {ALERT_STATUSES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={status.includes(s)} onChange={() => setParams({ status: toggle(status, s) })} /> {s.replace('_', ' ')}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Severity</legend>
            {SEVERITIES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={severity.includes(s)} onChange={() => setParams({ severity: toggle(severity, s) })} /> {s}
              </label>
            ))}
          </fieldset>
          <label>
            <span>Rule</span>
            <select aria-label="Rule" value={params.get('rule') ?? ''} onChange={(e) => setParams({ rule: e.target.value || null })}>
              <option value="">any</option>
              {rules.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            <span>User</span>
            <input aria-label="User" placeholder="id, email or name" value={user} onChange={(e) => setUser(e.target.value)} />
          </label>
          <button className="btn primary" type="submit">
            Apply
          </button>
        </div>
      </form>
      {list.error && <p className="error">{list.error.message}</p>}
      {list.data && !list.data.available && <p className="muted">This database has no alerts table: run detection (`gridwatch detect`) first.</p>}
      {list.data && (
        <table className="grid alerts-table" data-testid="alerts-table">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Alert</th>
              <th>Reasons</th>
              <th>User</th>
              <th>Last event (UTC)</th>
              <th>Status</th>
              <th>Rule</th>
            </tr>
          </thead>
          <tbody>
            {list.data.alerts.map((a) => (
              <tr key={a.id} onClick={() => setParams({ alert: a.id, event: null })} className={params.get('alert') === a.id ? 'selected' : ''} data-alert-id={a.id}>
                <td>
                  <SeverityBadge severity={a.severity} />
                </td>
                <td>{a.title}</td>
                <td>
                  <Reasons reasons={a.reasons} />
                </td>
                <td>{a.user_id ? <Link to={userPath(a.user_id)}>{userLabel({ id: a.user_id, name: a.user_name, email: a.user_email })}</Link> : ''}</td>
                <td className="mono nowrap">{fmtTime(a.last_ts)}</td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td className="mono">{a.rule}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.alerts.length === 0 && list.data.available && <p className="empty">No alerts match.</p>}
    </>
  );
}

function AnomaliesTab() {
  const { params } = useLocation();
  const page = useApi<EventPage>('/events', { action: 'anomaly', actor: params.get('user') ?? undefined, since: params.get('since') ?? undefined, until: params.get('until') ?? undefined, limit: 200 });
  return (
    <>
      <div className="filters">
        <TimeRange since={params.get('since')} until={params.get('until')} onChange={(since, until) => setParams({ since, until })} />
      </div>
      {page.error && <p className="error">{page.error.message}</p>}
      {page.data && <EventTable events={page.data.events} selected={params.get('event')} onOpen={(id) => setParams({ event: id, alert: null })} />}
      {page.data?.next && <p className="muted">Showing the newest 200: narrow the range to see more.</p>}
    </>
  );
}

export default function Detections() {
  const { params } = useLocation();
  const tab = params.get('tab') === 'anomalies' ? 'anomalies' : 'alerts';
  return (
    <div className="page detections">
      <h1>Security Detections</h1>
      <nav className="tabs">
        <Link to={withParams({ tab: null, alert: null, event: null })} className={tab === 'alerts' ? 'active' : ''}>
          gridwatch alerts
        </Link>
        <Link to={withParams({ tab: 'anomalies', alert: null, event: null })} className={tab === 'anomalies' ? 'active' : ''}>
          Slack anomaly events
        </Link>
      </nav>
      {tab === 'alerts' ? <AlertsTab /> : <AnomaliesTab />}
    </div>
  );
}
