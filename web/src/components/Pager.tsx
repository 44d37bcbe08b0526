// A page-at-a-time pager for lists with a total (alerts, incidents): the page number lives in the URL (`?page=3`).
import { fmtCount } from '../format.ts';
import { setParams } from '../router.tsx';

/**
 * The 1-based page number of the URL (`?page=3`); anything else is the first page.
 *
 * @example pageOf(new URLSearchParams('page=3')) // 3
 */
export function pageOf(params: URLSearchParams): number {
  const n = Number(params.get('page'));
  return Number.isInteger(n) && n > 1 ? n : 1;
}

/**
 * Which items of how many are shown, and the buttons to the other pages. Changing page closes the open alert.
 *
 * @example <Pager page={page} size={50} total={list.total} shown={list.alerts.length} loading={false} noun="alerts" />
 */
export function Pager({ page, size, total, shown, loading, noun }: { page: number; size: number; total: number; shown: number; loading: boolean; noun: string }) {
  const pages = Math.max(1, Math.ceil(total / size));
  const from = (page - 1) * size;
  const go = (p: number) => setParams({ page: p > 1 ? String(p) : null, alert: null });
  return (
    <div className="pager" data-testid={`${noun}-pager`}>
      <button type="button" className="btn small" disabled={page <= 1} onClick={() => go(1)}>
        Newest
      </button>
      <button type="button" className="btn small" disabled={page <= 1} onClick={() => go(page - 1)}>
        ← Newer
      </button>
      <span className="muted" data-testid={`${noun}-count`}>
        {shown ? `${fmtCount(from + 1)}–${fmtCount(from + shown)} of ${fmtCount(total)} ${noun}` : `${fmtCount(total)} ${noun}`} · page {fmtCount(page)} of {fmtCount(pages)}
        {loading ? ' · loading…' : ''}
      </span>
      <button type="button" className="btn small" disabled={page >= pages} onClick={() => go(page + 1)}>
        Older →
      </button>
    </div>
  );
}
