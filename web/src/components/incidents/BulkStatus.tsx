// Acknowledge or resolve the selected incidents at once (`POST /incidents/status`): responders and admins only, the
// server applies the status to every alert of each incident.
import { useRef, useState } from 'react';
import { api } from '../../api.ts';
import { useSubmit } from '../../hooks.ts';
import type { AlertStatus } from '../../types.ts';
import type { IncidentJson } from './types.ts';

/**
 * The bar above the incidents list when some are selected.
 *
 * @example <BulkStatus ids={[...selected]} onDone={() => { setSelected(new Set()); list.reload(); }} />
 */
export function BulkStatus({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const [note, setNote] = useState('');
  // Which button submitted: a ref, read when the submit event runs (a state update would land a render too late).
  const target = useRef<AlertStatus>('acknowledged');
  const [done, setDone] = useState<string | null>(null);
  const { submit, busy, error } = useSubmit(async () => {
    const r = await api.post<{ incidents: IncidentJson[]; missing: string[] }>('/incidents/status', { ids, status: target.current, note: note.trim() || null });
    setDone(`${r.incidents.length} incident${r.incidents.length === 1 ? '' : 's'} set to ${target.current}${r.missing.length ? ` (${r.missing.length} no longer exist)` : ''}`);
    setNote('');
    onDone();
  });
  return (
    <form className="status-form bulk-status" onSubmit={submit} aria-label="Bulk status" data-testid="incidents-bulk">
      <span>{ids.length ? `${ids.length} selected` : 'Select incidents to acknowledge or resolve them'}</span>
      <input aria-label="Bulk note" placeholder="note (optional)" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} disabled={!ids.length} />
      <button type="submit" className="btn small" disabled={busy || !ids.length} onClick={() => (target.current = 'acknowledged')}>
        Acknowledge
      </button>
      <button type="submit" className="btn primary small" disabled={busy || !ids.length} onClick={() => (target.current = 'resolved')}>
        Resolve
      </button>
      {error && <span className="error">{error}</span>}
      {done && !error && <span className="muted" role="status">{done}</span>}
    </form>
  );
}
