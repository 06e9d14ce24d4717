import { useState } from 'react';
import type { CredentialSummary, TestSendAnswer } from '../../../api/client.js';
import { ErrorBox } from '../../ErrorBox.js';
import { useCredentialMutations, useCredentials } from '../../../api/settings-queries.js';
import { useApi } from '../../session.js';
import { EMPTY_SMTP_FORM, smtpCredentialFromForm, type SmtpForm } from '../../settings.js';
import { Problems } from './Problems.js';

/** SMTP servers (stored as encrypted "smtp" credentials) and other credentials, with a test send. */
export function SendersSection() {
  const loaded = useCredentials();
  const { save } = useCredentialMutations();
  const [form, setForm] = useState<SmtpForm>(EMPTY_SMTP_FORM);
  const [error, setError] = useState<unknown>(null);
  const { values, problems } = smtpCredentialFromForm(form);
  const edit = (patch: Partial<SmtpForm>) => setForm((f) => ({ ...f, ...patch }));

  async function add() {
    setError(null);
    try {
      await save.mutateAsync({ name: form.name, type: 'smtp', values });
      setForm(EMPTY_SMTP_FORM);
    } catch (e) {
      setError(e);
    }
  }

  const credentials = loaded.data?.credentials ?? [];
  return (
    <section className="card" id="settings-senders" data-testid="senders-settings">
      <h2>Senders</h2>
      <p className="muted">
        SMTP servers or ESP relays email steps can send through; the password is encrypted and never
        shown again. Choose one as the workspace sender’s server above.
      </p>
      <ErrorBox error={loaded.error} />
      {credentials.length > 0 && (
        <table className="table settings-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Fields</th>
              <th>Test send</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {credentials.map((c) => (
              <CredentialRow key={c.name} credential={c} />
            ))}
          </tbody>
        </table>
      )}
      <h3>Add an SMTP server</h3>
      <div className="settings-grid">
        <Field
          label="Name"
          value={form.name}
          placeholder="smtp-main"
          onChange={(name) => edit({ name })}
          testId="smtp-name"
        />
        <Field
          label="Host"
          value={form.host}
          placeholder="smtp.acme.test"
          onChange={(host) => edit({ host })}
          testId="smtp-host"
        />
        <Field
          label="Port"
          value={form.port}
          placeholder="587"
          onChange={(port) => edit({ port })}
          testId="smtp-port"
        />
        <Field
          label="User"
          value={form.user}
          onChange={(user) => edit({ user })}
          testId="smtp-user"
        />
        <Field
          label="Password"
          type="password"
          value={form.pass}
          onChange={(pass) => edit({ pass })}
          testId="smtp-pass"
        />
        <label className="field checkbox">
          <input
            type="checkbox"
            checked={form.secure}
            onChange={(e) =>
              edit({ secure: e.target.checked, port: e.target.checked ? '465' : '587' })
            }
          />
          <span>TLS from the start (port 465); otherwise STARTTLS when offered</span>
        </label>
      </div>
      {form.name !== '' && <Problems problems={problems} testId="smtp-problems" />}
      <ErrorBox error={error} testId="smtp-error" />
      <button
        className="primary"
        disabled={problems.length > 0 || save.isPending}
        data-testid="smtp-add"
        onClick={() => void add()}
      >
        Save SMTP server
      </button>
    </section>
  );
}

function Field(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  type?: string;
  testId: string;
}) {
  return (
    <label className="field">
      <span className="field-label">{props.label}</span>
      <input
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        autoComplete="off"
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

function CredentialRow({ credential }: { credential: CredentialSummary }) {
  const api = useApi();
  const { remove: removeCredential } = useCredentialMutations();
  const [to, setTo] = useState('');
  const [answer, setAnswer] = useState<TestSendAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);

  async function testSend() {
    setError(null);
    setAnswer(null);
    setSending(true);
    try {
      setAnswer(await api.testSend(credential.name, to.trim()));
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the credential “${credential.name}”? Steps using it will fail.`))
      return;
    try {
      await removeCredential.mutateAsync(credential.name);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <tr data-testid={`credential-${credential.name}`}>
      <td className="mono">{credential.name}</td>
      <td>{credential.type}</td>
      <td className="muted small">{credential.fields.join(', ')}</td>
      <td>
        {credential.type === 'smtp' ? (
          <div className="test-send">
            <input
              value={to}
              placeholder="you@acme.test"
              data-testid={`test-send-to-${credential.name}`}
              onChange={(e) => setTo(e.target.value)}
            />
            <button
              disabled={!to.includes('@') || sending}
              data-testid={`test-send-${credential.name}`}
              onClick={() => void testSend()}
            >
              {sending ? 'Sending…' : 'Send test'}
            </button>
            {answer && (
              <div className="success-box" data-testid={`test-send-answer-${credential.name}`}>
                {answer.server} accepted it for {answer.accepted.join(', ')}:{' '}
                <code>{answer.response}</code>
              </div>
            )}
            <ErrorBox error={error} testId={`test-send-error-${credential.name}`} />
          </div>
        ) : (
          <span className="muted small">—</span>
        )}
      </td>
      <td>
        <button className="icon" title="Delete credential" onClick={() => void remove()}>
          ×
        </button>
      </td>
    </tr>
  );
}
