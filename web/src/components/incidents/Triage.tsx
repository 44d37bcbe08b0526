// The incident's decisions beside its story: status (with a note; it applies to every alert of the incident),
// assignee (assign to me, or an account by name; admins pick from the accounts list), and the history of both.
import { useState } from 'react';
import { api } from '../../api.ts';
import { fmtTime } from '../../format.ts';
import { useApi, useSubmit } from '../../hooks.ts';
import { canRespond, useSession } from '../../session.tsx';
import type { Account, AlertStatus } from '../../types.ts';
import { StatusBadge } from '../Badges.tsx';
import { SafeText } from '../SafeText.tsx';
import { StatusNoteForm } from '../triage/StatusNoteForm.tsx';
import type { IncidentChange, IncidentJson } from './types.ts';

const base = (id: string) => `/incidents/${encodeURIComponent(id)}`;

const STATUS_LABELS = { form: "Change the incident's status", status: 'Incident status', note: 'Status note', submit: 'Set status' };

function AssignForm({ incident, onSaved }: { incident: IncidentJson; onSaved: () => void }) {
  const me = useSession();
  // Only admins may list accounts; others name one (the server checks that it exists).
  const accounts = useApi<{ accounts: Account[] }>(me.role === 'admin' ? '/accounts' : null);
  const [name, setName] = useState('');
  const [failed, setFailed] = useState<string | null>(null);
  const assign = async (assignee: string | null) => {
    setFailed(null);
    try {
      await api.post(`${base(incident.id)}/assign`, { assignee });
      setName('');
      onSaved();
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e));
    }
  };
  const { submit, busy } = useSubmit(() => assign(name.trim()));
  return (
    <>
      <div className="side-form">
        {incident.assignee?.toLowerCase() !== me.name.toLowerCase() && (
          <button type="button" className="btn small" onClick={() => assign(me.name)}>
            Assign to me
          </button>
        )}
        {incident.assignee && (
          <button type="button" className="btn small" onClick={() => assign(null)}>
            Unassign
          </button>
        )}
      </div>
      <form className="side-form" onSubmit={submit} aria-label="Assign">
        <input aria-label="Assignee" placeholder="account name" list="incident-accounts" value={name} onChange={(e) => setName(e.target.value)} />
        <datalist id="incident-accounts">
          {(accounts.data?.accounts ?? []).map((a) => (
            <option key={a.name} value={a.name}>
              {a.role}
            </option>
          ))}
        </datalist>
        <button type="submit" className="btn small" disabled={busy || !name.trim()}>
          Assign
        </button>
      </form>
      {failed && <p className="error">{failed}</p>}
    </>
  );
}

/** Every status change and assignment, oldest first. */
function History({ incident, history }: { incident: IncidentJson; history: IncidentChange[] }) {
  return (
    <ol className="alert-history" data-testid="incident-history">
      <li>
        <span className="mono nowrap">{fmtTime(incident.created_at)}</span> <span className="muted">opened by gridwatch</span>
      </li>
      {history.map((h, i) => (
        <li key={i}>
          <span className="mono nowrap">{fmtTime(h.at)}</span>
          {h.field === 'status' ? <StatusBadge status={h.value as AlertStatus} /> : <span>{h.value ? <>assigned to <SafeText text={h.value} /></> : 'unassigned'}</span>}
          <span className="muted">by {h.by ? <SafeText text={h.by} /> : 'someone unknown'}</span>
          {h.note && <SafeText className="history-note" text={h.note} />}
        </li>
      ))}
    </ol>
  );
}

/**
 * Status, assignee and history of an incident; the forms only for responders and admins.
 *
 * @example <Triage incident={d.incident} history={d.history} onSaved={reload} />
 */
export function Triage({ incident, history, onSaved }: { incident: IncidentJson; history: IncidentChange[]; onSaved: () => void }) {
  const me = useSession();
  const responder = canRespond(me.role);
  return (
    <section data-testid="incident-triage">
      <h3>Status</h3>
      <p>
        <StatusBadge status={incident.status} /> <span className="muted">applies to its {incident.alert_ids.length} alert{incident.alert_ids.length === 1 ? '' : 's'}</span>
      </p>
      {responder && (
        <StatusNoteForm
          key={`${incident.status}${incident.updated_at}`}
          path={`${base(incident.id)}/status`}
          status={incident.status}
          clearNote
          labels={STATUS_LABELS}
          className="side-form"
          onSaved={onSaved}
        />
      )}
      <h3>Assignee</h3>
      <p data-testid="incident-assignee">{incident.assignee ? <SafeText text={incident.assignee} /> : <span className="muted">unassigned</span>}</p>
      {responder ? <AssignForm incident={incident} onSaved={onSaved} /> : <p className="muted">Viewers cannot change an incident.</p>}
      <h3>History</h3>
      <History incident={incident} history={history} />
    </section>
  );
}
