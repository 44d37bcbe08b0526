// Full details of one event: its fields, links to the user and IP, and the raw JSON as received (copyable), with
// the fields that made a rule fire highlighted.
import { fmtTime, isoOf, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, userPath } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { EventDetail } from '../types.ts';
import { eventHasHidden, hiddenInRaw } from '../untrusted.ts';
import { Reasons } from './Badges.tsx';
import { CopyButton } from './CopyButton.tsx';
import { JsonView, prettyJson } from './JsonView.tsx';
import { ResponseSlot } from './ResponseSlot.tsx';
import { HiddenFlag, IpText, SafeText } from './SafeText.tsx';
import { EventAlerts } from './triage/EventAlerts.tsx';

export function EventDetails(props: { id: string; alert?: string | null }) {
  const me = useSession();
  const { data, error } = useApi<EventDetail>(`/events/${encodeURIComponent(props.id)}`, { alert: props.alert });
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const e = data.event;
  const highlight = data.highlight;
  const around = `/events?actor=${encodeURIComponent(e.actor.id ?? '')}&since=${isoOf(e.ts - 3600)}&until=${isoOf(e.ts + 3600)}`;
  return (
    <div className="event-details" data-testid="event-details">
      <h2>
        <SafeText className="mono" text={e.action} /> {e.entity.name ? <SafeText className="entity-name" text={e.entity.name} /> : null}
        {(eventHasHidden(e) || hiddenInRaw(data.raw)) && <HiddenFlag />}
      </h2>
      {/* Slack's anomaly names a user and an address: sign the user out, or trust the address. */}
      {e.action === 'anomaly' && <ResponseSlot target={{ userId: e.actor.id, ip: e.ip }} role={me.role} />}
      <dl className="facts">
        <dt>Time (UTC)</dt>
        <dd className="mono">{fmtTime(e.ts)}</dd>
        <dt>Actor</dt>
        <dd>
          {e.actor.id ? (
            <Link to={userPath(e.actor.id)}>
              <SafeText text={userLabel(e.actor)} />
            </Link>
          ) : (
            '—'
          )}{' '}
          <span className="muted">
            <SafeText text={e.actor.email} /> <SafeText text={e.actor.id} />
          </span>
        </dd>
        <dt>Entity</dt>
        <dd>
          <SafeText text={e.entity.type} /> <SafeText text={e.entity.name} /> <SafeText className="muted mono" text={e.entity.id} />
        </dd>
        {e.channel && (
          <>
            <dt>Channel</dt>
            <dd>
              <Link to={`/?channel=${encodeURIComponent(e.channel)}`}>
                <SafeText className="mono" text={e.channel} />
              </Link>
            </dd>
          </>
        )}
        <dt>IP</dt>
        <dd className="mono">{e.ip ? <IpText ip={e.ip} /> : '—'}</dd>
        <dt>Session</dt>
        <dd className="mono">{e.session_id ? <SafeText text={e.session_id} /> : '—'}</dd>
        <dt>User agent</dt>
        <dd className="mono break">{e.ua ? <SafeText text={e.ua} /> : '—'}</dd>
        {e.reasons.length > 0 && (
          <>
            <dt>Reasons</dt>
            <dd>
              <Reasons reasons={e.reasons} />
            </dd>
          </>
        )}
        <dt>Event id</dt>
        <dd className="mono">
          <SafeText text={e.id} />
        </dd>
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
      <EventAlerts alerts={data.alerts} />
      <JsonView raw={data.raw} highlight={highlight} />
    </div>
  );
}
