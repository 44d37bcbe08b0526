// The shell: asks the server who is logged in, shows the login page otherwise, then the navigation, the page for
// the current path, and the details panel.
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, ApiError, onUnauthenticated, setCsrf } from './api.ts';
import { DetailsPanel } from './components/DetailsPanel.tsx';
import { PeopleSearch } from './components/PeopleSearch.tsx';
import { registerRespondControls } from './components/respond/RespondControls.tsx';
import { AuditLogs } from './pages/AuditLogs.tsx';
import { ChangePassword, Login } from './pages/Login.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { SessionContext } from './session.tsx';
import type { Me } from './types.ts';

const Detections = lazy(() => import('./pages/Detections.tsx'));
const UserPage = lazy(() => import('./pages/UserPage.tsx'));
const IpPage = lazy(() => import('./pages/IpPage.tsx'));
const Accounts = lazy(() => import('./pages/Accounts.tsx'));
const Actions = lazy(() => import('./pages/Actions.tsx'));
const IncidentPage = lazy(() => import('./pages/IncidentPage.tsx'));

// Sign-out, session and allowlist buttons go into the alert, event, user and IP views' response slots.
registerRespondControls();

function Page({ me, path }: { me: Me['user']; path: string }) {
  let m: RegExpExecArray | null;
  if (path === '/' || path === '/events') return <AuditLogs />;
  if (path === '/detections') return <Detections />;
  if ((m = /^\/users\/([^/]+)$/.exec(path))) return <UserPage key={m[1]} id={decodeURIComponent(m[1]!)} />;
  if ((m = /^\/ips\/([^/]+)$/.exec(path))) return <IpPage key={m[1]} ip={decodeURIComponent(m[1]!)} />;
  if ((m = /^\/incidents\/([^/]+)$/.exec(path))) return <IncidentPage key={m[1]} id={decodeURIComponent(m[1]!)} />;
  if (path === '/accounts' && me.role === 'admin') return <Accounts />;
  if (path === '/actions') return <Actions />;
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        <Link to="/events">Go to the Audit Logs</Link>
      </p>
    </div>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const [changing, setChanging] = useState(false);
  const { path } = useLocation();

  useEffect(() => {
    onUnauthenticated(() => {
      setCsrf(null);
      setMe(null);
    });
    api
      .get<Me>('/auth/me')
      .then((m) => {
        setCsrf(m.csrf);
        setMe(m);
      })
      .catch((e) => {
        if (!(e instanceof ApiError && e.status === 401)) console.error(e);
      })
      .finally(() => setChecked(true));
  }, []);

  if (!checked) return null;
  if (!me) return <Login onLogin={setMe} />;
  if (me.user.mustChangePassword || changing) {
    return (
      <ChangePassword
        forced={me.user.mustChangePassword}
        onDone={(m) => {
          setChanging(false);
          setMe(m);
        }}
      />
    );
  }
  const logout = async () => {
    await api.post('/auth/logout').catch(() => {});
    setCsrf(null);
    setMe(null);
    navigate('/events', { replace: true });
  };
  const section = path.startsWith('/detections') || path.startsWith('/incidents/') ? 'detections' : path.startsWith('/accounts') ? 'accounts' : path.startsWith('/actions') ? 'actions' : path === '/' || path.startsWith('/events') ? 'events' : '';
  return (
    <SessionContext.Provider value={me.user}>
      <header className="topbar">
        <span className="brand">gridwatch</span>
        <nav>
          <Link to="/events" className={section === 'events' ? 'active' : ''}>
            Audit Logs
          </Link>
          <Link to="/detections" className={section === 'detections' ? 'active' : ''}>
            Security Detections
          </Link>
          <Link to="/actions" className={section === 'actions' ? 'active' : ''}>
            Actions
          </Link>
          {me.user.role === 'admin' && (
            <Link to="/accounts" className={section === 'accounts' ? 'active' : ''}>
              Accounts
            </Link>
          )}
        </nav>
        <PeopleSearch />
        <span className="who">
          {me.user.name} <span className="muted">({me.user.role})</span>
          <button type="button" className="btn small" onClick={() => setChanging(true)}>
            Password
          </button>
          <button type="button" className="btn small" onClick={logout}>
            Log out
          </button>
        </span>
      </header>
      <main>
        <Suspense fallback={<p className="muted page">Loading…</p>}>
          <Page me={me.user} path={path} />
          <DetailsPanel />
        </Suspense>
      </main>
      {/* CC BY 4.0 asks for this credit, with the link, on pages that show the ASN data's results. */}
      <footer className="muted data-credit" style={{ fontSize: 12, padding: '8px 16px' }}>
        IP network data: RouteViews, NRO and <a href="https://db-ip.com">IP Geolocation by DB-IP</a> (CC BY 4.0), via
        ip-location-db.
      </footer>
    </SessionContext.Provider>
  );
}
