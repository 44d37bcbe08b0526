// The Security Detections view: incidents first (one user's alerts close in time, expandable into them), then
// gridwatch's alerts (severity, reasons, user, time, status; filterable, a page at a time with the total) and Slack's
// own anomaly events. Alerts and events open in the details panel. The alert filters' choices and their counts come
// from the facet query, never from fetching the alerts themselves.
import type { FormEvent } from 'react';
import { ALERT_SORT_COLUMNS, AlertRow } from '../components/AlertRow.tsx';
import { EventTable } from '../components/EventTable.tsx';
import { IncidentsTab } from '../components/incidents/IncidentsTab.tsx';
import { Pager, pageOf } from '../components/Pager.tsx';
import { SortHeadRow, useSortedRows } from '../components/SortedGrid.tsx';
import { TimeRange } from '../components/TimeRange.tsx';
import { listParam, setFilter, StatusSeverityChecks, useUserDraft } from '../components/TriageFilters.tsx';
import { fmtCount, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, setParams, useLocation, withParams } from '../router.tsx';
import type { AlertFacetList, AlertList, AlertListItem, EventPage } from '../types.ts';
import { visibleText } from '../untrusted.ts';

/** Alerts per page. */
const PAGE = 50;
/** The rows before the first page arrives (one array, so the sorted rows are not recomputed each render). */
const NO_ALERTS: AlertListItem[] = [];

function AlertsTab() {
  const { params } = useLocation();
  const status = listParam(params, 'status');
  const severity = listParam(params, 'severity');
  const filter = { status, severity, rule: params.get('rule') ?? undefined, user: params.get('user') ?? undefined, since: params.get('since') ?? undefined, until: params.get('until') ?? undefined };
  const page = pageOf(params);
  const list = useApi<AlertList>('/alerts', { ...filter, limit: PAGE, offset: (page - 1) * PAGE });
  // The server pages newest first; a header sorts the page shown, not the whole list.
  const { sort, toggle, sorted } = useSortedRows(list.data?.alerts ?? NO_ALERTS, ALERT_SORT_COLUMNS);
  const facets = useApi<AlertFacetList>('/alerts/facets', filter);
  const count = (dim: 'statuses' | 'severities', name: string) => {
    const n = facets.data?.[dim].find((f) => f.name === name)?.count;
    return facets.data ? ` (${fmtCount(n ?? 0)})` : '';
  };
  const rule = params.get('rule') ?? '';
  const rules = facets.data?.rules ?? [];
  const [user, setUser] = useUserDraft(params);
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
          <StatusSeverityChecks params={params} count={count} />
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
      {list.data?.available && <Pager page={page} size={PAGE} total={list.data.total} shown={list.data.alerts.length} loading={list.loading} noun="alerts" />}
      {list.data && sort && <p className="muted small" data-testid="alerts-sort-note">Sorted within this page; the pages themselves go newest first.</p>}
      {list.data && (
        <table className="grid alerts-table" data-testid="alerts-table">
          <thead>
            <SortHeadRow columns={ALERT_SORT_COLUMNS} sort={sort} onSort={toggle} />
          </thead>
          <tbody>
            {sorted.map((a) => (
              <AlertRow key={a.id} alert={a} />
            ))}
          </tbody>
        </table>
      )}
      {list.data?.alerts.length === 0 && list.data.available && <p className="empty">{list.data.total ? 'No alerts on this page.' : 'No alerts match.'}</p>}
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

type Tab = 'incidents' | 'alerts' | 'anomalies';

export default function Detections() {
  const { params } = useLocation();
  const t = params.get('tab');
  const tab: Tab = t === 'alerts' || t === 'anomalies' ? t : 'incidents';
  const to = (next: Tab) => withParams({ tab: next === 'incidents' ? null : next, alert: null, event: null, page: null });
  return (
    <div className="page detections">
      <h1>Security Detections</h1>
      <nav className="tabs">
        <Link to={to('incidents')} className={tab === 'incidents' ? 'active' : ''}>
          Incidents
        </Link>
        <Link to={to('alerts')} className={tab === 'alerts' ? 'active' : ''}>
          gridwatch alerts
        </Link>
        <Link to={to('anomalies')} className={tab === 'anomalies' ? 'active' : ''}>
          Slack anomaly events
        </Link>
      </nav>
      {tab === 'incidents' ? <IncidentsTab /> : tab === 'alerts' ? <AlertsTab /> : <AnomaliesTab />}
    </div>
  );
}
