import type { JourneyDefinition } from '@cairn/core';
import { outputsOf } from '../../graph/definition.js';
import type { SimulationView } from '../../graph/simulate.js';
import { useNamesFor } from '../../api/queries.js';
import type { DesignerCatalog } from '../catalog.js';
import { outputLabel } from '../forms/problem-words.js';
import { referencedKinds } from '../nodes/card-summary.js';
import { ErrorBox } from '../ErrorBox.js';
import { SimulateInputs } from './simulate/SimulateInputs.js';
import { SimulateResult } from './simulate/SimulateResult.js';
import { stepLabel } from './simulate/sim-words.js';
import { useSimulation } from './simulate/useSimulation.js';

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
  catalog: DesignerCatalog;
  onResult: (result: SimulationView | null) => void;
  onSelectNode: (id: string) => void;
  onClose: () => void;
}) {
  const sim = useSimulation({ journeyId, definition, catalog, onResult });
  const names = useNamesFor({
    segment: definition.nodes.some((n) => referencedKinds(n).segment),
    journey: definition.nodes.some((n) => referencedKinds(n).journey),
    template: definition.nodes.some((n) => referencedKinds(n).template),
  });
  const labelOf = (id: string) => {
    const node = definition.nodes.find((n) => n.id === id);
    return node ? stepLabel(node, catalog, names) : id;
  };
  // Actions with more than one outcome (sent / bounced…) let the marketer pick which one to preview.
  const branchingActions = definition.nodes.filter(
    (n) => n.kind === 'action' && outputsOf(n, catalog).length > 1,
  );

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
        <SimulateInputs
          inputs={sim.inputs}
          branchingActions={branchingActions}
          catalog={catalog}
          labelOf={labelOf}
        />
        <button
          className="primary"
          onClick={() => void sim.run()}
          disabled={sim.running}
          data-testid="simulate-run"
        >
          {sim.running ? 'Simulating…' : 'Run preview'}
        </button>
        <ErrorBox error={sim.error} testId="simulate-error" />
        {sim.result?.state && (
          <SimulateResult
            result={sim.result}
            previews={sim.previews}
            days={sim.inputs.days}
            timeZone={sim.timeZone}
            catalog={catalog}
            outputLabelOf={(id, output) => {
              const node = definition.nodes.find((n) => n.id === id);
              return node ? outputLabel(node, output, catalog) : output;
            }}
            labelOf={labelOf}
            onSelectNode={onSelectNode}
          />
        )}
      </div>
    </aside>
  );
}
