// A status picked from ALERT_STATUSES with an optional note, posted as { status, note } (an empty note is null): the
// form on an alert and on an incident (where the status goes to every alert of the incident).
import { useState } from 'react';
import { api } from '../../api.ts';
import { useSubmit } from '../../hooks.ts';
import { ALERT_STATUSES, type AlertStatus } from '../../types.ts';

/** Accessible names of the form's parts: the alert and incident pages name theirs differently (tests find them). */
export interface StatusNoteLabels {
  form: string;
  status: string;
  note: string;
  submit: string;
}

/**
 * Change a status with a note. Remount it (a `key` from the saved status) to start again from what was saved.
 *
 * @example
 * <StatusNoteForm path={`/alerts/${encodeURIComponent(a.id)}/status`} status={a.status} note={a.status_note}
 *   labels={{ form: 'Change status', status: 'Status', note: 'Note', submit: 'Save status' }} onSaved={reload} />
 */
export function StatusNoteForm({
  path,
  status,
  note,
  clearNote = false,
  labels,
  className = 'status-form',
  onSaved,
}: {
  /** Where the { status, note } body is POSTed. */
  path: string;
  status: AlertStatus;
  /** The note to start from (an alert shows its current one). */
  note?: string | null;
  /** Empty the note once saved (an incident's notes go to its history, not to a field that stays). */
  clearNote?: boolean;
  labels: StatusNoteLabels;
  className?: string;
  onSaved: () => void;
}) {
  const [value, setValue] = useState<AlertStatus>(status);
  const [text, setText] = useState(note ?? '');
  const { submit, busy, error } = useSubmit(async () => {
    await api.post(path, { status: value, note: text.trim() || null });
    if (clearNote) setText('');
    onSaved();
  });
  return (
    <form className={className} onSubmit={submit} aria-label={labels.form}>
      <select aria-label={labels.status} value={value} onChange={(e) => setValue(e.target.value as AlertStatus)}>
        {ALERT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.replace('_', ' ')}
          </option>
        ))}
      </select>
      <input aria-label={labels.note} placeholder="note (optional)" value={text} maxLength={2000} onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="btn primary small" disabled={busy}>
        {labels.submit}
      </button>
      {error && <span className="error">{error}</span>}
    </form>
  );
}
