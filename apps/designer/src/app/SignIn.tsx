import { useState } from 'react';
import { createApiClient, describeError, signInWithPassword, type Me } from '../api/client.js';

/** Email and password first; an admin key (for developers and machines' owners) behind "Use an API key". */
export function SignIn({ onSignedIn }: { onSignedIn: (token: string, me: Me) => void }) {
  const [mode, setMode] = useState<'password' | 'key'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const token =
        mode === 'password' ? (await signInWithPassword(email.trim(), password)).token : key.trim();
      const me = await createApiClient(token).me();
      onSignedIn(token, me);
    } catch (e) {
      setError(describeError(e).message);
    } finally {
      setBusy(false);
    }
  }

  const ready = mode === 'password' ? email.trim() !== '' && password !== '' : key.trim() !== '';
  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <h1>Cairn</h1>
        {mode === 'password' ? (
          <>
            <p className="muted">Sign in to your workspace.</p>
            <label>
              Email
              <input
                data-testid="signin-email"
                type="email"
                autoComplete="username"
                autoFocus
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                placeholder="you@company.com"
              />
            </label>
            <label>
              Password
              <input
                data-testid="signin-password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
          </>
        ) : (
          <>
            <p className="muted">Sign in with a workspace admin key (it acts as an admin).</p>
            <label>
              Admin key
              <input
                data-testid="admin-key"
                type="password"
                autoFocus
                value={key}
                onChange={(e) => setKey(e.target.value)}
                placeholder="cak_…"
              />
            </label>
          </>
        )}
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <button className="primary" data-testid="sign-in" disabled={busy || !ready}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <button
          type="button"
          className="link"
          data-testid={mode === 'password' ? 'use-api-key' : 'use-password'}
          onClick={() => {
            setMode(mode === 'password' ? 'key' : 'password');
            setError(null);
          }}
        >
          {mode === 'password' ? 'Use an API key' : 'Use email and password'}
        </button>
      </form>
    </div>
  );
}
