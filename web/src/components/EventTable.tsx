import { useMemo } from 'react';
import { fmtTime, userLabel } from '../format.ts';
import { Link, userPath } from '../router.tsx';
import type { EventSummary } from '../types.ts';
import { eventHasHidden, visibleText } from '../untrusted.ts';
import { sortRows } from '../sort.ts';
import { Reasons } from './Badges.tsx';
import { HiddenFlag, IpText, SafeText } from './SafeText.tsx';
import { SortTh, useSort } from './SortedGrid.tsx';

/** What each sortable column sorts by. */
const SORT_BY: Record<string, (e: EventSummary) => string | number | null> = {
  ts: (e) => e.ts,
  action: (e) => e.action,
  actor: (e) => (e.actor.id ? userLabel(e.actor) : null),
  entity: (e) => e.entity.name ?? e.entity.id ?? e.channel ?? null,
  ip: (e) => e.ip,
};

/**
 * Events, newest first (as the API pages them). A row opens the event's details; names and IPs link to their pages.
 * A column header sorts the rows shown, that is the current page only, and says so.
 */
export function EventTable(props: { events: EventSummary[]; selected?: string | null; onOpen: (id: string) => void; compact?: boolean }) {
  const { sort, toggle } = useSort();
  const rows = useMemo(() => sortRows(props.events, sort, (e, k) => SORT_BY[k]?.(e)), [props.events, sort]);
  if (!props.events.length) return <p className="empty">No events match.</p>;
  const th = (label: string, k: string) => <SortTh label={label} k={k} sort={sort} onSort={toggle} />;
  return (
    <>
    {sort && <p className="muted small" data-testid="events-sort-note">Sorted within this page; the pages themselves go newest first.</p>}
    <table className="grid events-table" data-testid="events-table">
      <thead>
        <tr>
          {th('Time (UTC)', 'ts')}
          {th('Action', 'action')}
          {th('Actor', 'actor')}
          {th('Entity', 'entity')}
          {!props.compact && th('IP', 'ip')}
          {!props.compact && <th>User agent</th>}
          <th>Reasons</th>
          <th aria-label="details" />
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => (
          <tr
            key={e.id}
            className={e.id === props.selected ? 'selected' : e.action === 'anomaly' ? 'anomaly' : ''}
            onClick={() => props.onOpen(e.id)}
            data-event-id={e.id}
          >
            <td className="nowrap mono">{fmtTime(e.ts)}</td>
            <td className="mono">
              <SafeText text={e.action} />
            </td>
            <td>{e.actor.id ? <Link to={userPath(e.actor.id)}><SafeText text={userLabel(e.actor)} /></Link> : ''}</td>
            <td className="ellipsis" title={visibleText(e.entity.id)}>
              {e.entity.type ? <span className="muted"><SafeText text={e.entity.type} /> </span> : null}
              {e.channel && !e.entity.name && !e.entity.id ? (
                <>
                  in <SafeText className="mono" text={e.channel} />
                </>
              ) : (
                <SafeText text={e.entity.name ?? e.entity.id} />
              )}
            </td>
            {!props.compact && (
              <td className="mono nowrap">
                <IpText ip={e.ip} />
              </td>
            )}
            {!props.compact && (
              <td className="ellipsis ua" title={visibleText(e.ua)}>
                <SafeText text={e.ua} />
              </td>
            )}
            <td>
              {eventHasHidden(e) && <HiddenFlag />}
              <Reasons reasons={e.reasons} />
            </td>
            <td>
              <button
                type="button"
                className="btn small"
                aria-label={visibleText(`details of ${e.action} ${e.entity.name ?? ''}`)}
                onClick={(ev) => {
                  ev.stopPropagation();
                  props.onOpen(e.id);
                }}
              >
                Details
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}
