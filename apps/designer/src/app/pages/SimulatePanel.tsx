import type { ActionCatalog, JourneyDefinition } from '@cairn/core';
import { useMemo, useState } from 'react';
import { outputsOf } from '../../graph/definition.js';
import { parseScriptedEvents, relativeTime, simulate } from '../../graph/simulate.js';
import type { SimulatedPerson, SimulationView } from '../../graph/simulate.js';
import { ErrorBox } from '../ErrorBox.js';
import { useApi } from '../session.js';

type Mode = 'contact' | 'describe';

/**
 * Plays the journey forward for one contact on a virtual clock with core's simulateJourney — the same
 * interpreter the worker runs. Nothing is sent; the path is handed back for highlighting on the canvas.
 */
export function SimulatePanel({
  definition,
  catalog,
  onResult,
  onSelectNode,
  onClose,
}: {
  definition: JourneyDefinition;
  catalog: ActionCatalog;
  onResult: (result: SimulationView | null) => void;
  onSelectNode: (id: string) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const [mode, setMode] = useState<Mode>('describe');
  const [contactId, setContactId] = useState('');
  const [traitsText, setTraitsText] = useState('{\n  "email": "ada@example.com",\n  "timezone": "Europe/Paris"\n}');
  const [eventsText, setEventsText] = useState('');
  const [segmentsText, setSegmentsText] = useState('');
  const [days, setDays] = useState(30);
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const [result, setResult] = useState<SimulationView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);

  const labelOf = useMemo(() => {
    const byId = new Map(definition.nodes.map((n) => [n.id, n.label || n.id]));
    return (id: string) => byId.get(id) ?? id;
  }, [definition.nodes]);
  // Actions with more than one outcome (sent / bounced…) let the marketer pick which one to preview.
  const branchingActions = definition.nodes.filter((n) => n.kind === 'action' && outputsOf(n, catalog).length > 1);

  async function personFromInputs(): Promise<SimulatedPerson> {
    if (mode === 'contact') {
      if (!contactId.trim()) throw new Error('Enter the id of a contact to preview.');
      const contact = await api.getContact(contactId.trim());
      return { id: contact.id, traits: contact.traits, profile: contact.profile, segments: contact.segments.map((s) => s.id), events: parseEvents() };
    }
    let traits: unknown;
    try {
      traits = JSON.parse(traitsText || '{}');
    } catch {
      throw new Error('Traits: not valid JSON — write an object such as {"plan": "pro"}.');
    }
    if (!traits || typeof traits !== 'object' || Array.isArray(traits)) throw new Error('Traits: must be a JSON object such as {"plan": "pro"}.');
    const segments = segmentsText.split(',').map((s) => s.trim()).filter(Boolean);
    return { id: 'preview-contact', traits: traits as Record<string, unknown>, segments, events: parseEvents() };
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
      const view = simulate(definition, { person, startAt: new Date(), days, catalog, actionOutputs: outcomes });
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
        <p className="muted small">Plays the journey forward on a virtual clock. Nothing is sent.</p>
        <div className="segmented">
          <button className={mode === 'describe' ? 'active' : ''} onClick={() => setMode('describe')} data-testid="simulate-mode-describe">
            Describe a contact
          </button>
          <button className={mode === 'contact' ? 'active' : ''} onClick={() => setMode('contact')} data-testid="simulate-mode-contact">
            Existing contact
          </button>
        </div>
        {mode === 'contact' ? (
          <label className="field">
            <span className="field-label">Contact id</span>
            <input value={contactId} onChange={(e) => setContactId(e.target.value)} placeholder="user-123" data-testid="simulate-contact-id" />
          </label>
        ) : (
          <>
            <label className="field">
              <span className="field-label">Traits (JSON)</span>
              <textarea rows={4} className="mono" value={traitsText} onChange={(e) => setTraitsText(e.target.value)} data-testid="simulate-traits" />
            </label>
            <label className="field">
              <span className="field-label">In segments (ids, comma-separated)</span>
              <input value={segmentsText} onChange={(e) => setSegmentsText(e.target.value)} data-testid="simulate-segments" />
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
          <span className="muted small">Day 0 is when the contact enters; negative days are history on the profile.</span>
        </label>
        {branchingActions.map((node) => {
          const outputs = outputsOf(node, catalog);
          return (
            <label className="field" key={node.id}>
              <span className="field-label">Outcome of “{labelOf(node.id)}”</span>
              <select value={outcomes[node.id] ?? outputs[0]} onChange={(e) => setOutcomes({ ...outcomes, [node.id]: e.target.value })}>
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
          <input type="number" min={1} max={730} value={days} onChange={(e) => setDays(Math.max(1, Number(e.target.value) || 1))} data-testid="simulate-days" />
        </label>
        <button className="primary" onClick={() => void run()} disabled={running} data-testid="simulate-run">
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
              {result.messages.map((m) => (
                <li key={m.stepKey}>
                  <span className="muted small">{relativeTime(result.startAt, m.at)}</span> <strong>{m.action.type}</strong> · {labelOf(m.nodeId)}
                  {typeof m.config['subject'] === 'string' && <div className="small">“{m.config['subject']}”</div>}
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
