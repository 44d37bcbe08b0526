// The incident's story on one timeline (see timeline.ts): what the user did over the incident's span, the first use
// of each IP and client with what the alerts knew of them, and the alerts as they fired. Events open in the details
// panel, alerts too.
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { fmtTime, isoOf } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { setParams } from '../../router.tsx';
import type { AlertDetail, AlertListItem, EventPage } from '../../types.ts';
import { SeverityBadge, StatusBadge, Tag } from '../Badges.tsx';
import { IpText, SafeText } from '../SafeText.tsx';
import { buildTimeline, type ContextFacts, type TimelineItem } from './timeline.ts';
import type { IncidentJson } from './types.ts';

/** How far before the first alert's events the story starts (the sign-in that led to them), and after the last. */
const BEFORE_SEC = 2 * 3600;
const AFTER_SEC = 3600;
/** Events read for the story (the events API's largest page) and alerts whose context is read. */
const MAX_EVENTS = 1000;
const MAX_CONTEXTS = 20;

/** The IPs and clients the incident's alerts know about (`GET /alerts/:id` of each, at most MAX_CONTEXTS). */
function useContexts(ids: string[]): ContextFacts[] {
  const [contexts, setContexts] = useState<ContextFacts[]>([]);
  const key = ids.slice(0, MAX_CONTEXTS).join(',');
  useEffect(() => {
    const ctl = new AbortController();
    Promise.all(key.split(',').filter(Boolean).map((id) => api.get<AlertDetail>(`/alerts/${encodeURIComponent(id)}`, {}, ctl.signal)))
      .then((details) => setContexts(details.map((d) => d.alert.context)))
      // The timeline stands without the annotations: an alert that cannot be read only loses its tags.
      .catch(() => undefined);
    return () => ctl.abort();
  }, [key]);
  return contexts;
}

const KIND_LABEL: Record<TimelineItem['kind'], string> = { alert: 'alert', anomaly: 'anomaly', 'sign-in': 'sign-in', 'sign-out': 'sign-out', download: 'files', ip: 'IP', client: 'client', event: 'event' };

function Item({ item }: { item: TimelineItem }) {
  const open = () => (item.alert ? setParams({ alert: item.alert.id, event: null }) : setParams({ event: item.eventIds[0]!, alert: null }));
  return (
    <li className={`tl-${item.kind}`} data-kind={item.kind}>
      <div className="tl-head">
        <span className="mono nowrap">{fmtTime(item.ts)}</span>
        <span className="tl-kind">{KIND_LABEL[item.kind]}</span>
        {item.alert && <SeverityBadge severity={item.alert.severity} />}
        <a href="#" onClick={(e) => (e.preventDefault(), open())}>
          <SafeText text={item.title} />
        </a>
        {item.alert && <StatusBadge status={item.alert.status} />}
        {item.kind !== 'ip' && item.ip && (
          <span className="mono muted">
            <IpText ip={item.ip} />
          </span>
        )}
        {item.kind === 'ip' && item.ip && (
          <span className="mono">
            <IpText ip={item.ip} />
          </span>
        )}
        {item.tags.map((t, i) => (
          <Tag key={i} kind={t.kind}>
            {t.text}
          </Tag>
        ))}
      </div>
      {item.files && item.files.length > 1 && (
        <details>
          <summary>{item.files.length} files, {fmtTime(item.files[0]!.ts)} → {fmtTime(item.files[item.files.length - 1]!.ts)}</summary>
          <ul>
            {item.files.map((f) => (
              <li key={f.eventId}>
                <a href="#" onClick={(e) => (e.preventDefault(), setParams({ event: f.eventId, alert: null }))}>
                  <SafeText text={f.name} />
                </a>{' '}
                <span className="muted mono">{fmtTime(f.ts)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

/**
 * The incident's timeline: its user's events from a little before the first alert to a little after the last.
 *
 * @example <IncidentTimeline incident={d.incident} alerts={d.alerts} />
 */
export function IncidentTimeline({ incident, alerts }: { incident: IncidentJson; alerts: AlertListItem[] }) {
  const since = Math.floor(Date.parse(incident.first_seen) / 1000) - BEFORE_SEC;
  const until = Math.floor(Date.parse(incident.last_seen) / 1000) + AFTER_SEC;
  const events = useApi<EventPage>('/events', { actor: incident.user_id, since: isoOf(since), until: isoOf(until), limit: MAX_EVENTS });
  const contexts = useContexts(incident.alert_ids);
  const items = buildTimeline(alerts, events.data?.events ?? [], contexts);
  return (
    <section className="incident-box" data-testid="incident-timeline">
      <h3>Timeline</h3>
      <p className="muted">
        The user's events {fmtTime(since)} → {fmtTime(until)} UTC (from 2 h before the first alert to 1 h after the last){events.loading ? ' · loading…' : ''}
        {events.data?.next ? ` · the newest ${MAX_EVENTS} shown` : ''}
      </p>
      {events.error && <p className="error">{events.error.message}</p>}
      <ol className="timeline">
        {items.map((item, i) => (
          <Item key={`${item.kind}-${item.alert?.id ?? item.eventIds[0]}-${i}`} item={item} />
        ))}
      </ol>
    </section>
  );
}
