// An IP address: which users used it and when, the clients seen from it, and whether it is trusted.
import { ExpectedTag, Tag } from '../components/Badges.tsx';
import { GridTable } from '../components/GridTable.tsx';
import { MoreNote } from '../components/MoreNote.tsx';
import { ResponseSlot } from '../components/ResponseSlot.tsx';
import { SafeText } from '../components/SafeText.tsx';
import { fmtCount, fmtTime, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, userPath } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { IpSummary } from '../types.ts';
import { visibleText } from '../untrusted.ts';

export default function IpPage({ ip }: { ip: string }) {
  const me = useSession();
  const { data, error } = useApi<IpSummary>(`/ips/${encodeURIComponent(ip)}`);
  if (error) return <div className="page"><h1 className="mono"><SafeText text={ip} /></h1><p className="error">{error.message}</p></div>;
  if (!data) return <div className="page"><p className="muted">Loading…</p></div>;
  return (
    <div className="page ip-page" data-testid="ip-page">
      <h1 className="mono"><SafeText text={data.ip} /></h1>
      <ResponseSlot target={{ ip: data.ip, asn: data.asn?.asn ?? null }} role={me.role} />
      <p>
        {data.trusted.trusted ? <Tag kind="good">{`trusted (${data.trusted.match ?? data.trusted.by})`}</Tag> : <Tag kind="warn">not trusted</Tag>}
        {data.vpn && <Tag kind="good">{`VPN ${data.vpn}`}</Tag>}
        {data.threat_intel?.listed ? <Tag kind="bad">{`threat intel: ${data.threat_intel.entry ?? 'listed'}`}</Tag> : null}
        {data.asn ? <Tag>{`AS${data.asn.asn} ${data.asn.name ?? ''}`}</Tag> : null}
        {data.country ? <Tag>{data.country}</Tag> : null}
        <span className="muted">
          {' '}
          {fmtCount(data.events)} events · {fmtTime(data.first_seen)} → {fmtTime(data.last_seen)} UTC ·{' '}
          <Link to={`/events?ip=${encodeURIComponent(data.ip)}`}>all events from this IP</Link>
        </span>
      </p>
      {data.lists_from.partial && (
        <p className="muted" data-testid="ip-lists-partial">
          Users and user agents below come from the newest {fmtCount(data.lists_from.events)} of {fmtCount(data.events)} events: their counts and first-seen
          times leave older events out (narrow the time range to see those).
        </p>
      )}
      <section>
        <h2>Users</h2>
        <GridTable columns={['User', 'Email', 'Events', 'First seen', 'Last seen']} testId="ip-users">
          {data.users.map((u) => (
            <tr key={u.id ?? 'none'}>
              <td>{u.id ? <Link to={userPath(u.id)}><SafeText text={userLabel(u)} /></Link> : '(no actor)'}</td>
              <td><SafeText text={u.email} /></td>
              <td>{fmtCount(u.count)}</td>
              <td className="mono nowrap">{fmtTime(u.first_seen)}</td>
              <td className="mono nowrap">{fmtTime(u.last_seen)}</td>
            </tr>
          ))}
        </GridTable>
        <MoreNote truncated={data.users_truncated} shown={data.users.length} what="users" to={`/events?ip=${encodeURIComponent(data.ip)}`} toLabel="all events from this IP" />
      </section>
      <section>
        <h2>User agents from this IP</h2>
        <GridTable>
          {data.user_agents.map((u) => (
            <tr key={u.ua}>
              <td className="ellipsis ua" title={visibleText(u.ua)}><SafeText text={u.ua} /></td>
              <td><ExpectedTag expected={u.expected} /></td>
              <td>{fmtCount(u.count)}</td>
              <td className="mono nowrap">{fmtTime(u.first_seen)} → {fmtTime(u.last_seen)}</td>
            </tr>
          ))}
        </GridTable>
        <MoreNote truncated={data.user_agents_truncated} shown={data.user_agents.length} what="user agents" />
      </section>
    </div>
  );
}
