import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Router, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { createApiClient, type Me } from '../api/client.js';
import { createQueryClient } from '../api/queries.js';
import { AppRoutes } from './routes.js';
import { ApiContext, MeContext, storeToken, storedToken } from './session.js';
import { SignIn } from './SignIn.js';

const SECTIONS = [
  { route: 'journeys', label: 'Journeys' },
  { route: 'segments', label: 'Segments' },
  { route: 'templates', label: 'Templates' },
  { route: 'contacts', label: 'Contacts' },
  { route: 'debugger', label: 'Debugger' },
  { route: 'activity', label: 'Activity' },
  { route: 'settings', label: 'Settings' },
] as const;

export function App() {
  return (
    <Router hook={useHashLocation}>
      <Shell />
    </Router>
  );
}

function Shell() {
  const [token, setToken] = useState(storedToken);
  const [me, setMe] = useState<Me | null>(null);
  const api = useMemo(() => (token ? createApiClient(token) : null), [token]);
  // One cache per session: signing in as someone else starts from nothing.
  const queryClient = useMemo(() => createQueryClient(), [token]);
  const [location] = useLocation();
  const section = location.split('/')[1] || 'journeys';

  // After a reload the token is remembered but not who it belongs to; an expired session signs out.
  useEffect(() => {
    if (!api || me) return;
    api.me().then(setMe, () => {
      storeToken(null);
      setToken(null);
    });
  }, [api, me]);

  if (!api)
    return (
      <SignIn
        onSignedIn={(next, who) => {
          storeToken(next);
          setMe(who);
          setToken(next);
        }}
      />
    );

  const principal = me?.principal;
  return (
    <QueryClientProvider client={queryClient}>
      <ApiContext.Provider value={api}>
        <MeContext.Provider value={me}>
          <div className="shell">
            <nav className="left-nav">
              <div className="brand">Cairn</div>
              {me && <div className="workspace muted">{me.workspace.name}</div>}
              {SECTIONS.map((s) => (
                <a
                  key={s.route}
                  href={`#/${s.route}`}
                  className={section === s.route ? 'active' : ''}
                  data-testid={`nav-${s.route}`}
                >
                  {s.label}
                </a>
              ))}
              <div className="signed-in" data-testid="signed-in-as">
                {principal && (
                  <>
                    <span className="who" title={principal.id}>
                      {principal.type === 'user' ? (principal.name ?? principal.email) : 'API key'}
                    </span>
                    <span
                      className={`role-badge role-${principal.role}`}
                      data-testid="signed-in-role"
                    >
                      {principal.role}
                    </span>
                  </>
                )}
              </div>
              <button
                className="link sign-out"
                data-testid="sign-out"
                onClick={() => {
                  // Ends the session on the server too; a key simply stays valid (revoke keys in settings).
                  if (principal?.type === 'user') void api.signOut().catch(() => undefined);
                  storeToken(null);
                  setMe(null);
                  setToken(null);
                }}
              >
                Sign out
              </button>
            </nav>
            <main className="content">
              <AppRoutes />
            </main>
          </div>
        </MeContext.Provider>
      </ApiContext.Provider>
    </QueryClientProvider>
  );
}
