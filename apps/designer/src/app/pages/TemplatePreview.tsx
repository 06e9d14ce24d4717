import { useEffect, useState } from 'react';
import type { ContactSummary, RenderedTemplate, TemplateRenderRequest } from '../../api/client.js';
import { withoutScripts } from '../../graph/mail-html.js';
import { ErrorBox } from '../ErrorBox.js';
import { needsRole } from '../roles.js';
import { useApi, useCan } from '../session.js';
import { contactName } from '../contact-name.js';

const PREVIEW_CONTACT_KEY = 'cairn.previewContact';

/** The contact previews are rendered for, kept for the session so it follows the marketer between pages. */
function usePreviewContact(): [string | undefined, (id: string | undefined) => void] {
  const [id, setId] = useState<string | undefined>(
    () => sessionStorage.getItem(PREVIEW_CONTACT_KEY) ?? undefined,
  );
  const pick = (next: string | undefined) => {
    if (next) sessionStorage.setItem(PREVIEW_CONTACT_KEY, next);
    else sessionStorage.removeItem(PREVIEW_CONTACT_KEY);
    setId(next);
  };
  return [id, pick];
}

/** Picks the contact a preview is rendered for: search by id, name or email, or the empty sample contact. */
function ContactPicker({
  contactId,
  onPick,
}: {
  contactId: string | undefined;
  onPick: (id: string | undefined) => void;
}) {
  const api = useApi();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<ContactSummary[]>([]);
  useEffect(() => {
    if (!q.trim()) return setFound([]);
    let current = true;
    const timer = setTimeout(() => {
      api.listContacts(q.trim()).then(
        (page) => current && setFound(page.items.slice(0, 6)),
        () => current && setFound([]),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, q]);
  return (
    <div className="contact-picker">
      <div className="row">
        <span className="muted small">Preview as</span>
        <strong data-testid="preview-contact">{contactId ?? 'a contact with no data'}</strong>
        {contactId && (
          <button className="link" onClick={() => onPick(undefined)}>
            clear
          </button>
        )}
      </div>
      <input
        placeholder="Search contacts by id, name or email"
        value={q}
        data-testid="preview-contact-search"
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          // Enter takes the first match, or the text as an id.
          if (e.key !== 'Enter' || !q.trim()) return;
          onPick(found[0]?.id ?? q.trim());
          setQ('');
        }}
      />
      {found.length > 0 && (
        <ul className="contact-options">
          {found.map((c) => (
            <li key={c.id}>
              <button
                className="link"
                data-testid="preview-contact-option"
                onClick={() => {
                  onPick(c.id);
                  setQ('');
                }}
              >
                {contactName(c)} <span className="muted">{c.id}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Sends the rendered template, marked [Test], to an address through the server's SMTP settings. */
function TestSend({ request }: { request: TemplateRenderRequest }) {
  const api = useApi();
  const canSend = useCan('editDrafts');
  const [to, setTo] = useState('');
  const [state, setState] = useState<{ sentTo?: string; error?: unknown; busy?: boolean }>({});
  return (
    <form
      className="row test-send"
      onSubmit={(e) => {
        e.preventDefault();
        setState({ busy: true });
        api.testSendTemplate({ ...request, to: to.trim() }).then(
          (answer) => setState({ sentTo: answer.to }),
          (error: unknown) => setState({ error }),
        );
      }}
    >
      <input
        type="email"
        placeholder="you@company.com"
        value={to}
        data-testid="test-send-to"
        onChange={(e) => setTo(e.target.value)}
      />
      <button
        type="submit"
        disabled={!canSend || !to.trim() || state.busy}
        title={canSend ? undefined : needsRole('editDrafts')}
        data-testid="test-send"
      >
        Send test
      </button>
      {state.sentTo && (
        <span className="muted small" data-testid="test-send-done">
          Sent to {state.sentTo}
        </span>
      )}
      <ErrorBox error={state.error} testId="test-send-error" />
    </form>
  );
}

/**
 * The draft rendered by the API's preview (the send-time engine) for a chosen contact, refreshed as the
 * marketer types; the body sits in a sandboxed frame so its scripts never run.
 */
export function TemplatePreview({
  request,
}: {
  request: Omit<TemplateRenderRequest, 'contactId'>;
}) {
  const api = useApi();
  const [contactId, setContactId] = usePreviewContact();
  const [answer, setAnswer] = useState<{ rendered?: RenderedTemplate; error?: unknown }>({});
  const full = { ...request, ...(contactId ? { contactId } : {}) } as TemplateRenderRequest;
  const key = JSON.stringify(full);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api.previewTemplate(full).then(
        (rendered) => current && setAnswer({ rendered }),
        (error: unknown) => current && setAnswer({ error }),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, key]); // `key` is the request's content: a new object each render, the same request
  const out = answer.rendered?.rendered;
  return (
    <section className="card template-preview" data-testid="template-preview">
      <h3>Preview</h3>
      <ContactPicker contactId={contactId} onPick={setContactId} />
      <ErrorBox error={answer.error} testId="preview-error" />
      {out && !answer.error && (
        <div className="sim-message">
          <div className="sim-subject" data-testid="preview-subject">
            {out.subject ?? out.title}
          </div>
          <iframe
            className="sim-body"
            title="Email preview"
            sandbox=""
            srcDoc={`<style>body{font:14px/1.45 system-ui,sans-serif;margin:10px}</style>${withoutScripts(out.html ?? out.body ?? '')}`}
            data-testid="preview-body"
          />
        </div>
      )}
      <h4>Send a test</h4>
      <TestSend request={full} />
    </section>
  );
}
