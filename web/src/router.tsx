// A tiny client-side router on the History API: the path picks the page, the query string holds the filters and
// the open details panel, so every view is a URL that can be shared or reloaded.
import { useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';

const EVENT = 'gridwatch:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(EVENT, cb);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export interface Loc {
  path: string;
  params: URLSearchParams;
  href: string;
}

export function useLocation(): Loc {
  const href = useSyncExternalStore(subscribe, snapshot);
  const u = new URL(href, window.location.origin);
  return { path: u.pathname, params: u.searchParams, href };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
  if (!opts.replace) window.scrollTo(0, 0);
}

/** Change some query parameters of the current URL (null or '' removes one). */
export function setParams(update: Record<string, string | null | undefined>, opts: { replace?: boolean } = {}): void {
  const u = new URL(window.location.href);
  for (const [k, v] of Object.entries(update)) {
    if (v === null || v === undefined || v === '') u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  const to = u.pathname + (u.searchParams.toString() ? `?${u.searchParams.toString()}` : '');
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

/** The URL of the current path with some parameters changed (for links). */
export function withParams(update: Record<string, string | null | undefined>): string {
  const u = new URL(window.location.href);
  for (const [k, v] of Object.entries(update)) {
    if (v === null || v === undefined || v === '') u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  return u.pathname + (u.searchParams.toString() ? `?${u.searchParams.toString()}` : '');
}

export function Link(props: { to: string; children: ReactNode; className?: string; title?: string; onNavigate?: () => void }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    // Let the browser handle new-tab clicks.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    e.stopPropagation();
    props.onNavigate?.();
    navigate(props.to);
  };
  return (
    <a href={props.to} className={props.className} title={props.title} onClick={click}>
      {props.children}
    </a>
  );
}

/** Path of a user's page, or of an IP's page. */
export const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;
export const ipPath = (ip: string) => `/ips/${encodeURIComponent(ip)}`;
