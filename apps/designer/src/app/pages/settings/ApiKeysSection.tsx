import { useState } from 'react';
import type { ApiKey } from '../../../api/client.js';
import { ErrorBox } from '../../ErrorBox.js';
import { useApiKeyMutations, useApiKeys } from '../../../api/settings-queries.js';
import { lastUsedLabel, SCOPE_LABELS, sortKeys } from '../../settings.js';

/** API keys: create with a scope (the secret is shown once), see when each was last used, revoke. */
export function ApiKeysSection() {
  const loaded = useApiKeys();
  const keys = useApiKeyMutations();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKey['scope']>('write');
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function create() {
    setError(null);
    setCopied(false);
    try {
      setCreated(await keys.create.mutateAsync({ name: name.trim(), scope }));
      setName('');
    } catch (e) {
      setError(e);
    }
  }

  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke “${key.name}”? Anything still using it is refused from now on.`))
      return;
    setError(null);
    try {
      await keys.revoke.mutateAsync(key.id);
      if (created?.id === key.id) setCreated(null);
    } catch (e) {
      setError(e);
    }
  }

  const now = new Date();
  return (
    <section className="card" id="settings-keys" data-testid="keys-settings">
      <h2>API keys</h2>
      <p className="muted">
        A write key sends events (give it to a developer wiring an SDK); an admin key manages the
        workspace through the API. “Last used” moves at most once a minute.
      </p>
      {created && (
        <div className="success-box key-once" data-testid="key-created">
          <p>
            <strong>{created.name}</strong>: copy this key now; it is shown only once.
          </p>
          <code className="secret" data-testid="key-secret">
            {created.key}
          </code>{' '}
          <button
            onClick={() =>
              void navigator.clipboard?.writeText(created.key).then(() => setCopied(true))
            }
          >
            {copied ? 'Copied' : 'Copy'}
          </button>{' '}
          <button className="link" data-testid="key-dismiss" onClick={() => setCreated(null)}>
            I have saved it
          </button>
        </div>
      )}
      <div className="inline-form settings-inline">
        <input
          value={name}
          placeholder="What uses it, e.g. Checkout server"
          data-testid="key-name"
          onChange={(e) => setName(e.target.value)}
        />
        <select
          value={scope}
          data-testid="key-scope"
          onChange={(e) => setScope(e.target.value as ApiKey['scope'])}
        >
          {(Object.keys(SCOPE_LABELS) as ApiKey['scope'][]).map((s) => (
            <option key={s} value={s}>
              {SCOPE_LABELS[s]}
            </option>
          ))}
        </select>
        <button
          className="primary"
          disabled={!name.trim() || keys.create.isPending}
          data-testid="key-create"
          onClick={() => void create()}
        >
          Create key
        </button>
      </div>
      <ErrorBox error={error ?? loaded.error} testId="keys-error" />
      <table className="table settings-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Key id</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sortKeys(loaded.data?.keys ?? []).map((key) => (
            <tr
              key={key.id}
              className={key.revokedAt ? 'revoked' : ''}
              data-testid={`key-row-${key.id}`}
            >
              <td>{key.name}</td>
              <td>{key.scope}</td>
              <td className="mono small">{key.id}</td>
              <td className="small">{key.createdAt.slice(0, 10)}</td>
              <td className="small" data-testid={`key-last-used-${key.id}`}>
                {lastUsedLabel(key.lastUsedAt, now)}
              </td>
              <td>
                {key.revokedAt ? (
                  <span className="status">revoked</span>
                ) : (
                  <button data-testid={`key-revoke-${key.id}`} onClick={() => void revoke(key)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
