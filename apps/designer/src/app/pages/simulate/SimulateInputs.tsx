import type { JourneyNode } from '@cairn/core';
import { outputsOf } from '../../../graph/definition.js';
import type { DesignerCatalog } from '../../catalog.js';
import { ContactSearch } from './ContactSearch.js';
import { EventRows, SegmentChecks, TraitRows } from './ScriptRows.js';
import type { SimulationInputs } from './useSimulation.js';

/** Who to preview (a contact found by search, or traits and segments), what they do, outcomes and horizon. */
export function SimulateInputs({
  inputs,
  branchingActions,
  catalog,
  labelOf,
}: {
  inputs: SimulationInputs;
  branchingActions: JourneyNode[];
  catalog: DesignerCatalog;
  labelOf: (id: string) => string;
}) {
  const { mode, setMode, days, setDays, outcomes, setOutcomes } = inputs;
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
        <ContactSearch picked={inputs.contact} onPick={inputs.setContact} />
      ) : (
        <>
          <TraitRows rows={inputs.traitRows} onChange={inputs.setTraitRows} />
          <SegmentChecks selected={inputs.segmentIds} onChange={inputs.setSegmentIds} />
        </>
      )}
      <EventRows rows={inputs.eventRows} onChange={inputs.setEventRows} />
      {branchingActions.map((node) => {
        const outputs = outputsOf(node, catalog);
        const entry =
          node.kind === 'action' ? catalog(node.action.type, node.action.version) : undefined;
        return (
          <label className="field" key={node.id}>
            <span className="field-label">Outcome of “{labelOf(node.id)}”</span>
            <select
              value={outcomes[node.id] ?? outputs[0]}
              onChange={(e) => setOutcomes({ ...outcomes, [node.id]: e.target.value })}
            >
              {outputs.map((o) => (
                <option key={o} value={o}>
                  {entry?.outputLabels[o] ?? o}
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
