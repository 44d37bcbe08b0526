// The side panel for full details, driven by the URL (`?event=<id>` or `?alert=<id>`) so it can be shared and the
// back button closes it.
import { lazy, Suspense, useEffect } from 'react';
import { setParams, useLocation } from '../router.tsx';
import { EventDetails } from './EventDetails.tsx';

// The alert view is only needed once an alert is opened: keep it out of the first page load.
const AlertDetails = lazy(() => import('./AlertDetails.tsx'));

export function DetailsPanel() {
  const { params } = useLocation();
  const event = params.get('event');
  const alert = params.get('alert');
  const open = !!(event || alert);
  useEffect(() => {
    if (!open) return;
    const key = (e: KeyboardEvent) => e.key === 'Escape' && setParams({ event: null, alert: null });
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [open]);
  if (!open) return null;
  return (
    <aside className="details-panel" aria-label="Details" data-testid="details-panel">
      <div className="panel-bar">
        {event && alert ? (
          <button type="button" className="btn small" onClick={() => setParams({ event: null })}>
            ← Back to alert
          </button>
        ) : (
          <span />
        )}
        <button type="button" className="btn small" aria-label="Close details" onClick={() => setParams({ event: null, alert: null })}>
          Close ✕
        </button>
      </div>
      <div className="panel-body">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {event ? <EventDetails key={event} id={event} alert={alert} /> : <AlertDetails key={alert} id={alert!} />}
        </Suspense>
      </div>
    </aside>
  );
}
