// One alert in full: what fired and why, its status (changeable by responders, with a note) and every status change
// before it (who, when, note), and its context: the IPs and user agents involved (new? trusted? expected?), the
// files downloaded around it, related events, and whether Slack already signed the user out. Triggering events
// open with the firing fields highlighted. Everything from the audit log is shown through SafeText / IpText.
import { fmtTime, userLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, setParams, userPath } from '../router.tsx';
import { canRespond, useSession } from '../session.tsx';
import type { AlertDetail, AlertStatusChange } from '../types.ts';
import { visibleText } from '../untrusted.ts';
import { ExpectedTag, NewTag, Reasons, SeverityBadge, StatusBadge, Tag, TrustTag } from './Badges.tsx';
import { GridTable } from './GridTable.tsx';
import { JsonView } from './JsonView.tsx';
import { ResponseSlot } from './ResponseSlot.tsx';
import { useOnActed } from './respond/acted.ts';
import { ActionsSection } from './respond/ActionsTable.tsx';
import type { AlertRespondFields } from './respond/types.ts';
import { IpText, SafeText } from './SafeText.tsx';
import { ExceptionForm } from './triage/ExceptionForm.tsx';
import { RuleInfo } from './triage/RuleInfo.tsx';
import { StatusNoteForm } from './triage/StatusNoteForm.tsx';

const openEvent = (id: string) => setParams({ event: id });

const STATUS_LABELS = { form: 'Change status', status: 'Status', note: 'Note', submit: 'Save status' };

function Facts({ facts }: { facts: Record<string, unknown> }) {
  const entries = Object.entries(facts);
  if (!entries.length) return null;
  return (
    <dl className="facts">
      {entries.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k.replace(/_/g, ' ')}</dt>
          <dd className="mono">
            <SafeText text={typeof v === 'object' ? JSON.stringify(v) : String(v)} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Every status change, oldest first: the notes of all responders, not just the last one. */
function History({ createdAt, history }: { createdAt: string; history: AlertStatusChange[] }) {
  return (
    <section>
      <h3>History</h3>
      <ol className="alert-history" data-testid="alert-history">
        <li>
          <span className="mono nowrap">{fmtTime(createdAt)}</span> <span className="muted">raised by gridwatch</span>
        </li>
        {history.map((h, i) => (
          <li key={i}>
            <span className="mono nowrap">{fmtTime(h.at)}</span> <StatusBadge status={h.status} />
            <span className="muted">by {h.by ? <SafeText text={h.by} /> : 'someone unknown'}</span>
            {h.note && <SafeText className="history-note" text={h.note} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

export default function AlertDetails({ id }: { id: string }) {
  const me = useSession();
  const { data, error, reload } = useApi<AlertDetail & AlertRespondFields>(`/alerts/${encodeURIComponent(id)}`);
  // A sign-out or trust from this panel changes its proposal and its actions.
  useOnActed(reload);
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const a = data.alert;
  const ctx = a.context;
  return (
    <div className="alert-details" data-testid="alert-details">
      <h2>
        <SeverityBadge severity={a.severity} /> <SafeText text={a.title} />
      </h2>
      <div className="alert-meta">
        <StatusBadge status={a.status} />
        <span className="mono">{a.rule}</span>
        {a.user_id && (
          <Link to={userPath(a.user_id)}>
            <SafeText text={userLabel({ id: a.user_id, name: a.user_name, email: a.user_email })} />
          </Link>
        )}
        <span className="muted">
          {fmtTime(a.first_ts)} → {fmtTime(a.last_ts)} UTC · {a.event_count} event{a.event_count === 1 ? '' : 's'}
        </span>
        {a.tags.map((t) => (
          <Tag key={t}>{t}</Tag>
        ))}
      </div>
      <ResponseSlot target={{ userId: a.user_id, alertId: a.id, ip: ctx.ips[0]?.ip ?? null, asn: ctx.ips[0]?.asn?.asn ?? null, proposal: data.proposal }} role={me.role} />
      {canRespond(me.role) ? (
        <StatusNoteForm
          key={`${a.status}${a.status_note}`}
          path={`/alerts/${encodeURIComponent(a.id)}/status`}
          status={a.status}
          note={a.status_note}
          labels={STATUS_LABELS}
          onSaved={reload}
        />
      ) : (
        <p className="muted">Viewers cannot change an alert's status.</p>
      )}
      {a.status_note && (
        <p className="note">
          Note{a.status_by ? ` by ${visibleText(a.status_by)}` : ''}: <SafeText text={a.status_note} />
        </p>
      )}
      <History createdAt={a.created_at} history={data.history} />
      <ActionsSection actions={data.actions} testId="alert-actions" showAlert={false} />
      <RuleInfo rule={data.rule} />
      <ExceptionForm
        key={a.id}
        alertId={a.id}
        role={me.role}
        defaults={{ user: a.user_id ?? undefined, ip: ctx.ips[0]?.ip ?? undefined, app: data.events.find((e) => e.entity.type === 'app')?.entity.id ?? undefined }}
      />

      <section>
        <h3>Why it fired</h3>
        <p>
          <SafeText text={ctx.summary} />
        </p>
        {ctx.reasons.length > 0 && (
          <p>
            Reasons: <Reasons reasons={ctx.reasons} />
          </p>
        )}
        <Facts facts={ctx.facts} />
        {ctx.aer_reset && (
          <p className="note">
            Slack's Anomaly Event Response signed the user out at {fmtTime(ctx.aer_reset.time)} UTC (
            <a href="#" onClick={(e) => (e.preventDefault(), openEvent(ctx.aer_reset!.event_id))}>
              event
            </a>
            ).
          </p>
        )}
      </section>

      {ctx.ips.length > 0 && (
        <section>
          <h3>IP addresses</h3>
          <GridTable columns={['IP', 'For this user', 'Trust', 'Seen before', 'Notes']} testId="alert-ips">
            {ctx.ips.map((ip) => (
              <tr key={ip.ip}>
                <td className="mono">
                  <IpText ip={ip.ip} />
                </td>
                <td>
                  <NewTag isNew={ip.new_for_user} />
                </td>
                <td>
                  <TrustTag trust={ip.trusted} />
                </td>
                <td className="muted">{ip.history ? `${ip.history.count}× ${fmtTime(ip.history.first_seen)} → ${fmtTime(ip.history.last_seen)}` : 'never'}</td>
                <td>
                  {ip.vpn && <Tag kind="good">{`VPN ${ip.vpn}`}</Tag>}
                  {ip.threat_intel?.listed && <Tag kind="bad">threat intel</Tag>}
                  {ip.asn && <Tag>{`AS${ip.asn.asn}${ip.asn.name ? ` ${ip.asn.name}` : ''}`}</Tag>}
                  {ip.slack_said.map((s) => (
                    <Tag key={s} kind="warn">{`Slack: ${s}`}</Tag>
                  ))}
                </td>
              </tr>
            ))}
          </GridTable>
        </section>
      )}

      {ctx.user_agents.length > 0 && (
        <section>
          <h3>User agents</h3>
          <GridTable columns={['User agent', 'Client', 'Expected', 'For this user']} testId="alert-uas">
            {ctx.user_agents.map((u) => (
              <tr key={u.ua}>
                <td className="mono break">
                  <SafeText text={u.ua} />
                </td>
                <td>
                  <SafeText text={u.name} /> <SafeText text={u.version} /> <SafeText className="muted" text={u.family} />
                </td>
                <td>
                  <ExpectedTag expected={u.expected} />
                </td>
                <td>
                  <NewTag isNew={u.new_for_user} />
                </td>
              </tr>
            ))}
          </GridTable>
        </section>
      )}

      {ctx.downloads && (
        <section>
          <h3>
            Files downloaded {fmtTime(ctx.downloads.window.from)} → {fmtTime(ctx.downloads.window.to)} ({ctx.downloads.count})
          </h3>
          <GridTable columns={['Time (UTC)', 'File', 'User agent', 'IP']} testId="alert-downloads">
            {ctx.downloads.files.map((f) => (
              <tr key={f.event_id} onClick={() => openEvent(f.event_id)}>
                <td className="mono nowrap">{fmtTime(f.time)}</td>
                <td>
                  <SafeText text={f.file_name ?? f.file_id} />
                </td>
                <td className="ellipsis ua" title={visibleText(f.ua)}>
                  <SafeText text={f.ua} />
                </td>
                <td className="mono">
                  <IpText ip={f.ip} />
                </td>
              </tr>
            ))}
          </GridTable>
        </section>
      )}

      <section>
        <h3>
          Triggering events {data.events_truncated && <span className="muted">(newest {data.events.length} shown)</span>}
        </h3>
        <GridTable columns={['Time (UTC)', 'Action', 'Entity', 'Reasons']}>
          {data.events.map((e) => (
            <tr key={e.id} onClick={() => openEvent(e.id)}>
              <td className="mono nowrap">{fmtTime(e.ts)}</td>
              <td className="mono">
                <SafeText text={e.action} />
              </td>
              <td>
                <SafeText text={e.entity.name ?? e.entity.id} />
              </td>
              <td>
                <Reasons reasons={e.reasons} />
              </td>
            </tr>
          ))}
        </GridTable>
      </section>

      {ctx.related.length > 0 && (
        <section>
          <h3>Related events of the user</h3>
          <GridTable columns={['Time (UTC)', 'Action', 'Entity', 'Reasons', 'IP']}>
            {ctx.related.map((r) => (
              <tr key={r.event_id} onClick={() => openEvent(r.event_id)}>
                <td className="mono nowrap">{fmtTime(r.time)}</td>
                <td className="mono">
                  <SafeText text={r.action} />
                </td>
                <td>
                  <SafeText text={r.entity} />
                </td>
                <td>
                  <Reasons reasons={r.reasons ?? []} />
                </td>
                <td className="mono">
                  <IpText ip={r.ip} />
                </td>
              </tr>
            ))}
          </GridTable>
        </section>
      )}

      {ctx.slack.length > 0 && (
        <section>
          <h3>What Slack said</h3>
          <JsonView raw={JSON.stringify(ctx.slack)} />
        </section>
      )}
    </div>
  );
}
