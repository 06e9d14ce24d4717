import { ReactFlowProvider } from '@xyflow/react';
import { useMemo, useState } from 'react';
import type { ActionManifest, JourneyDetail } from '../../api/client.js';
import {
  useActionCatalog,
  useEventSchema,
  useJourney,
  useJourneyStats,
  useMetricSchema,
  useSegments,
} from '../../api/queries.js';
import type { SimulationView } from '../../graph/simulate.js';
import { startingEvent } from '../../graph/definition.js';
import { ErrorBox } from '../ErrorBox.js';
import { LoadFailed } from '../NotFound.js';
import type { ConditionPickers } from '../forms/conditions/model.js';
import { Inspector } from '../forms/Inspector.js';
import { SettingsForm } from '../forms/SettingsForm.js';
import { EditorViewContext } from '../nodes/context.js';
import { EditorMessages } from './journey/EditorMessages.js';
import { EditorToolbar } from './journey/EditorToolbar.js';
import { FlowCanvas } from './journey/FlowCanvas.js';
import { Palette } from './journey/Palette.js';
import { StatsStrip } from './journey/StatsStrip.js';
import { UnsavedWork } from './journey/UnsavedWork.js';
import { useJourneyCanvas } from './journey/useJourneyCanvas.js';
import { usePublishFlow } from './journey/usePublishFlow.js';
import { JourneyFunnel } from './JourneyFunnel.js';
import { SimulatePanel } from './SimulatePanel.js';

export function JourneyEditor({ journeyId }: { journeyId: string }) {
  const detail = useJourney(journeyId);
  const manifests = useActionCatalog();
  const events = useEventSchema();
  const metrics = useMetricSchema();
  // undefined when the list could not be loaded: then segment references are not checked rather than all flagged.
  const segments = useSegments();
  const segmentIds = useMemo(
    () => (segments.data ? new Set(segments.data.map((s) => s.id)) : undefined),
    [segments.data],
  );
  const pickers: ConditionPickers = useMemo(
    () => ({
      events: (events.data ?? []).map((e) => e.event),
      metrics: (metrics.data ?? []).map((m) => (typeof m === 'string' ? m : m.name)),
      segments: segments.data ?? [],
    }),
    [events.data, metrics.data, segments.data],
  );

  if (detail.error) return <LoadFailed error={detail.error} thing="journey" id={journeyId} />;
  if (manifests.error)
    return (
      <div className="page">
        <ErrorBox error={manifests.error} />
      </div>
    );
  if (!detail.data || !manifests.data) return <div className="page muted">Loading journey…</div>;
  return (
    <ReactFlowProvider>
      <EditorCanvas
        detail={detail.data}
        manifests={manifests.data}
        pickers={pickers}
        segmentIds={segmentIds}
      />
    </ReactFlowProvider>
  );
}

/** Wires the canvas state, the server life of the journey, and the panels around the canvas. */
function EditorCanvas({
  detail,
  manifests,
  pickers,
  segmentIds,
}: {
  detail: JourneyDetail;
  manifests: ActionManifest[];
  pickers: ConditionPickers;
  segmentIds: ReadonlySet<string> | undefined;
}) {
  const [simulating, setSimulating] = useState(false);
  const [simulation, setSimulation] = useState<SimulationView | null>(null);
  const [showProblems, setShowProblems] = useState(false);
  const [showFunnel, setShowFunnel] = useState(false);
  // The stats poll and the toolbar both follow the status that publishing, pausing and resuming change.
  const statusState = useState(detail.status);
  const status = statusState[0];
  // Live stats only mean something once a version runs.
  const stats = useJourneyStats(detail.id, status === 'published' || status === 'paused');
  const canvas = useJourneyCanvas({
    draft: detail.draft,
    manifests,
    segmentIds,
    stats: stats.data,
    simulation,
  });
  const flow = usePublishFlow(detail, canvas.definition, statusState);
  const { selectedNode, catalog, issues, issuesByNode } = canvas;
  const entryEvent = startingEvent(canvas.definition);
  const stepPickers = useMemo(
    () => (entryEvent ? { ...pickers, entryEvent } : pickers),
    [pickers, entryEvent],
  );

  return (
    <EditorViewContext.Provider value={canvas.view}>
      <div className="editor">
        <EditorToolbar
          name={detail.name}
          flow={flow}
          canUndo={canvas.canvas.past.length > 0}
          canRedo={canvas.canvas.future.length > 0}
          onUndo={() => canvas.dispatch({ type: 'undo' })}
          onRedo={() => canvas.dispatch({ type: 'redo' })}
          onRelayout={canvas.relayout}
          simulating={simulating}
          onToggleSimulate={() => {
            if (simulating) setSimulation(null);
            setSimulating(!simulating);
          }}
          problemCount={issues.length}
          onToggleProblems={() => setShowProblems(!showProblems)}
          journeyId={detail.id}
        />
        <UnsavedWork detail={detail} canvas={canvas} flow={flow} />
        <EditorMessages
          flow={flow}
          issues={issues}
          showProblems={showProblems}
          onCloseProblems={() => setShowProblems(false)}
          nodeIds={canvas.definition.nodes.map((n) => n.id)}
          onSelect={canvas.select}
          definition={canvas.definition}
          catalog={catalog}
        />
        {stats.data && (
          <StatsStrip
            stats={stats.data}
            showFunnel={showFunnel}
            onToggleFunnel={() => setShowFunnel(!showFunnel)}
          />
        )}
        {showFunnel && (
          <JourneyFunnel
            journeyId={detail.id}
            definition={canvas.definition}
            onClose={() => setShowFunnel(false)}
          />
        )}
        <div className="editor-body">
          <Palette actions={canvas.paletteActions} onAdd={canvas.addFromPalette} />
          <FlowCanvas canvas={canvas} />
          {simulating ? (
            <SimulatePanel
              journeyId={detail.id}
              definition={canvas.definition}
              catalog={catalog}
              onResult={setSimulation}
              onSelectNode={canvas.select}
              onClose={() => setSimulating(false)}
            />
          ) : selectedNode ? (
            <Inspector
              key={selectedNode.id}
              node={selectedNode}
              pickers={stepPickers}
              issues={issuesByNode.get(selectedNode.id) ?? []}
              onChange={canvas.onNodeEdit}
              {...(selectedNode.kind === 'action'
                ? { actionEntry: catalog(selectedNode.action.type, selectedNode.action.version) }
                : {})}
            />
          ) : (
            <SettingsForm
              settings={canvas.settings}
              onChange={(s) => canvas.setSettings(s)}
              issues={issues}
            />
          )}
        </div>
        <datalist id="cairn-events">
          {pickers.events.map((e) => (
            <option key={e} value={e} />
          ))}
        </datalist>
      </div>
    </EditorViewContext.Provider>
  );
}
