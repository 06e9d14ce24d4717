import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Router, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { createApiClient, type Me } from '../api/client.js';
import { createQueryClient, useMeQuery } from '../api/queries.js';
import { SECTIONS, sectionOf } from './not-found.js';
import { AppRoutes } from './routes.js';
import { ApiContext, MeContext, storeToken, storedToken, useApi } from './session.js';
import { SignIn } from './SignIn.js';

export function App() {
  return (
    <Router hook={useHashLocation}>
      <Shell />
    </Router>
  );
}

function Shell() {
  const [token, setToken] = useState(storedToken);
  // Who signed in, as the sign-in form learnt it: the first answer of the `me` query, not read twice.
  const [signedInAs, setSignedInAs] = useState<Me | undefined>(undefined);
  const api = useMemo(() => (token ? createApiClient(token) : null), [token]);
  // One cache per session: signing in as someone else starts from nothing.
  const queryClient = useMemo(() => createQueryClient(), [token]);
  const signOut = () => {
    storeToken(null);
    setSignedInAs(undefined);
    setToken(null);
  };

  if (!api)
    return (
      <SignIn
        onSignedIn={(next, who) => {
          storeToken(next);
          setSignedInAs(who);
          setToken(next);
        }}
      />
    );
  return (
    <QueryClientProvider client={queryClient}>
      <ApiContext.Provider value={api}>
        <SignedIn signedInAs={signedInAs} onSignOut={signOut} />
      </ApiContext.Provider>
    </QueryClientProvider>
  );
}

function SignedIn({ signedInAs, onSignOut }: { signedInAs?: Me; onSignOut: () => void }) {
  const api = useApi();
  const who = useMeQuery(signedInAs);
  const me = who.data ?? null;
  const [location] = useLocation();
  // However deep the address (an unknown id, a mistyped sub-page), its section stays highlighted.
  const section = sectionOf(location);

  // After a reload the token is remembered but not who it belongs to; an expired session signs out.
  useEffect(() => {
    if (who.error) onSignOut();
  }, [who.error]);

  const principal = me?.principal;
  return (
    <MeContext.Provider value={me}>
      <div className="shell">
        <nav className="left-nav">
          <div className="brand">Cairn</div>
          {me && (
            <div className="workspace muted" data-testid="nav-workspace">
              {me.workspace.name}
            </div>
          )}
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
                <span className={`role-badge role-${principal.role}`} data-testid="signed-in-role">
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
              onSignOut();
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
  );
}
