import { fmtTime, userLabel } from '../format.ts';
import { ipPath, Link, userPath } from '../router.tsx';
import type { EventSummary } from '../types.ts';
import { Reasons } from './Badges.tsx';

/** Events, newest first. A row opens the event's details; names and IPs link to their pages. */
export function EventTable(props: { events: EventSummary[]; selected?: string | null; onOpen: (id: string) => void; compact?: boolean }) {
  if (!props.events.length) return <p className="empty">No events match.</p>;
  return (
    <table className="grid events-table" data-testid="events-table">
      <thead>
        <tr>
          <th>Time (UTC)</th>
          <th>Action</th>
          <th>Actor</th>
          <th>Entity</th>
          {!props.compact && <th>IP</th>}
          {!props.compact && <th>User agent</th>}
          <th>Reasons</th>
          <th aria-label="details" />
        </tr>
      </thead>
      <tbody>
        {props.events.map((e) => (
          <tr
            key={e.id}
            className={e.id === props.selected ? 'selected' : e.action === 'anomaly' ? 'anomaly' : ''}
            onClick={() => props.onOpen(e.id)}
            data-event-id={e.id}
          >
            <td className="nowrap mono">{fmtTime(e.ts)}</td>
            <td className="mono">{e.action}</td>
            <td>{e.actor.id ? <Link to={userPath(e.actor.id)}>{userLabel(e.actor)}</Link> : ''}</td>
            <td className="ellipsis" title={e.entity.id ?? ''}>
              {e.entity.type ? <span className="muted">{e.entity.type} </span> : null}
              {e.entity.name ?? e.entity.id ?? ''}
            </td>
            {!props.compact && <td className="mono nowrap">{e.ip ? <Link to={ipPath(e.ip)}>{e.ip}</Link> : ''}</td>}
            {!props.compact && (
              <td className="ellipsis ua" title={e.ua ?? ''}>
                {e.ua ?? ''}
              </td>
            )}
            <td>
              <Reasons reasons={e.reasons} />
            </td>
            <td>
              <button
                type="button"
                className="btn small"
                aria-label={`details of ${e.action} ${e.entity.name ?? ''}`}
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
  );
}
