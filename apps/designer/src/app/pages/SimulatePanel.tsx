import type { ActionCatalog, JourneyDefinition } from '@cairn/core';
import { useMemo, useState } from 'react';
import { outputsOf } from '../../graph/definition.js';
import { parseScriptedEvents, profileFor, relativeTime, simulate } from '../../graph/simulate.js';
import type { SimulatedPerson, SimulationView } from '../../graph/simulate.js';
import type { MessagePreview } from '../../graph/message-preview.js';
import { withoutScripts } from '../../graph/mail-html.js';
import { ErrorBox } from '../ErrorBox.js';
import { useApi } from '../session.js';

type Mode = 'contact' | 'describe';

/**
 * Plays the journey forward for one contact on a virtual clock with core's simulateJourney — the same
 * interpreter the worker runs. Nothing is sent; the path is handed back for highlighting on the canvas.
 */
export function SimulatePanel({
  journeyId,
  definition,
  catalog,
  onResult,
  onSelectNode,
  onClose,
}: {
  journeyId: string;
  definition: JourneyDefinition;
  catalog: ActionCatalog;
  onResult: (result: SimulationView | null) => void;
  onSelectNode: (id: string) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const [mode, setMode] = useState<Mode>('describe');
  const [contactId, setContactId] = useState('');
  const [traitsText, setTraitsText] = useState(
    '{\n  "email": "ada@example.com",\n  "firstName": "Ada",\n  "timezone": "Europe/Paris"\n}',
  );
  const [eventsText, setEventsText] = useState('');
  const [segmentsText, setSegmentsText] = useState('');
  const [days, setDays] = useState(30);
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const [result, setResult] = useState<SimulationView | null>(null);
  // Rendered subject and body per simulated message (by step key), for the contact being previewed.
  const [previews, setPreviews] = useState<Record<string, MessagePreview>>({});
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);

  const labelOf = useMemo(() => {
    const byId = new Map(definition.nodes.map((n) => [n.id, n.label || n.id]));
    return (id: string) => byId.get(id) ?? id;
  }, [definition.nodes]);
  // Actions with more than one outcome (sent / bounced…) let the marketer pick which one to preview.
  const branchingActions = definition.nodes.filter(
    (n) => n.kind === 'action' && outputsOf(n, catalog).length > 1,
  );

  async function personFromInputs(): Promise<SimulatedPerson> {
    if (mode === 'contact') {
      if (!contactId.trim()) throw new Error('Enter the id of a contact to preview.');
      const contact = await api.getContact(contactId.trim());
      return {
        id: contact.id,
        traits: contact.traits,
        profile: contact.profile,
        segments: contact.segments.map((s) => s.id),
        events: parseEvents(),
      };
    }
    let traits: unknown;
    try {
      traits = JSON.parse(traitsText || '{}');
    } catch {
      throw new Error('Traits: not valid JSON — write an object such as {"plan": "pro"}.');
    }
    if (!traits || typeof traits !== 'object' || Array.isArray(traits))
      throw new Error('Traits: must be a JSON object such as {"plan": "pro"}.');
    const segments = segmentsText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      id: 'preview-contact',
      traits: traits as Record<string, unknown>,
      segments,
      events: parseEvents(),
    };
  }

  function parseEvents() {
    const parsed = parseScriptedEvents(eventsText);
    if (parsed.errors.length > 0) throw new Error(`Events: ${parsed.errors.join('; ')}`);
    return parsed.events;
  }

  async function run() {
    setRunning(true);
    setError(null);
    try {
      const person = await personFromInputs();
      const startAt = new Date();
      const view = simulate(definition, {
        person,
        startAt,
        days,
        catalog,
        actionOutputs: outcomes,
      });
      // Templates read the same contact the conditions did: its traits and its profile (history folded in).
      // The template engine loads on the first preview, keeping it out of the editor's first paint.
      const { PREVIEW_UNSUBSCRIBE_URL, renderMessagePreview } =
        await import('../../graph/message-preview.js');
      const contact = {
        id: person.id,
        traits: person.traits,
        profile: profileFor(person, startAt) as unknown as Record<string, unknown>,
      };
      setPreviews(
        Object.fromEntries(
          view.messages.map((m) => [
            m.stepKey,
            renderMessagePreview(m.config, {
              contact,
              journey: { id: journeyId, version: 0, runId: 'preview', nodeId: m.nodeId },
              unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL,
            }),
          ]),
        ),
      );
      setResult(view);
      onResult(view);
    } catch (e) {
      setResult(null);
      onResult(null);
      setError(e);
    } finally {
      setRunning(false);
    }
  }

  const state = result?.state;
  return (
    <aside className="inspector simulate-panel" data-testid="simulate-panel">
      <header className="panel-head">
        <div>
          <div className="eyebrow">Preview</div>
          <strong>Simulate one contact</strong>
        </div>
        <button
          className="icon"
          title="Close the preview"
          onClick={() => {
            onResult(null);
            onClose();
          }}
        >
          ×
        </button>
      </header>
      <div className="inspector-body">
        <p className="muted small">
          Plays the journey forward on a virtual clock. Nothing is sent.
        </p>
        <div className="segmented">
          <button
            className={mode === 'describe' ? 'active' : ''}
            onClick={() => setMode('describe')}
            data-testid="simulate-mode-describe"
          >
            Describe a contact
          </button>
          <button
            className={mode === 'contact' ? 'active' : ''}
            onClick={() => setMode('contact')}
            data-testid="simulate-mode-contact"
          >
            Existing contact
          </button>
        </div>
        {mode === 'contact' ? (
          <label className="field">
            <span className="field-label">Contact id</span>
            <input
              value={contactId}
              onChange={(e) => setContactId(e.target.value)}
              placeholder="user-123"
              data-testid="simulate-contact-id"
            />
          </label>
        ) : (
          <>
            <label className="field">
              <span className="field-label">Traits (JSON)</span>
              <textarea
                rows={4}
                className="mono"
                value={traitsText}
                onChange={(e) => setTraitsText(e.target.value)}
                data-testid="simulate-traits"
              />
            </label>
            <label className="field">
              <span className="field-label">In segments (ids, comma-separated)</span>
              <input
                value={segmentsText}
                onChange={(e) => setSegmentsText(e.target.value)}
                data-testid="simulate-segments"
              />
            </label>
          </>
        )}
        <label className="field">
          <span className="field-label">Events, one per line: day, name, optional JSON</span>
          <textarea
            rows={3}
            className="mono"
            placeholder={'-30 Order Completed {"revenue": 40}\n3 Video Watched'}
            value={eventsText}
            onChange={(e) => setEventsText(e.target.value)}
            data-testid="simulate-events"
          />
          <span className="muted small">
            Day 0 is when the contact enters; negative days are history on the profile.
          </span>
        </label>
        {branchingActions.map((node) => {
          const outputs = outputsOf(node, catalog);
          return (
            <label className="field" key={node.id}>
              <span className="field-label">Outcome of “{labelOf(node.id)}”</span>
              <select
                value={outcomes[node.id] ?? outputs[0]}
                onChange={(e) => setOutcomes({ ...outcomes, [node.id]: e.target.value })}
              >
                {outputs.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </label>
          );
        })}
        <label className="field">
          <span className="field-label">Preview the first … days</span>
          <input
            type="number"
            min={1}
            max={730}
            value={days}
            onChange={(e) => setDays(Math.max(1, Number(e.target.value) || 1))}
            data-testid="simulate-days"
          />
        </label>
        <button
          className="primary"
          onClick={() => void run()}
          disabled={running}
          data-testid="simulate-run"
        >
          {running ? 'Simulating…' : 'Run preview'}
        </button>
        <ErrorBox error={error} testId="simulate-error" />
        {result && state && (
          <>
            <div className="sim-outcome" data-testid="simulate-outcome">
              {state.status === 'completed' || state.completion
                ? `Leaves at “${labelOf(state.nodeId)}” (${state.completion?.reason ?? 'completed'}) on ${relativeTime(result.startAt, state.completion?.at ?? state.nodeEnteredAt)}.`
                : `Still at “${labelOf(state.nodeId)}” when the preview stops after ${days} days.`}
            </div>
            <h3 className="panel-subhead">Messages it would get ({result.messages.length})</h3>
            <ul className="plain sim-messages" data-testid="simulate-messages">
              {result.messages.length === 0 && <li className="muted">None.</li>}
              {result.messages.map((m, i) => (
                <li key={m.stepKey} data-testid={`simulate-message-${i}`}>
                  <span className="muted small">{relativeTime(result.startAt, m.at)}</span>{' '}
                  <strong>{m.action.type}</strong> · {labelOf(m.nodeId)}
                  {previews[m.stepKey] ? (
                    <MessagePreviewView
                      preview={previews[m.stepKey]!}
                      testId={`simulate-message-${i}`}
                    />
                  ) : (
                    typeof m.config['subject'] === 'string' && (
                      <div className="small">“{m.config['subject']}”</div>
                    )
                  )}
                </li>
              ))}
            </ul>
            <h3 className="panel-subhead">Timeline</h3>
            <ol className="sim-timeline" data-testid="simulate-timeline">
              {result.timeline.map((t, i) => (
                <li key={i} className={`sim-${t.kind}`} data-node={t.nodeId}>
                  <span className="muted small">{relativeTime(result.startAt, t.at)}</span>{' '}
                  <button className="link" onClick={() => onSelectNode(t.nodeId)}>
                    {labelOf(t.nodeId)}
                  </button>{' '}
                  {t.what}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </aside>
  );
}

/** A simulated email as the contact would read it: rendered subject, the body in a sandbox (no scripts), and what was missing. */
function MessagePreviewView({ preview, testId }: { preview: MessagePreview; testId: string }) {
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
