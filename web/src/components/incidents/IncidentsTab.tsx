// Security Detections' first view: incidents (one user's alerts close in time, see docs/api.md "Incidents"), newest
// activity first and the most severe first among equals, as the API orders them. A row expands into its alerts
// (the alert rows of the alerts list, opening in the details panel); responders select incidents to acknowledge or
// resolve them together. Filters and page are in the URL like the alerts list's.
import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { fmtTime, userLabel } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { Link, useLocation, userPath } from '../../router.tsx';
import { canRespond, useSession } from '../../session.tsx';
import { ALERT_COLUMNS, AlertRow } from '../AlertRow.tsx';
import { SeverityBadge, StatusBadge } from '../Badges.tsx';
import { GridTable } from '../GridTable.tsx';
import { Pager, pageOf } from '../Pager.tsx';
import { SafeText } from '../SafeText.tsx';
import { listParam, setFilter, StatusSeverityChecks, useUserDraft } from '../TriageFilters.tsx';
import { BulkStatus } from './BulkStatus.tsx';
import { incidentPath, type IncidentDetailJson, type IncidentJson, type IncidentList } from './types.ts';
import './incidents.css';

/** Incidents per page. */
const PAGE = 50;

/** The alerts of one incident, as rows of the alerts list. */
function IncidentAlerts({ id }: { id: string }) {
  const { data, error } = useApi<IncidentDetailJson>(`/incidents/${encodeURIComponent(id)}`);
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <GridTable columns={ALERT_COLUMNS} testId="incident-alerts">
      {data.alerts.map((a) => (
        <AlertRow key={a.id} alert={a} />
      ))}
    </GridTable>
  );
}

function Filters() {
  const { params } = useLocation();
  const [user, setUser] = useUserDraft(params);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ user: user.trim() || null });
  };
  return (
    <form className="filters" onSubmit={apply} aria-label="Incident filters">
      <div className="filter-row">
        <StatusSeverityChecks params={params} />
        <label>
          <span>User</span>
          <input aria-label="User" placeholder="id, email or name" value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <button className="btn primary" type="submit">
          Apply
        </button>
      </div>
    </form>
  );
}

/**
 * The incidents list with its filters, pager, expandable rows and (for responders) bulk status.
 *
 * @example {tab === 'incidents' && <IncidentsTab />}
 */
export function IncidentsTab() {
  const me = useSession();
  const { params } = useLocation();
  const page = pageOf(params);
  const incidents = useApi<IncidentList>('/incidents', { status: listParam(params, 'status'), severity: listParam(params, 'severity'), user: params.get('user') ?? undefined, limit: PAGE, offset: (page - 1) * PAGE });
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const rows = incidents.data?.incidents ?? [];
  // A selection is of this page: another page or filter starts a new one.
  useEffect(() => setSelected(new Set()), [incidents.data]);
  const responder = canRespond(me.role);
  const flip = (set: Set<string>, id: string) => {
    const next = new Set(set);
    if (!next.delete(id)) next.add(id);
    return next;
  };
  const allSelected = rows.length > 0 && rows.every((i) => selected.has(i.id));
  const columns = ['', 'Severity', 'Incident', 'User', 'Alerts', 'Last activity (UTC)', 'Status', 'Assignee'];
  return (
    <>
      <Filters />
      {incidents.error && <p className="error">{incidents.error.message}</p>}
      {responder && rows.length > 0 && <BulkStatus ids={[...selected]} onDone={incidents.reload} />}
      {incidents.data && <Pager page={page} size={PAGE} total={incidents.data.total} shown={rows.length} loading={incidents.loading} noun="incidents" />}
      {incidents.data && (
        <table className="grid incidents-table" data-testid="incidents-table">
          <thead>
            <tr>
              {responder && (
                <th>
                  <input type="checkbox" aria-label="Select all on this page" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((i) => i.id)))} />
                </th>
              )}
              {columns.map((c, i) => (
                <th key={i}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <Fragment key={i.id}>
                <IncidentRow incident={i} expanded={open.has(i.id)} onToggle={() => setOpen((s) => flip(s, i.id))} selected={responder ? selected.has(i.id) : null} onSelect={() => setSelected((s) => flip(s, i.id))} />
                {open.has(i.id) && (
                  <tr className="incident-expanded">
                    <td colSpan={columns.length + (responder ? 1 : 0)}>
                      <IncidentAlerts id={i.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {incidents.data && rows.length === 0 && <p className="empty">{incidents.data.total ? 'No incidents on this page.' : 'No incidents match.'}</p>}
    </>
  );
}

function IncidentRow(props: { incident: IncidentJson; expanded: boolean; onToggle: () => void; selected: boolean | null; onSelect: () => void }) {
  const i = props.incident;
  const user = userLabel({ id: i.user_id, name: i.user_name, email: i.user_email });
  return (
    <tr onClick={props.onToggle} data-incident-id={i.id} className={props.expanded ? 'selected' : ''}>
      {props.selected !== null && (
        <td onClick={(e) => e.stopPropagation()}>
          <input type="checkbox" aria-label={`Select incident of ${user}`} checked={props.selected} onChange={props.onSelect} />
        </td>
      )}
      <td>
        <button type="button" className="btn small" aria-expanded={props.expanded} aria-label={props.expanded ? 'Hide alerts' : 'Show alerts'} onClick={(e) => (e.stopPropagation(), props.onToggle())}>
          {props.expanded ? '▾' : '▸'}
        </button>
      </td>
      <td>
        <SeverityBadge severity={i.severity} />
      </td>
      <td>
        <Link to={incidentPath(i.id)}>
          <SafeText text={i.title} />
        </Link>
      </td>
      <td>
        <Link to={userPath(i.user_id)}>
          <SafeText text={user} />
        </Link>
      </td>
      <td>{i.alert_ids.length}</td>
      <td className="mono nowrap">{fmtTime(i.last_seen)}</td>
      <td>
        <StatusBadge status={i.status} />
      </td>
      <td>{i.assignee ? <SafeText text={i.assignee} /> : <span className="muted">unassigned</span>}</td>
    </tr>
  );
}
