// An IP address: its network (block, ASN, name, country), whether it is trusted here and by Slack, its activity over
// time, which users used it and when, and the clients seen from it.
import { lazy, Suspense, useCallback } from 'react';
import type { SlackTrust } from '../../../src/server/api-types.ts';
import { ExpectedTag, Tag } from '../components/Badges.tsx';
import { MoreNote } from '../components/MoreNote.tsx';
import { ResponseSlot } from '../components/ResponseSlot.tsx';
import { SafeText } from '../components/SafeText.tsx';
import { SortedGrid } from '../components/SortedGrid.tsx';
import { fmtCount, fmtTime, isoOf, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, navigate, userPath } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { IpSummary, Volume } from '../types.ts';
import { visibleText } from '../untrusted.ts';

const Histogram = lazy(() => import('../charts/Histogram.tsx'));
type User = IpSummary['users'][number];
type Ua = IpSummary['user_agents'][number];

const USER_COLUMNS = [
  { label: 'User', value: (u: User) => userLabel(u) },
  { label: 'Email', value: (u: User) => u.email },
  { label: 'Events', value: (u: User) => u.count },
  { label: 'First seen', value: (u: User) => u.first_seen },
  { label: 'Last seen', value: (u: User) => u.last_seen },
];
const UA_COLUMNS = [
  { label: 'User agent', value: (u: Ua) => u.ua },
  { label: 'Expected', value: (u: Ua) => (u.expected ? 1 : 0) },
  { label: 'Events', value: (u: Ua) => u.count },
  { label: 'First seen', value: (u: Ua) => u.first_seen },
  { label: 'Last seen', value: (u: Ua) => u.last_seen },
];

function SlackTrustTag({ s }: { s: SlackTrust }) {
  if (s.state === 'trusted') return <Tag kind="good">{`on Slack's allowlist (${s.match ?? ''})`}</Tag>;
  if (s.state === 'not_trusted') return <Tag kind="warn">not on Slack's allowlist</Tag>;
  return <Tag title={s.why ?? undefined}>Slack's allowlist: unknown</Tag>;
}

export default function IpPage({ ip }: { ip: string }) {
  const me = useSession();
  const { data, error } = useApi<IpSummary>(`/ips/${encodeURIComponent(ip)}`);
  const vol = useApi<Volume>('/stats/volume', { ip, buckets: 60 });
  const events = `/events?ip=${encodeURIComponent(ip)}`;
  const onBrush = useCallback((since: number, until: number) => navigate(`${events}&since=${isoOf(since)}&until=${isoOf(until)}`), [events]);
  if (error) return <div className="page"><h1 className="mono"><SafeText text={ip} /></h1><p className="error">{error.message}</p></div>;
  if (!data) return <div className="page"><p className="muted">Loading…</p></div>;
  return (
    <div className="page ip-page" data-testid="ip-page">
      <h1 className="mono"><SafeText text={data.ip} /></h1>
      <ResponseSlot target={{ ip: data.ip, asn: data.asn?.asn ?? null }} role={me.role} />
      <dl className="facts" data-testid="ip-network">
        <dt>Network</dt>
        <dd className="mono">{data.network ?? '—'}</dd>
        <dt>ASN</dt>
        <dd>{data.asn ? <>AS{data.asn.asn} <SafeText text={data.asn.name} /></> : '—'}</dd>
        <dt>Country</dt>
        <dd>{data.country ?? '—'}</dd>
        <dt>Trusted</dt>
        <dd data-testid="ip-trust">
          {data.trusted.trusted ? <Tag kind="good">{`trusted here (${data.trusted.match ?? data.trusted.by})`}</Tag> : <Tag kind="warn">not trusted here</Tag>}{' '}
          <SlackTrustTag s={data.slack_allowlist} />
          {data.vpn && <Tag kind="good">{`VPN ${data.vpn}`}</Tag>}
          {data.threat_intel?.listed ? <Tag kind="bad">{`threat intel: ${data.threat_intel.entry ?? 'listed'}`}</Tag> : null}
          {data.slack_allowlist.state === 'unknown' && data.slack_allowlist.why && <span className="muted small"> {data.slack_allowlist.why}</span>}
        </dd>
        <dt>Activity</dt>
        <dd>
          {fmtCount(data.events)} events · {fmtTime(data.first_seen)} → {fmtTime(data.last_seen)} UTC · <Link to={events}>all events from this IP</Link>
        </dd>
      </dl>
      <section className="histogram-box">
        {vol.error && <p className="error">{vol.error.message}</p>}
        <Suspense fallback={<div className="chart placeholder" />}>
          {vol.data ? <Histogram volume={vol.data} onBrush={onBrush} testId="ip-histogram" /> : <div className="chart placeholder" />}
        </Suspense>
      </section>
      {data.lists_from.partial && (
        <p className="muted" data-testid="ip-lists-partial">
          Users and user agents below come from the newest {fmtCount(data.lists_from.events)} of {fmtCount(data.events)} events: their counts and first-seen
          times leave older events out (narrow the time range to see those).
        </p>
      )}
      <section>
        <h2>Users</h2>
        <SortedGrid
          columns={USER_COLUMNS}
          rows={data.users}
          rowKey={(u) => u.id ?? 'none'}
          testId="ip-users"
          row={(u) => (
            <>
              <td>{u.id ? <Link to={userPath(u.id)}><SafeText text={userLabel(u)} /></Link> : '(no actor)'}</td>
              <td><SafeText text={u.email} /></td>
              <td>{fmtCount(u.count)}</td>
              <td className="mono nowrap">{fmtTime(u.first_seen)}</td>
              <td className="mono nowrap">{fmtTime(u.last_seen)}</td>
            </>
          )}
        />
        <MoreNote truncated={data.users_truncated} shown={data.users.length} what="users" to={events} toLabel="all events from this IP" />
      </section>
      <section>
        <h2>User agents from this IP</h2>
        <SortedGrid
          columns={UA_COLUMNS}
          rows={data.user_agents}
          rowKey={(u) => u.ua}
          testId="ip-user-agents"
          row={(u) => (
            <>
              <td className="ua wrap" title={visibleText(u.ua)}><SafeText text={u.ua} /></td>
              <td><ExpectedTag expected={u.expected} /></td>
              <td>{fmtCount(u.count)}</td>
              <td className="mono nowrap">{fmtTime(u.first_seen)}</td>
              <td className="mono nowrap">{fmtTime(u.last_seen)}</td>
            </>
          )}
        />
        <MoreNote truncated={data.user_agents_truncated} shown={data.user_agents.length} what="user agents" />
      </section>
    </div>
  );
}
