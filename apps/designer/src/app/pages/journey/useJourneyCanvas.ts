import { useCallback, useMemo, useReducer, useRef, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { JourneyDefinition, JourneyNode, JourneySettings } from '@cairn/core';
import type { ActionManifest, JourneyStats } from '../../../api/client.js';
import { createCanvasCache } from '../../../graph/flow-cache.js';
import {
  addNodeAfter,
  connectOutput,
  connectableTargets,
  createNode,
  deleteEdges,
  deleteNodes,
  freshId,
  pruneDanglingEdges,
  updateNode,
} from '../../../graph/edit.js';
import { outputsOf } from '../../../graph/definition.js';
import { autoLayout } from '../../../graph/layout.js';
import { canvasReducer, initialCanvas } from '../../../graph/store.js';
import type { SimulationView } from '../../../graph/simulate.js';
import { catalogFromManifests, latestManifests } from '../../catalog.js';
import type { EditorView, StepChoice } from '../../nodes/context.js';
import { legibleFit, startingGraph, stepNames } from './canvas-model.js';
import { useCanvasShortcuts } from './useCanvasShortcuts.js';
import { useJourneyProblems } from './useJourneyProblems.js';
import { useEdgeRoutes } from './useEdgeRoutes.js';
import { useFlowChanges } from './useFlowChanges.js';
import { useRevealStep } from './useRevealStep.js';

/**
 * The canvas's own state: the graph with undo history, selection, measured sizes and settings, and the
 * edits a marketer makes to them. Knows nothing of the server; the editor saves what `definition` says.
 */
export function useJourneyCanvas({
  draft,
  manifests,
  segmentIds,
  stats,
  simulation,
}: {
  draft: JourneyDefinition;
  manifests: ActionManifest[];
  segmentIds: ReadonlySet<string> | undefined;
  stats: JourneyStats | undefined;
  simulation: SimulationView | null;
}) {
  const flow = useReactFlow();
  const [canvas, dispatch] = useReducer(canvasReducer, draft, (d) => {
    const opening = catalogFromManifests(manifests);
    return initialCanvas(startingGraph(d, (n) => outputsOf(n, opening)));
  });
  const [settings, setSettings] = useState<JourneySettings>(draft.settings);
  const { measured, onNodesChange, onEdgesChange } = useFlowChanges(dispatch);
  const wrapper = useRef<HTMLDivElement>(null);
  // For callbacks that read the graph when called (a "+" menu opening), without re-creating the view.
  const graphRef = useRef(canvas.graph);
  graphRef.current = canvas.graph;
  const reveal = useRevealStep(wrapper, canvas.graph.nodes.length);

  const catalog = useMemo(() => catalogFromManifests(manifests), [manifests]);
  const paletteActions = useMemo(() => latestManifests(manifests), [manifests]);
  const definition: JourneyDefinition = useMemo(
    () => ({ ...draft, settings, nodes: canvas.graph.nodes, edges: canvas.graph.edges }),
    [draft, settings, canvas.graph],
  );
  const { issues, issuesByNode } = useJourneyProblems(definition, catalog, segmentIds);

  const selectedIds = useMemo(() => new Set(canvas.selection), [canvas.selection]);
  const pathNodes = useMemo(
    () => (simulation ? new Set(simulation.path) : undefined),
    [simulation],
  );
  const pathEdges = useMemo(() => new Set(simulation?.pathEdges ?? []), [simulation]);
  // Unchanged steps keep their node objects, so React Flow and the memoized cards skip them.
  const [buildCanvas] = useState(createCanvasCache);
  const lanes = useEdgeRoutes(canvas.graph, catalog, measured);
  const { routes } = lanes;
  const { nodes, edges } = useMemo(
    () =>
      buildCanvas({
        graph: canvas.graph,
        catalog,
        selected: selectedIds,
        measured,
        issuesByNode,
        ...(stats ? { stats: stats.nodes } : {}),
        ...(pathNodes ? { pathNodes } : {}),
        pathEdges,
        routes,
      }),
    [
      routes,
      buildCanvas,
      canvas.graph,
      catalog,
      selectedIds,
      measured,
      issuesByNode,
      stats,
      pathNodes,
      pathEdges,
    ],
  );

  const addStep = useCallback(
    (
      choice: StepChoice,
      at?: { x: number; y: number },
      after?: { nodeId: string; output: string },
    ) => {
      const g = graphRef.current;
      const taken = new Set([...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)]);
      const id = freshId(choice.action?.type ?? choice.kind, taken);
      const node = createNode(choice.kind, id, {
        ...(choice.action ? { action: choice.action } : {}),
        ...(at ? { position: at } : {}),
      });
      dispatch({
        type: 'edit',
        change: (graph) =>
          after
            ? addNodeAfter(graph, after.nodeId, after.output, node, catalog)
            : { ...graph, nodes: [...graph.nodes, node] },
      });
      reveal(id);
    },
    [catalog, reveal],
  );

  const view: EditorView = useMemo(
    () => ({
      actionTitle: (type, version) => catalog(type, version)?.manifest.title,
      actions: paletteActions,
      addAfter: (nodeId, output, choice) => addStep(choice, undefined, { nodeId, output }),
      targets: (nodeId) =>
        stepNames(
          connectableTargets(graphRef.current, nodeId),
          (n) => catalog(n.action.type, n.action.version)?.manifest.title,
        ),
      connectTo: (nodeId, output, target) =>
        dispatch({
          type: 'edit',
          change: (g) =>
            connectOutput(g, { source: nodeId, sourceHandle: output, target }, catalog),
        }),
    }),
    [catalog, paletteActions, addStep],
  );

  const deleteSelection = useCallback(() => {
    dispatch({
      type: 'edit',
      change: (g) => deleteEdges(deleteNodes(g, canvas.selection), canvas.selection),
    });
  }, [canvas.selection]);
  useCanvasShortcuts(canvas, dispatch, deleteSelection);

  function relayout() {
    dispatch({
      type: 'edit',
      change: (g) => ({ ...g, nodes: autoLayout(g.nodes, g.edges, (n) => outputsOf(n, catalog)) }),
    });
    setTimeout(() => legibleFit(flow, wrapper.current), 50);
  }

  function centerOfCanvas() {
    const rect = wrapper.current?.getBoundingClientRect();
    if (!rect) return { x: 0, y: 0 };
    const p = flow.screenToFlowPosition({
      x: rect.left + rect.width / 2,
      y: rect.top + rect.height / 3,
    });
    return { x: Math.round(p.x - 120), y: Math.round(p.y) };
  }

  /** Clicking a palette item attaches the step under the selected node's first free output, else drops it mid-canvas. */
  function addFromPalette(choice: StepChoice) {
    const selected = canvas.graph.nodes.find(
      (n) => canvas.selection.length === 1 && n.id === canvas.selection[0],
    );
    if (selected) {
      const used = new Set(
        canvas.graph.edges.filter((e) => e.source === selected.id).map((e) => e.sourceHandle),
      );
      const free = nodes
        .find((n) => n.id === selected.id)
        ?.data.outputs.find((o) => !used.has(o.name));
      if (free) return addStep(choice, undefined, { nodeId: selected.id, output: free.name });
    }
    addStep(choice, centerOfCanvas());
  }

  const selectedNode =
    canvas.selection.length === 1
      ? canvas.graph.nodes.find((n) => n.id === canvas.selection[0])
      : undefined;
  const onNodeEdit = (node: JourneyNode, field: string) =>
    dispatch({
      type: 'edit',
      key: `${node.id}:${field}`,
      change: (g) => pruneDanglingEdges(updateNode(g, node), catalog),
    });
  const select = useCallback((id: string) => dispatch({ type: 'select', ids: [id] }), []);
  const onConnect = (c: { source: string; sourceHandle: string | null; target: string }) =>
    c.sourceHandle &&
    dispatch({
      type: 'edit',
      change: (g) =>
        connectOutput(
          g,
          { source: c.source, sourceHandle: c.sourceHandle!, target: c.target },
          catalog,
        ),
    });

  return {
    canvas,
    dispatch,
    settings,
    setSettings,
    wrapper,
    catalog,
    paletteActions,
    definition,
    issues,
    issuesByNode,
    nodes,
    edges,
    view,
    addStep,
    onNodesChange,
    onEdgesChange,
    lanes,
    onConnect,
    relayout,
    addFromPalette,
    selectedNode,
    onNodeEdit,
    select,
  };
}

export type JourneyCanvas = ReturnType<typeof useJourneyCanvas>;
