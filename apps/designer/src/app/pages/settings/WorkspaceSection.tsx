import { useState } from 'react';
import type { Workspace } from '../../../api/client.js';
import { ErrorBox } from '../../ErrorBox.js';
import { needsRole } from '../../roles.js';
import { useCredentials, useUpdateWorkspace } from '../../../api/settings-queries.js';
import { useCan } from '../../session.js';
import { formatSender, senderFromForm, timeZoneChoices } from '../../settings.js';
import { Problems } from './Problems.js';

/** Name, time zone (whole-day segment windows, date triggers) and the default sender of email steps. */
export function WorkspaceSection({ workspace }: { workspace: Workspace }) {
  const isAdmin = useCan('manageAccess');
  const credentials = useCredentials(isAdmin);
  const updateWorkspace = useUpdateWorkspace();
  const [current, setCurrent] = useState(workspace);
  const [name, setName] = useState(workspace.name);
  const [timezone, setTimezone] = useState(workspace.settings?.timezone ?? 'UTC');
  const stored = workspace.settings?.sender;
  const [senderName, setSenderName] = useState(stored?.name ?? '');
  const [senderAddress, setSenderAddress] = useState(stored?.address ?? '');
  const [credential, setCredential] = useState(stored?.credential ?? '');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const sender = senderFromForm({ name: senderName, address: senderAddress, credential });
  const problems = [
    ...(name.trim() ? [] : [{ path: 'name', message: 'must not be empty' }]),
    ...sender.problems,
  ];
  const smtpCredentials = (credentials.data?.credentials ?? []).filter((c) => c.type === 'smtp');

  async function save() {
    setError(null);
    setSaved(false);
    try {
      const answer = await updateWorkspace.mutateAsync({
        name: name.trim(),
        timezone,
        sender: sender.sender,
      });
      setCurrent(answer.workspace);
      setSaved(true);
    } catch (e) {
      setError(e);
    }
  }

  const disabled = !isAdmin;
  return (
    <section className="card" id="settings-workspace" data-testid="workspace-settings">
      <h2>Workspace</h2>
      <div className="settings-grid">
        <label className="field">
          <span className="field-label">Name</span>
          <input
            value={name}
            disabled={disabled}
            data-testid="workspace-name"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Time zone</span>
          <select
            value={timezone}
            disabled={disabled}
            data-testid="workspace-timezone"
            onChange={(e) => setTimezone(e.target.value)}
          >
            {timeZoneChoices(timezone).map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
          <span className="hint">
            Whole-day segment windows (“in the last 7 days”) turn at midnight here; date-triggered
            journeys without a zone of their own use it too.
          </span>
        </label>
        <label className="field">
          <span className="field-label">Sender name</span>
          <input
            value={senderName}
            placeholder="Acme"
            disabled={disabled}
            data-testid="sender-name"
            onChange={(e) => setSenderName(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Sender address</span>
          <input
            value={senderAddress}
            placeholder="hello@acme.test"
            disabled={disabled}
            data-testid="sender-address"
            onChange={(e) => setSenderAddress(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Send through</span>
          <select
            value={credential}
            disabled={disabled}
            data-testid="sender-credential"
            onChange={(e) => setCredential(e.target.value)}
          >
            <option value="">Server default (SMTP_HOST)</option>
            {smtpCredentials.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
          <span className="hint">Add SMTP servers under Senders below.</span>
        </label>
      </div>
      <p className="muted">
        Email steps that leave “From” empty send as{' '}
        <strong data-testid="sender-preview">
          {formatSender(sender.sender) || 'the server default (CAIRN_EMAIL_FROM)'}
        </strong>
        .
      </p>
      <Problems problems={problems} testId="workspace-problems" />
      <ErrorBox error={error ?? credentials.error} testId="workspace-error" />
      <button
        className="primary"
        disabled={disabled || problems.length > 0}
        title={isAdmin ? undefined : needsRole('manageAccess')}
        data-testid="workspace-save"
        onClick={() => void save()}
      >
        Save workspace
      </button>
      {saved && (
        <span className="muted" data-testid="workspace-saved">
          {' '}
          Saved: {current.name}, {current.settings?.timezone ?? 'UTC'}.
        </span>
      )}
    </section>
  );
}
