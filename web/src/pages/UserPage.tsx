// A user's page: timeline with anomalies and alerts marked, daily downloads and excessive_downloads against their
// baseline, the IPs, ASNs and user agents they used (first and last seen), the files they downloaded, their alerts.
import { severityRank } from '../components/AlertRow.tsx';
import { ExpectedTag, Reasons, SeverityBadge, StatusBadge, Tag, TrustTag } from '../components/Badges.tsx';
import { UserIncidents } from '../components/incidents/UserIncidents.tsx';
import { MoreNote } from '../components/MoreNote.tsx';
import { ResponseSlot } from '../components/ResponseSlot.tsx';
import { UserResponses } from '../components/respond/UserResponses.tsx';
import { IpText, SafeText } from '../components/SafeText.tsx';
import { SortedGrid, type SortColumn } from '../components/SortedGrid.tsx';
import { TimeRange } from '../components/TimeRange.tsx';
import { qs } from '../api.ts';
import { fmtCount, fmtTime, isoOf, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, setParams, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import DailyChart from '../charts/DailyChart.tsx';
import TimelineChart from '../charts/TimelineChart.tsx';
import type { Timeline, UserSummary } from '../types.ts';
import { visibleText } from '../untrusted.ts';

/** The two daily series charted against the user's baseline. */
const DAILY = [
  { series: 'file_downloaded', color: '#4a78b3', testId: 'daily-downloads' },
  { series: 'excessive_downloads', color: '#c0392b', testId: 'daily-excessive' },
] as const;

// The headed tables' columns and what each sorts by, in the browser: the lists are bounded (capped by the server).
type S = UserSummary;
const ALERT_COLUMNS: ReadonlyArray<SortColumn<S['alerts'][number]>> = [
  { label: 'Severity', value: (a) => severityRank(a.severity) },
  { label: 'Alert', value: (a) => a.title },
  { label: 'Last event', value: (a) => a.last_ts },
  { label: 'Status', value: (a) => a.status },
];
const ANOMALY_COLUMNS: ReadonlyArray<SortColumn<S['anomalies'][number]>> = [
  { label: 'Time (UTC)', value: (e) => e.ts },
  { label: 'Reasons' },
  { label: 'IP', value: (e) => e.ip },
  { label: 'User agent', value: (e) => e.ua },
];
const IP_COLUMNS: ReadonlyArray<SortColumn<S['ips'][number]>> = [
  { label: 'IP', value: (ip) => ip.ip },
  { label: 'First seen', value: (ip) => ip.first_seen },
  { label: 'Last seen', value: (ip) => ip.last_seen },
  { label: 'Events', value: (ip) => ip.count },
  { label: 'In range', value: (ip) => ip.in_range },
  { label: 'Trust' },
  { label: 'ASN', value: (ip) => ip.asn?.asn },
];
const ASN_COLUMNS: ReadonlyArray<SortColumn<S['asns'][number]>> = [
  { label: 'ASN', value: (a) => a.asn },
  { label: 'IPs', value: (a) => a.ips.length },
  { label: 'Events', value: (a) => a.count },
  { label: 'Seen (UTC)', value: (a) => a.first_seen },
];
const UA_COLUMNS: ReadonlyArray<SortColumn<S['user_agents'][number]>> = [
  { label: 'Client', value: (u) => u.name },
  { label: 'User agent', value: (u) => u.ua },
  { label: 'First seen', value: (u) => u.first_seen },
  { label: 'Last seen', value: (u) => u.last_seen },
  { label: 'Events', value: (u) => u.count },
  { label: 'Expected', value: (u) => (u.expected ? 1 : 0) },
];
const FILE_COLUMNS: ReadonlyArray<SortColumn<S['files'][number]>> = [
  { label: 'File', value: (f) => f.name ?? f.file_id },
  { label: 'Downloads', value: (f) => f.count },
  { label: 'First', value: (f) => f.first_seen },
  { label: 'Last', value: (f) => f.last_seen },
];

export default function UserPage({ id }: { id: string }) {
  const me = useSession();
  const { params } = useLocation();
  const range = { since: params.get('since') ?? undefined, until: params.get('until') ?? undefined };
  const path = `/users/${encodeURIComponent(id)}`;
  const sum = useApi<UserSummary>(path, range);
  const tl = useApi<Timeline>(`${path}/timeline`, range);
  if (sum.error) return <div className="page"><p className="error">{sum.error.message}</p></div>;
  if (!sum.data) return <div className="page"><p className="muted">Loading…</p></div>;
  const s = sum.data;
  const d = s.daily;
  return (
    <div className="page user-page" data-testid="user-page">
      <header className="page-head">
        <div>
          <h1><SafeText text={userLabel(s.user)} /></h1>
          <p className="muted">
            <SafeText text={s.user.email} /> · <SafeText className="mono" text={s.user.id} /> · {fmtCount(s.user.events)} events, first {fmtTime(s.user.first_seen)}, last {fmtTime(s.user.last_seen)} UTC
          </p>
        </div>
        <ResponseSlot target={{ userId: s.user.id }} role={me.role} />
      </header>
      <div className="filters">
        <TimeRange allLabel="Last 7 days active" since={params.get('since')} until={params.get('until')} onChange={(since, until) => setParams({ since, until })} />
        <span className="muted">
          showing {fmtTime(s.range.since)} → {fmtTime(s.range.until)} UTC ·{' '}
          {s.range.clamped ? 'range cut to the stored data and at most a year · ' : ''}
          <Link to={`/events?actor=${encodeURIComponent(s.user.id)}`}>all events of this user</Link>
        </span>
      </div>

      <section>
        <h2>Timeline</h2>
        {tl.data ? <TimelineChart timeline={tl.data} /> : <div className="chart placeholder" />}
        <p className="legend">
          <span className="swatch events" /> events <span className="swatch anomalies" /> anomalies <span className="swatch alerts" /> alerts
        </p>
      </section>

      <section className="two-charts">
        {DAILY.map(({ series, color, testId }) => (
          <DailyChart
            key={series}
            title={`${series} per day vs baseline`}
            days={d.day_start}
            counts={d[series]}
            mean={d.baseline[series].mean}
            max={d.baseline[series].max}
            color={color}
            testId={testId}
          />
        ))}
        <p className="muted">
          Baseline: mean (dashed) and maximum (red line) of the {d.baseline_days} days before each day
          {d.rule
            ? `; for excessive_downloads, the red line is rule ${d.rule.id}'s limit for the day (above it, the rule alerts), from the ${d.rule.lookback_days} days before${d.rule.fallback === null ? '' : ` or, with too little history, ${d.rule.fallback}`}`
            : ''}
          ; days in {d.timezone}.
        </p>
      </section>

      <UserIncidents userId={s.user.id} />

      {s.alerts.length > 0 && (
        <section>
          <h2>Alerts</h2>
          <SortedGrid
            columns={ALERT_COLUMNS}
            rows={s.alerts}
            rowKey={(a) => a.id}
            onRowClick={(a) => setParams({ alert: a.id, event: null })}
            testId="user-alerts"
            row={(a) => (
              <>
                <td><SeverityBadge severity={a.severity} /></td>
                <td><SafeText text={a.title} /></td>
                <td className="mono nowrap">{fmtTime(a.last_ts)}</td>
                <td><StatusBadge status={a.status} /></td>
              </>
            )}
          />
          <MoreNote truncated={s.alerts_truncated} shown={s.alerts.length} what="alerts" to={`/detections?user=${encodeURIComponent(s.user.id)}`} />
        </section>
      )}

      <UserResponses userId={s.user.id} summary={s} reload={sum.reload} />

      {s.anomalies.length > 0 && (
        <section>
          <h2>Slack anomalies</h2>
          <SortedGrid
            columns={ANOMALY_COLUMNS}
            rows={s.anomalies}
            rowKey={(e) => e.id}
            onRowClick={(e) => setParams({ event: e.id, alert: null })}
            testId="user-anomalies"
            row={(e) => (
              <>
                <td className="mono nowrap">{fmtTime(e.ts)}</td>
                <td><Reasons reasons={e.reasons} /></td>
                <td className="mono"><IpText ip={e.ip} /></td>
                <td className="ellipsis ua" title={visibleText(e.ua)}><SafeText text={e.ua} /></td>
              </>
            )}
          />
          <MoreNote truncated={s.anomalies_truncated} shown={s.anomalies.length} what="anomalies" to={`/events${qs({ actor: s.user.id, action: 'anomaly', since: isoOf(s.range.since), until: isoOf(s.range.until) })}`} />
        </section>
      )}

      <section>
        <h2>IP addresses</h2>
        <SortedGrid
          columns={IP_COLUMNS}
          rows={s.ips}
          rowKey={(ip) => ip.ip}
          testId="user-ips"
          row={(ip) => (
            <>
              <td className="mono"><IpText ip={ip.ip} /></td>
              <td className="mono nowrap">{fmtTime(ip.first_seen)}</td>
              <td className="mono nowrap">{fmtTime(ip.last_seen)}</td>
              <td>{fmtCount(ip.count)}</td>
              <td>{fmtCount(ip.in_range)}</td>
              <td>
                <TrustTag trust={ip.trusted} />
                {ip.vpn && <Tag kind="good">{`VPN ${ip.vpn}`}</Tag>}
                {ip.threat_intel?.listed && <Tag kind="bad">threat intel</Tag>}
              </td>
              <td>{ip.asn ? <SafeText text={`AS${ip.asn.asn} ${ip.asn.name ?? ''}`} /> : ''}{ip.country ? ` · ${ip.country}` : ''}</td>
            </>
          )}
        />
        <MoreNote truncated={s.ips_truncated} shown={s.ips.length} what="addresses" />
      </section>

      <section>
        <h2>ASNs</h2>
        {s.asns.length ? (
          <SortedGrid
            columns={ASN_COLUMNS}
            rows={s.asns}
            rowKey={(a) => String(a.asn)}
            testId="user-asns"
            row={(a) => (
              <>
                <td>AS{a.asn} <SafeText text={a.name} /></td>
                <td className="mono">{a.ips.map((ip, i) => <span key={ip}>{i ? ', ' : ''}<IpText ip={ip} /></span>)}</td>
                <td>{fmtCount(a.count)}</td>
                <td className="mono nowrap">{fmtTime(a.first_seen)} → {fmtTime(a.last_seen)}</td>
              </>
            )}
          />
        ) : (
          <p className="muted">No ASN known for these addresses (ASN data: {s.asn_data}).</p>
        )}
      </section>

      <section>
        <h2>User agents</h2>
        <SortedGrid
          columns={UA_COLUMNS}
          rows={s.user_agents}
          rowKey={(u) => u.ua}
          testId="user-uas"
          row={(u) => (
            <>
              <td><SafeText text={u.name} /> <SafeText text={u.version} /> <SafeText className="muted" text={u.os} /></td>
              <td className="ellipsis ua" title={visibleText(u.ua)}><SafeText text={u.ua} /></td>
              <td className="mono nowrap">{fmtTime(u.first_seen)}</td>
              <td className="mono nowrap">{fmtTime(u.last_seen)}</td>
              <td>{fmtCount(u.count)}</td>
              <td><ExpectedTag expected={u.expected} /></td>
            </>
          )}
        />
        <MoreNote truncated={s.user_agents_truncated} shown={s.user_agents.length} what="user agents" />
      </section>

      <section>
        <h2>Files downloaded in range ({s.files.length}{s.files_truncated ? '+' : ''})</h2>
        <SortedGrid
          columns={FILE_COLUMNS}
          rows={s.files}
          rowKey={(f) => `${f.file_id}${f.name}`}
          testId="user-files"
          row={(f) => (
            <>
              <td>
                {f.file_id ? <Link to={`/events?action=file_downloaded&entity=${encodeURIComponent(f.file_id)}`}><SafeText text={f.name ?? f.file_id} /></Link> : <SafeText text={f.name} />}
              </td>
              <td>{f.count}</td>
              <td className="mono nowrap">{fmtTime(f.first_seen)}</td>
              <td className="mono nowrap">{fmtTime(f.last_seen)}</td>
            </>
          )}
        />
      </section>
    </div>
  );
}
