// The Actions view: the action log (every sign-out, ended session and allowlist change, done or not), newest first,
// filterable by user, action and status, a page at a time with the total. Filters and page live in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import { ActionsTable } from '../components/respond/ActionsTable.tsx';
import type { ActionList } from '../components/respond/types.ts';
import { fmtCount } from '../format.ts';
import { useApi } from '../hooks.ts';
import { setParams, useLocation } from '../router.tsx';

/** Records per page. */
const PAGE = 50;
const ACTIONS = ['sign-out', 'end-session', 'allowlist.add', 'allowlist.remove'];
/** The action log's statuses (src/store/actions.ts `ActionStatus`). */
const STATUSES = ['done', 'failed', 'refused', 'dry_run', 'proposed', 'approved', 'cancelled'];

export default function Actions() {
  const { params } = useLocation();
  const n = Number(params.get('page'));
  const page = Number.isInteger(n) && n > 1 ? n : 1;
  const filter = { user: params.get('user') ?? undefined, action: params.get('action') ?? undefined, status: params.get('status') ?? undefined };
  const list = useApi<ActionList>('/action-log', { ...filter, limit: PAGE, offset: (page - 1) * PAGE });
  const [user, setUser] = useState(filter.user ?? '');
  useEffect(() => setUser(params.get('user') ?? ''), [params.get('user')]);
  const set = (update: Record<string, string | null>) => setParams({ ...update, page: null });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    set({ user: user.trim() || null });
  };
  const total = list.data?.total ?? 0;
  const shown = list.data?.actions.length ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const from = (page - 1) * PAGE;
  const go = (p: number) => setParams({ page: p > 1 ? String(p) : null });
  return (
    <div className="page actions-page" data-testid="actions-page">
      <h1>Actions</h1>
      <p className="muted">Every sign-out, ended session and allowlist change gridwatch made or was asked to make, newest first.</p>
      <form className="filters filter-row" onSubmit={apply} aria-label="Action filters">
        <label>
          <span>User</span>
          <input aria-label="User" placeholder="user id" value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <label>
          <span>Action</span>
          <select aria-label="Action" value={filter.action ?? ''} onChange={(e) => set({ action: e.target.value || null })}>
            <option value="">any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Status</span>
          <select aria-label="Status" value={filter.status ?? ''} onChange={(e) => set({ status: e.target.value || null })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{s.replace('_', ' ')}</option>
            ))}
          </select>
        </label>
        <button className="btn primary" type="submit">
          Apply
        </button>
      </form>
      {list.error && <p className="error">{list.error.message}</p>}
      {list.data && (
        <div className="pager" data-testid="actions-pager">
          <button type="button" className="btn small" disabled={page <= 1} onClick={() => go(page - 1)}>
            ← Newer
          </button>
          <span className="muted" data-testid="actions-count">
            {shown ? `${fmtCount(from + 1)}–${fmtCount(from + shown)} of ${fmtCount(total)} actions` : `${fmtCount(total)} actions`} · page {fmtCount(page)} of {fmtCount(pages)}
            {list.loading ? ' · loading…' : ''}
          </span>
          <button type="button" className="btn small" disabled={page >= pages} onClick={() => go(page + 1)}>
            Older →
          </button>
        </div>
      )}
      {list.data && <ActionsTable actions={list.data.actions} testId="actions-table" />}
      {list.data && !shown && <p className="empty">{total ? 'No actions on this page.' : 'No actions match.'}</p>}
    </div>
  );
}
