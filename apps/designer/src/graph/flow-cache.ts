import type { ActionCatalog, JourneyNode, JourneyProblem } from '@cairn/core';
import type { NodeStats } from '../api/client.js';
import type {
  JourneyFlowEdge,
  JourneyFlowNode,
  JourneyGraph,
  JourneyNodeData,
  OutputHandle,
} from './convert.js';
import { outputHandles } from './convert.js';
import type { EdgeRoute } from './route.js';

/** What a node card shows beyond the journey node itself. */
export type CanvasNodeData = JourneyNodeData & {
  issues: JourneyProblem[];
  stats?: NodeStats;
  onPath: boolean;
};
export type CanvasFlowNode = Omit<JourneyFlowNode, 'data'> & { data: CanvasNodeData };

export type CanvasInputs = {
  graph: JourneyGraph;
  catalog: ActionCatalog;
  selected: ReadonlySet<string>;
  measured: Readonly<Record<string, { width: number; height: number }>>;
  issuesByNode: ReadonlyMap<string, JourneyProblem[]>;
  stats?: Readonly<Record<string, NodeStats>>;
  pathNodes?: ReadonlySet<string>;
  pathEdges: ReadonlySet<string>;
  /** Edges drawn down a side lane because the plain curve would pass behind a step. */
  routes?: ReadonlyMap<string, EdgeRoute>;
};

type NodeEntry = {
  node: JourneyNode;
  catalog: ActionCatalog;
  outputs: OutputHandle[];
  issuesKey: string;
  statsKey: string;
  onPath: boolean;
  data: CanvasNodeData;
  selected: boolean;
  measured: unknown;
  flow: CanvasFlowNode;
};
type EdgeEntry = {
  edge: JourneyGraph['edges'][number];
  label: string;
  selected: boolean;
  onPath: boolean;
  laneX: number | undefined;
  flow: JourneyFlowEdge;
};

const issuesKey = (issues: JourneyProblem[] | undefined) =>
  (issues ?? []).map((p) => `${p.path}\u0000${p.message}`).join('\u0001');

/**
 * Builds React Flow's nodes and edges from the journey, handing back the *same object* for every node and
 * edge whose inputs did not change. React Flow and the memoized node card skip anything that is the same
 * object, so a change to one step (or a size measurement, or a new selection) re-renders that step only,
 * not all 500 on a large journey.
 */
export function createCanvasCache() {
  let nodes = new Map<string, NodeEntry>();
  let edges = new Map<string, EdgeEntry>();

  return function build(input: CanvasInputs): {
    nodes: CanvasFlowNode[];
    edges: JourneyFlowEdge[];
  } {
    const nextNodes = new Map<string, NodeEntry>();
    const flowNodes = input.graph.nodes.map((node) => {
      const before = nodes.get(node.id);
      const outputs =
        before && before.node === node && before.catalog === input.catalog
          ? before.outputs
          : outputHandles(node, input.catalog);
      const issues = input.issuesByNode.get(node.id) ?? [];
      const stats = input.stats?.[node.id];
      const entry: Omit<NodeEntry, 'data' | 'flow'> = {
        node,
        catalog: input.catalog,
        outputs,
        issuesKey: issuesKey(issues),
        // Stats arrive as fresh objects every poll; compare what they say.
        statsKey: stats ? JSON.stringify(stats) : '',
        onPath: input.pathNodes?.has(node.id) ?? false,
        selected: input.selected.has(node.id),
        measured: input.measured[node.id],
      };
      const sameData =
        before !== undefined &&
        before.outputs === outputs &&
        before.node === node &&
        before.issuesKey === entry.issuesKey &&
        before.statsKey === entry.statsKey &&
        before.onPath === entry.onPath;
      const data: CanvasNodeData = sameData
        ? before.data
        : { node, outputs, issues, ...(stats ? { stats } : {}), onPath: entry.onPath };
      const sameFlow =
        sameData && before.selected === entry.selected && before.measured === entry.measured;
      const flow: CanvasFlowNode = sameFlow
        ? before.flow
        : {
            id: node.id,
            type: node.kind,
            position: node.position ?? { x: 0, y: 0 },
            data,
            // The trigger is the single entry point: it has no input handle and cannot be removed by React Flow.
            deletable: node.kind !== 'trigger',
            selected: entry.selected,
            ...(input.measured[node.id] ? { measured: input.measured[node.id] } : {}),
          };
      nextNodes.set(node.id, { ...entry, data, flow });
      return flow;
    });

    const outputsById = new Map([...nextNodes].map(([id, e]) => [id, e.outputs]));
    const nextEdges = new Map<string, EdgeEntry>();
    const flowEdges = input.graph.edges.map((edge) => {
      const before = edges.get(edge.id);
      const label =
        outputsById.get(edge.source)?.find((o) => o.name === edge.sourceHandle)?.label ??
        edge.sourceHandle;
      const selected = input.selected.has(edge.id);
      const onPath = input.pathEdges.has(edge.id);
      const laneX = input.routes?.get(edge.id)?.laneX;
      const same =
        before !== undefined &&
        before.edge === edge &&
        before.label === label &&
        before.selected === selected &&
        before.onPath === onPath &&
        before.laneX === laneX;
      const flow: JourneyFlowEdge = same
        ? before.flow
        : {
            id: edge.id,
            source: edge.source,
            sourceHandle: edge.sourceHandle,
            target: edge.target,
            targetHandle: 'in',
            ...(laneX !== undefined
              ? { type: 'routed', data: { outputLabel: label, laneX } }
              : { data: { outputLabel: label } }),
            label,
            selected,
            className: onPath ? 'journey-edge on-path' : 'journey-edge',
            animated: onPath,
          };
      nextEdges.set(edge.id, { edge, label, selected, onPath, laneX, flow });
      return flow;
    });

    nodes = nextNodes;
    edges = nextEdges;
    return { nodes: flowNodes, edges: flowEdges };
  };
}
