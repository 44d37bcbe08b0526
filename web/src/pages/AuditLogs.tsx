// The Audit Logs view: filters (in the URL), the volume histogram (drag to zoom), and the events newest first,
// a page at a time by keyset cursor (fast at any depth, on millions of events).
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { qs } from '../api.ts';
import { EventFilters, filtersOf } from '../components/EventFilters.tsx';
import { EventTable } from '../components/EventTable.tsx';
import { fmtCount, fmtTime, isoOf } from '../format.ts';
import { useApi } from '../hooks.ts';
import { setParams, useLocation } from '../router.tsx';
import type { EventPage, Volume } from '../types.ts';

const Histogram = lazy(() => import('../charts/Histogram.tsx'));
const PAGE = 100;

export function AuditLogs() {
  const { params } = useLocation();
  const filters = filtersOf(params);
  const key = JSON.stringify(filters);
  // Cursors of the pages before the current one, per filter set: a new filter starts again at the newest events.
  const [paging, setPaging] = useState<{ key: string; stack: Array<string | undefined> }>({ key, stack: [undefined] });
  const stack = paging.key === key ? paging.stack : [undefined];
  const cursor = stack[stack.length - 1];
  const page = useApi<EventPage>('/events', { ...filters, limit: PAGE, cursor });
  const vol = useApi<Volume>('/stats/volume', { ...filters, buckets: 120 });
  const onBrush = useCallback((since: number, until: number) => setParams({ since: isoOf(since), until: isoOf(until), event: null }), []);
  const selected = params.get('event');
  const pageNo = stack.length;
  const rangeText = useMemo(() => (vol.data ? `${fmtTime(vol.data.since)} → ${fmtTime(vol.data.until)} UTC` : ''), [vol.data]);

  // The same pager above and below the table: a long page need not be scrolled back up.
  const nav = (
    <>
      <button type="button" className="btn small" disabled={pageNo <= 1} onClick={() => setPaging({ key, stack: [undefined] })}>
        Newest
      </button>
      <button type="button" className="btn small" disabled={pageNo <= 1} onClick={() => setPaging({ key, stack: stack.slice(0, -1) })}>
        ← Newer
      </button>
      <span className="muted">
        page {pageNo}
        {page.loading ? ' · loading…' : ''}
      </span>
      <button
        type="button"
        className="btn small"
        disabled={!page.data?.next}
        onClick={() => page.data?.next && setPaging({ key, stack: [...stack, page.data.next] })}
      >
        Older →
      </button>
    </>
  );

  return (
    <div className="page audit-logs">
      <h1>Audit Logs</h1>
      <EventFilters />
      <section className="histogram-box">
        <div className="histogram-head">
          <span>
            {vol.data ? (
              <>
                <strong data-testid="total-events">{fmtCount(vol.data.total)}</strong> events · {rangeText}
              </>
            ) : (
              'Counting…'
            )}
          </span>
          <span className="muted">
            drag across the chart to zoom{vol.data?.text_ignored ? ' · the chart ignores the text filter' : ''}
          </span>
        </div>
        {vol.error && <p className="error">{vol.error.message}</p>}
        <Suspense fallback={<div className="chart placeholder" />}>{vol.data ? <Histogram volume={vol.data} onBrush={onBrush} /> : <div className="chart placeholder" />}</Suspense>
      </section>
      {page.error && <p className="error">{page.error.message}</p>}
      <div className="pager" data-testid="events-pager-top">
        {nav}
        <span className="export" aria-label="Export">
          {/* The whole filtered set, streamed by the server (any size): a plain download link carries the session cookie. */}
          <a className="btn small" href={`/api/v1/events/export${qs({ ...filters, format: 'csv' })}`} download>
            Export CSV
          </a>
          <a className="btn small" href={`/api/v1/events/export${qs({ ...filters, format: 'jsonl' })}`} download>
            Export JSON Lines
          </a>
        </span>
        {page.data?.partial && page.data.searched_until && (
          <span className="muted">text search paused at {fmtTime(page.data.searched_until)}: “Older” searches further back</span>
        )}
      </div>
      {page.data && <EventTable events={page.data.events} selected={selected} onOpen={(id) => setParams({ event: id })} />}
      {page.data && page.data.events.length > 0 && (
        <div className="pager" data-testid="events-pager-bottom">
          {nav}
        </div>
      )}
    </div>
  );
}
