import { useState } from 'react';
import { createApiClient, describeError } from '../api/client.js';

export function SignIn({ onSignedIn }: { onSignedIn: (key: string, workspace: string) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await createApiClient(key.trim()).me();
      onSignedIn(key.trim(), me.workspace.name);
    } catch (e) {
      setError(describeError(e).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <h1>Cairn</h1>
        <p className="muted">Sign in with your workspace admin key.</p>
        <label>
          Admin key
          <input
            data-testid="admin-key"
            type="password"
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="cairn_admin_…"
          />
        </label>
        {error && <div className="error-box" role="alert">{error}</div>}
        <button className="primary" data-testid="sign-in" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
