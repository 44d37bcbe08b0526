// A user's active Slack sessions (`admin.users.session.list`, through GET /respond/sessions/:id) beside the sessions
// the stored audit log saw, with "End this session" (confirmation and reason) on each active one.
import { useState } from 'react';
import { api } from '../../api.ts';
import { fmtTime } from '../../format.ts';
import { useApi } from '../../hooks.ts';
import { GridTable } from '../GridTable.tsx';
import { IpText, SafeText } from '../SafeText.tsx';
import { useOnActed, useResponseCall } from './acted.ts';
import { Dialog, Outcome, ReasonField } from './Dialog.tsx';
import type { ActionResult, Preflight, SessionList } from './types.ts';

type Active = SessionList['sessions'][number];

/** A time (ISO or Unix seconds), or an object such as Slack's `created`/`recent` client info, as one line. */
function when(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'number' || typeof v === 'string') return fmtTime(v);
  return Object.values(v as Record<string, unknown>).filter((x) => x !== null && x !== '').join(' · ');
}

/** Addresses as IP links, comma-separated. */
function Ips({ ips }: { ips: readonly string[] }) {
  return (
    <>
      {ips.map((ip, i) => (
        <span key={ip}>
          {i ? ', ' : ''}
          <IpText ip={ip} />
        </span>
      ))}
    </>
  );
}

function EndSessionDialog({ userId, session, onClose }: { userId: string; session: Active; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const { run: go, busy, result } = useResponseCall(() =>
    api.post<ActionResult>('/respond/end-session', { user_id: userId, session_id: session.session_id, reason: reason.trim() || undefined }),
  );
  return (
    <Dialog title="End this Slack session" onClose={onClose} testId="end-session-dialog">
      <dl className="facts">
        <dt>User</dt>
        <dd className="mono">
          <SafeText text={userId} />
        </dd>
        <dt>Session</dt>
        <dd className="mono">
          <SafeText text={session.session_id} />
        </dd>
        <dt>Device</dt>
        <dd>
          <SafeText text={[session.device, session.os, session.client_version].filter(Boolean).join(' · ')} /> <IpText ip={session.ip} />
        </dd>
      </dl>
      {!result && <ReasonField value={reason} onChange={setReason} />}
      {result && <Outcome result={result} />}
      <div className="buttons">
        <button type="button" className="btn" onClick={onClose}>
          {result ? 'Close' : 'Cancel'}
        </button>
        {!result && (
          <button type="button" className="btn primary" disabled={busy} onClick={go}>
            End the session
          </button>
        )}
      </div>
    </Dialog>
  );
}

/**
 * The sessions section of a user page (responders and admins: it calls Slack's admin API).
 *
 * @example <SessionsPanel userId={s.user.id} />
 */
export function SessionsPanel({ userId }: { userId: string }) {
  // Without an admin token the server cannot ask Slack: say so instead of making a call that must fail.
  const pre = useApi<Preflight>(`/respond/preflight/${encodeURIComponent(userId)}`);
  const list = useApi<SessionList>(pre.data?.configured ? `/respond/sessions/${encodeURIComponent(userId)}` : null);
  const [ending, setEnding] = useState<Active | null>(null);
  const active = new Set(list.data?.sessions.map((s) => s.session_id) ?? []);
  useOnActed(list.reload);
  const close = () => setEnding(null);
  return (
    <section data-testid="user-sessions">
      <h2>Sessions</h2>
      {pre.error && <p className="error">{pre.error.message}</p>}
      {pre.data && !pre.data.configured && <p className="muted">The server has no Slack admin token (SLACK_ADMIN_TOKEN): Slack's active sessions cannot be listed.</p>}
      {list.error && <p className="error">Slack's active sessions: {list.error.message}</p>}
      {list.data && (
        <>
          <h3>Active in Slack ({list.data.sessions.length})</h3>
          <GridTable columns={['Session', 'Device', 'IP', 'Created', 'Recent', 'Seen in the audit log', '']} testId="slack-sessions">
            {list.data.sessions.map((s) => (
              <tr key={s.session_id}>
                <td className="mono"><SafeText text={s.session_id} /></td>
                <td><SafeText text={[s.device, s.os, s.client_version].filter(Boolean).join(' · ')} /></td>
                <td className="mono"><IpText ip={s.ip} /></td>
                <td className="mono"><SafeText text={when(s.created)} /></td>
                <td className="mono"><SafeText text={when(s.recent)} /></td>
                <td>
                  {s.store ? (
                    <>
                      <span className="mono nowrap">{fmtTime(s.store.first_seen)} → {fmtTime(s.store.last_seen)}</span> <Ips ips={s.store.ips} />
                    </>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td>
                  <button type="button" className="btn small danger" onClick={() => setEnding(s)}>
                    End this session
                  </button>
                </td>
              </tr>
            ))}
          </GridTable>
          {list.data.sessions.length === 0 && <p className="muted">Slack lists no active session for this user.</p>}
          <h3>Seen in the audit log ({list.data.audit_sessions.length})</h3>
          <GridTable columns={['Session', 'First seen', 'Last seen', 'IPs', 'User agents', 'Active in Slack']} testId="audit-sessions">
            {list.data.audit_sessions.map((s) => (
              <tr key={s.session_id}>
                <td className="mono"><SafeText text={s.session_id} /></td>
                <td className="mono nowrap">{fmtTime(s.first_seen)}</td>
                <td className="mono nowrap">{fmtTime(s.last_seen)}</td>
                <td className="mono"><Ips ips={s.ips} /></td>
                <td className="ellipsis ua">{s.user_agents.map((u) => <div key={u}><SafeText text={u} /></div>)}</td>
                <td>{active.has(s.session_id) ? <span className="tag tag-warn">active</span> : <span className="tag tag-neutral">ended or unknown</span>}</td>
              </tr>
            ))}
          </GridTable>
        </>
      )}
      {ending && <EndSessionDialog userId={userId} session={ending} onClose={close} />}
    </section>
  );
}
