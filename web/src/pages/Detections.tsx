// The Security Detections view: gridwatch's alerts (severity, reasons, user, time, status; filterable, a page at a
// time with the total) and Slack's own anomaly events. Either opens in the details panel. The filters' choices and
// their counts come from the facet query, never from fetching the alerts themselves.
import { useEffect, useState, type FormEvent } from 'react';
import { Reasons, SeverityBadge, StatusBadge } from '../components/Badges.tsx';
import { EventTable } from '../components/EventTable.tsx';
import { SafeText } from '../components/SafeText.tsx';
import { TimeRange } from '../components/TimeRange.tsx';
import { fmtCount, fmtTime, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, setParams, useLocation, userPath, withParams } from '../router.tsx';
import { ALERT_STATUSES, SEVERITIES, type AlertFacetList, type AlertList, type EventPage } from '../types.ts';
import { visibleText } from '../untrusted.ts';

/** Alerts per page. */
const PAGE = 50;

/** The 1-based page number of the URL (`?page=3`); anything else is the first page. */
function pageOf(params: URLSearchParams): number {
  const n = Number(params.get('page'));
  return Number.isInteger(n) && n > 1 ? n : 1;
}

/** Change filters: back to the first page, no alert open. */
const setFilter = (update: Record<string, string | null>) => setParams({ ...update, page: null });

function toggle(list: string[], v: string): string | null {
  const next = list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
  return next.join(',') || null;
}

function AlertsTab() {
  const { params } = useLocation();
  const status = (params.get('status') ?? '').split(',').filter(Boolean);
  const severity = (params.get('severity') ?? '').split(',').filter(Boolean);
  const filter = { status, severity, rule: params.get('rule') ?? undefined, user: params.get('user') ?? undefined, since: params.get('since') ?? undefined, until: params.get('until') ?? undefined };
  const page = pageOf(params);
  const list = useApi<AlertList>('/alerts', { ...filter, limit: PAGE, offset: (page - 1) * PAGE });
  const facets = useApi<AlertFacetList>('/alerts/facets', filter);
  const count = (dim: 'statuses' | 'severities', name: string) => {
    const n = facets.data?.[dim].find((f) => f.name === name)?.count;
    return facets.data ? ` (${fmtCount(n ?? 0)})` : '';
  };
  const rule = params.get('rule') ?? '';
  const rules = facets.data?.rules ?? [];
  const [user, setUser] = useState(params.get('user') ?? '');
  useEffect(() => setUser(params.get('user') ?? ''), [params.get('user')]);
  const applyUser = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ user: user.trim() || null, alert: null });
  };
  return (
    <>
      <form className="filters" onSubmit={applyUser} aria-label="Alert filters">
        <div className="filter-row">
          <TimeRange since={params.get('since')} until={params.get('until')} onChange={(since, until) => setFilter({ since, until })} />
        </div>
        <div className="filter-row">
          <fieldset>
            <legend>Status</legend>
            {ALERT_STATUSES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={status.includes(s)} onChange={() => setFilter({ status: toggle(status, s) })} /> {s.replace('_', ' ')}
                {count('statuses', s)}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Severity</legend>
            {SEVERITIES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={severity.includes(s)} onChange={() => setFilter({ severity: toggle(severity, s) })} /> {s}
                {count('severities', s)}
              </label>
            ))}
          </fieldset>
          <label>
            <span>Rule</span>
            <select aria-label="Rule" value={rule} onChange={(e) => setFilter({ rule: e.target.value || null })}>
              <option value="">any</option>
              {rule && !rules.some((r) => r.name === rule) && <option value={rule}>{visibleText(rule)} (0)</option>}
              {rules.map((r) => (
                <option key={r.name} value={r.name}>
                  {visibleText(r.name)} ({fmtCount(r.count)})
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>User</span>
            <input aria-label="User" placeholder="id, email or name" list="alert-users" value={user} onChange={(e) => setUser(e.target.value)} />
            <datalist id="alert-users">
              {(facets.data?.users ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {visibleText(`${userLabel(u)} (${fmtCount(u.count)})`)}
                </option>
              ))}
            </datalist>
          </label>
          <button className="btn primary" type="submit">
            Apply
          </button>
        </div>
      </form>
      {list.error && <p className="error">{list.error.message}</p>}
      {list.data && !list.data.available && <p className="muted">This database has no alerts table: run detection (`gridwatch detect`) first.</p>}
      {list.data?.available && <Pager page={page} total={list.data.total} shown={list.data.alerts.length} loading={list.loading} />}
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
            ))}
          </tbody>
        </table>
      )}
      {list.data?.alerts.length === 0 && list.data.available && <p className="empty">{list.data.total ? 'No alerts on this page.' : 'No alerts match.'}</p>}
    </>
  );
}

/** Which alerts of how many are shown, and the buttons to the other pages (the page is in the URL). */
function Pager({ page, total, shown, loading }: { page: number; total: number; shown: number; loading: boolean }) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const from = (page - 1) * PAGE;
  const go = (p: number) => setParams({ page: p > 1 ? String(p) : null, alert: null });
  return (
    <div className="pager" data-testid="alerts-pager">
      <button type="button" className="btn small" disabled={page <= 1} onClick={() => go(1)}>
        Newest
      </button>
      <button type="button" className="btn small" disabled={page <= 1} onClick={() => go(page - 1)}>
        ← Newer
      </button>
      <span className="muted" data-testid="alerts-count">
        {shown ? `${fmtCount(from + 1)}–${fmtCount(from + shown)} of ${fmtCount(total)} alerts` : `${fmtCount(total)} alerts`} · page {fmtCount(page)} of {fmtCount(pages)}
        {loading ? ' · loading…' : ''}
      </span>
      <button type="button" className="btn small" disabled={page >= pages} onClick={() => go(page + 1)}>
        Older →
      </button>
    </div>
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
        <Link to={withParams({ tab: null, alert: null, event: null, page: null })} className={tab === 'alerts' ? 'active' : ''}>
          gridwatch alerts
        </Link>
        <Link to={withParams({ tab: 'anomalies', alert: null, event: null, page: null })} className={tab === 'anomalies' ? 'active' : ''}>
          Slack anomaly events
        </Link>
      </nav>
      {tab === 'alerts' ? <AlertsTab /> : <AnomaliesTab />}
    </div>
  );
}
