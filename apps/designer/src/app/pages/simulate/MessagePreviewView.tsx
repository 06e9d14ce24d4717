import type { MessagePreview } from '../../../graph/message-preview.js';
import { withoutScripts } from '../../../graph/mail-html.js';

/** A simulated email as the contact would read it: rendered subject, the body in a sandbox (no scripts), and what was missing. */
export function MessagePreviewView({
  preview,
  testId,
}: {
  preview: MessagePreview;
  testId: string;
}) {
  const subject = preview.fields.find((f) => f.field === 'subject');
  const body =
    preview.fields.find((f) => f.field === 'html') ??
    preview.fields.find((f) => f.field === 'text');
  const broken = preview.fields.filter((f) => f.error);
  return (
    <div className="sim-message">
      {subject && !subject.error && (
        <div className="sim-subject" data-testid={`${testId}-subject`}>
          “{subject.text}”
        </div>
      )}
      {body && !body.error && (
        <iframe
          className="sim-body"
          title="Email preview"
          sandbox=""
          // A mail client's usual default font, which the email's own styles override.
          srcDoc={`<style>body{font:14px/1.45 system-ui,sans-serif;margin:10px}</style>${body.field === 'html' ? withoutScripts(body.text) : `<pre style="white-space:pre-wrap;font:inherit">${escapeHtml(body.text)}</pre>`}`}
          data-testid={`${testId}-body`}
        />
      )}
      {preview.missing.length > 0 && (
        <div className="sim-missing small" data-testid={`${testId}-missing`}>
          Not set for this contact, shown empty:{' '}
          {preview.missing.map((v, i) => (
            <span key={v}>
              {i > 0 && ', '}
              <code>{v}</code>
            </span>
          ))}
        </div>
      )}
      {broken.map((f) => (
        <div
          key={f.field}
          className="sim-template-error small"
          role="alert"
          data-testid={`${testId}-error`}
        >
          {f.field}: template error: {f.error}. The worker would fail this step.
        </div>
      ))}
    </div>
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
