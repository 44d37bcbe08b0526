// Full details of one event: its fields, links to the user and IP, and the raw JSON as received (copyable), with
// the fields that made a rule fire highlighted.
import { fmtTime, isoOf, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { ipPath, Link, userPath } from '../router.tsx';
import type { EventDetail } from '../types.ts';
import { Reasons } from './Badges.tsx';
import { CopyButton } from './CopyButton.tsx';
import { JsonView, prettyJson } from './JsonView.tsx';

export function EventDetails(props: { id: string; alert?: string | null }) {
  const { data, error } = useApi<EventDetail>(`/events/${encodeURIComponent(props.id)}`, { alert: props.alert });
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const e = data.event;
  const highlight = data.highlight;
  const around = `/events?actor=${encodeURIComponent(e.actor.id ?? '')}&since=${isoOf(e.ts - 3600)}&until=${isoOf(e.ts + 3600)}`;
  return (
    <div className="event-details" data-testid="event-details">
      <h2>
        <span className="mono">{e.action}</span> {e.entity.name ? <span className="entity-name">{e.entity.name}</span> : null}
      </h2>
      <dl className="facts">
        <dt>Time (UTC)</dt>
        <dd className="mono">{fmtTime(e.ts)}</dd>
        <dt>Actor</dt>
        <dd>
          {e.actor.id ? <Link to={userPath(e.actor.id)}>{userLabel(e.actor)}</Link> : '—'} <span className="muted">{e.actor.email ?? ''} {e.actor.id ?? ''}</span>
        </dd>
        <dt>Entity</dt>
        <dd>
          {e.entity.type ?? ''} {e.entity.name ?? ''} <span className="muted mono">{e.entity.id ?? ''}</span>
        </dd>
        <dt>IP</dt>
        <dd className="mono">{e.ip ? <Link to={ipPath(e.ip)}>{e.ip}</Link> : '—'}</dd>
        <dt>Session</dt>
        <dd className="mono">{e.session_id ?? '—'}</dd>
        <dt>User agent</dt>
        <dd className="mono break">{e.ua ?? '—'}</dd>
        {e.reasons.length > 0 && (
          <>
            <dt>Reasons</dt>
            <dd>
              <Reasons reasons={e.reasons} />
            </dd>
          </>
        )}
        <dt>Event id</dt>
        <dd className="mono">{e.id}</dd>
      </dl>
      <div className="toolbar">
        <CopyButton text={prettyJson(data.raw)} label="Copy JSON" />
        {e.actor.id && (
          <Link className="btn small" to={around}>
            This user ±1 h
          </Link>
        )}
        {highlight.length > 0 && <span className="muted">highlighted: fields that made a rule fire</span>}
      </div>
      <JsonView raw={data.raw} highlight={highlight} />
    </div>
  );
}
