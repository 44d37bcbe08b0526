// "Never alert on this for this user / app / IP": the count of stored alerts it would have suppressed is shown
// (POST …/exception/preview) before an admin saves it into the config (POST …/exception).
import { useState } from 'react';
import type { ExceptionPreviewJson } from '../../../../src/server/api-types.ts';
import { api } from '../../api.ts';
import { fmtCount } from '../../format.ts';
import { useSubmit } from '../../hooks.ts';

type Kind = 'user' | 'app' | 'ip';

export function ExceptionForm(props: { alertId: string; role: string; defaults: Partial<Record<Kind, string>> }) {
  const [kind, setKind] = useState<Kind>(props.defaults.user ? 'user' : props.defaults.ip ? 'ip' : 'app');
  const [value, setValue] = useState(props.defaults[kind] ?? '');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const [preview, setPreview] = useState<ExceptionPreviewJson | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const body = () => ({ kind, value, reason, ...(expires.trim() ? { expires: expires.trim() } : {}) });
  const base = `/alerts/${encodeURIComponent(props.alertId)}/exception`;
  const check = useSubmit(async () => {
    setSaved(null);
    setPreview(await api.post<ExceptionPreviewJson>(`${base}/preview`, body()));
  });
  const save = useSubmit(async () => {
    const r = await api.post<{ saved_in: string }>(base, body());
    setSaved(`Saved in ${r.saved_in}; detection applies it from its next run.`);
    setPreview(null);
  });
  if (props.role !== 'responder' && props.role !== 'admin') return null;
  const changed = () => setPreview(null);
  return (
    <section data-testid="exception-form">
      <h3>Never alert on this for…</h3>
      <form className="inline-form" onSubmit={check.submit}>
        <select
          value={kind}
          aria-label="exception for"
          onChange={(e) => {
            const k = e.target.value as Kind;
            setKind(k);
            setValue(props.defaults[k] ?? '');
            changed();
          }}
        >
          <option value="user">this user</option>
          <option value="app">this app</option>
          <option value="ip">this IP or network</option>
        </select>
        <input aria-label="value" value={value} onChange={(e) => (setValue(e.target.value), changed())} placeholder="id, name or CIDR" />
        <input aria-label="reason" value={reason} onChange={(e) => (setReason(e.target.value), changed())} placeholder="why (required)" />
        <input aria-label="expires" value={expires} onChange={(e) => (setExpires(e.target.value), changed())} placeholder="expires: 30d (optional)" size={14} />
        <button type="submit" className="btn small" disabled={check.busy || !value.trim() || !reason.trim()}>
          Preview
        </button>
      </form>
      {check.error && <p className="error">{check.error}</p>}
      {preview && (
        <div data-testid="exception-preview">
          <p>
            Would have suppressed <strong>{fmtCount(preview.would_suppress)}</strong> of {fmtCount(preview.total)} stored alerts of <span className="mono">{preview.rule}</span>.
          </p>
          {props.role === 'admin' ? (
            <form onSubmit={save.submit}>
              <button type="submit" className="btn small danger" disabled={save.busy}>
                Save the exception in the config
              </button>
            </form>
          ) : (
            <p className="muted">Saving edits the server's configuration: an admin can save it.</p>
          )}
          {save.error && <p className="error">{save.error}</p>}
        </div>
      )}
      {saved && <p className="note">{saved}</p>}
    </section>
  );
}
