import type { ActionCatalog, JourneyNode } from '@cairn/core';
import { outputsOf } from '../../../graph/definition.js';
import type { SimulationInputs } from './useSimulation.js';

/** Who to preview (an existing contact, or traits and segments), their scripted events, outcomes and horizon. */
export function SimulateInputs({
  inputs,
  branchingActions,
  catalog,
  labelOf,
}: {
  inputs: SimulationInputs;
  branchingActions: JourneyNode[];
  catalog: ActionCatalog;
  labelOf: (id: string) => string;
}) {
  const {
    mode,
    setMode,
    contactId,
    setContactId,
    traitsText,
    setTraitsText,
    eventsText,
    setEventsText,
    segmentsText,
    setSegmentsText,
    days,
    setDays,
    outcomes,
    setOutcomes,
  } = inputs;
  return (
    <>
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
    </>
  );
}
