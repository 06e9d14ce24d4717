import type {
  ActionCatalog,
  JourneyEdge,
  JourneyNode,
  JourneyNodeKind as JourneyKind,
} from '@cairn/core';
import { outputsOf } from './definition.js';
import type { JourneyGraph } from './convert.js';
import { NODE_HEIGHT } from './layout.js';

const VERTICAL_GAP = NODE_HEIGHT + 64;

/** A fresh id like `delay-3` that no existing node (or edge) uses. */
export function freshId(prefix: string, taken: Set<string>): string {
  let n = 1;
  while (taken.has(`${prefix}-${n}`)) n += 1;
  const id = `${prefix}-${n}`;
  taken.add(id);
  return id;
}

function takenIds(graph: JourneyGraph): Set<string> {
  return new Set([...graph.nodes.map((n) => n.id), ...graph.edges.map((e) => e.id)]);
}

/** A node of the given kind with sensible defaults a marketer can edit from there. */
export function createNode(
  kind: JourneyKind,
  id: string,
  options: { action?: { type: string; version: number }; position?: { x: number; y: number } } = {},
): JourneyNode {
  const base = { id, ...(options.position ? { position: options.position } : {}) };
  const emptyProfileCondition = {
    on: 'profile' as const,
    condition: { type: 'all' as const, conditions: [] },
  };
  switch (kind) {
    case 'trigger':
      return { ...base, kind, trigger: { type: 'manual' } };
    case 'delay':
      return { ...base, kind, duration: { amount: 1, unit: 'days' } };
    case 'waitUntil':
      return { ...base, kind, until: { type: 'timeOfDay', time: '09:00' } };
    case 'waitFor':
      return {
        ...base,
        kind,
        for: { type: 'event', event: '' },
        timeout: { amount: 3, unit: 'days' },
      };
    case 'branch':
      return { ...base, kind, condition: emptyProfileCondition };
    case 'multiSplit':
      return {
        ...base,
        kind,
        branches: [
          { id: 'path-1', label: 'Path 1', condition: emptyProfileCondition },
          { id: 'path-2', label: 'Path 2', condition: emptyProfileCondition },
        ],
      };
    case 'randomSplit':
      return {
        ...base,
        kind,
        variants: [
          { id: 'a', label: 'A', weight: 50 },
          { id: 'b', label: 'B', weight: 50 },
        ],
      };
    case 'action':
      return { ...base, kind, action: options.action ?? { type: 'email', version: 1 }, config: {} };
    case 'goal':
      return { ...base, kind, condition: { on: 'eventSinceEntry', event: '' } };
    case 'exit':
      return { ...base, kind };
  }
}

/**
 * Adds `node` after `sourceId`'s `output`. If that output already led somewhere, the new node is
 * spliced in: source → node → old target (through the node's first output), so nothing is orphaned.
 */
export function addNodeAfter(
  graph: JourneyGraph,
  sourceId: string,
  output: string,
  node: JourneyNode,
  catalog: ActionCatalog,
): JourneyGraph {
  const source = graph.nodes.find((n) => n.id === sourceId);
  if (!source || !outputsOf(source, catalog).includes(output)) return graph;
  const taken = takenIds(graph);
  if (taken.has(node.id)) node = { ...node, id: freshId(node.kind, taken) };
  taken.add(node.id);
  const outputs = outputsOf(source, catalog);
  const column = outputs.indexOf(output) - (outputs.length - 1) / 2;
  const origin = source.position ?? { x: 0, y: 0 };
  const placed: JourneyNode = {
    ...node,
    position: node.position ?? {
      x: Math.round(origin.x + column * 280),
      y: origin.y + VERTICAL_GAP,
    },
  };
  const existing = graph.edges.find((e) => e.source === sourceId && e.sourceHandle === output);
  const edges: JourneyEdge[] = graph.edges.filter((e) => e !== existing);
  edges.push({
    id: freshId('edge', taken),
    source: sourceId,
    sourceHandle: output,
    target: placed.id,
  });
  const firstOutput = outputsOf(placed, catalog)[0];
  if (existing && firstOutput !== undefined) {
    edges.push({
      id: freshId('edge', taken),
      source: placed.id,
      sourceHandle: firstOutput,
      target: existing.target,
    });
  }
  return { nodes: [...graph.nodes, placed], edges };
}

/** Removes nodes and every edge touching them. The trigger is the journey's only entry, so it stays. */
export function deleteNodes(graph: JourneyGraph, ids: string[]): JourneyGraph {
  const doomed = new Set(
    graph.nodes.filter((n) => ids.includes(n.id) && n.kind !== 'trigger').map((n) => n.id),
  );
  if (doomed.size === 0) return graph;
  return {
    nodes: graph.nodes.filter((n) => !doomed.has(n.id)),
    edges: graph.edges.filter((e) => !doomed.has(e.source) && !doomed.has(e.target)),
  };
}

export function deleteEdges(graph: JourneyGraph, ids: string[]): JourneyGraph {
  const doomed = new Set(ids);
  const edges = graph.edges.filter((e) => !doomed.has(e.id));
  return edges.length === graph.edges.length ? graph : { ...graph, edges };
}

export type Connection = { source: string; sourceHandle: string; target: string };

/**
 * Connects an output to a node. Each output leads to exactly one node, so a new connection from an
 * output replaces the old one. Returns the graph unchanged when the connection makes no sense.
 */
export function connect(
  graph: JourneyGraph,
  connection: Connection,
  catalog: ActionCatalog,
): JourneyGraph {
  const source = graph.nodes.find((n) => n.id === connection.source);
  const target = graph.nodes.find((n) => n.id === connection.target);
  if (!source || !target || source.id === target.id || target.kind === 'trigger') return graph;
  if (!outputsOf(source, catalog).includes(connection.sourceHandle)) return graph;
  const edges = graph.edges.filter(
    (e) => !(e.source === connection.source && e.sourceHandle === connection.sourceHandle),
  );
  edges.push({ id: freshId('edge', takenIds(graph)), ...connection });
  return { ...graph, edges };
}

export function updateNode(graph: JourneyGraph, node: JourneyNode): JourneyGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === node.id ? node : n)) };
}

/** Drops edges whose output no longer exists (e.g. after removing a split branch). */
export function pruneDanglingEdges(graph: JourneyGraph, catalog: ActionCatalog): JourneyGraph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = graph.edges.filter((e) => {
    const source = byId.get(e.source);
    return (
      source !== undefined &&
      byId.has(e.target) &&
      outputsOf(source, catalog).includes(e.sourceHandle)
    );
  });
  return edges.length === graph.edges.length ? graph : { ...graph, edges };
}

export type Clipboard = { nodes: JourneyNode[]; edges: JourneyEdge[] };

/** Copies the selected nodes and the edges between them (edges leaving the selection are not copied). */
export function copySelection(graph: JourneyGraph, ids: string[]): Clipboard {
  const chosen = new Set(ids);
  return {
    nodes: graph.nodes.filter((n) => chosen.has(n.id) && n.kind !== 'trigger'),
    edges: graph.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)),
  };
}

/** Pastes a clipboard with fresh node and edge ids, shifted so the copy does not sit on the original. */
export function paste(
  graph: JourneyGraph,
  clipboard: Clipboard,
  offset: { x: number; y: number } = { x: 40, y: 40 },
): { graph: JourneyGraph; pastedIds: string[] } {
  const taken = takenIds(graph);
  const renamed = new Map<string, string>();
  const nodes = clipboard.nodes
    .filter((n) => n.kind !== 'trigger')
    .map((n) => {
      const id = freshId(n.kind, taken);
      renamed.set(n.id, id);
      const at = n.position ?? { x: 0, y: 0 };
      return { ...structuredClone(n), id, position: { x: at.x + offset.x, y: at.y + offset.y } };
    });
  const edges = clipboard.edges.flatMap((e) => {
    const source = renamed.get(e.source);
    const target = renamed.get(e.target);
    return source && target
      ? [{ id: freshId('edge', taken), source, sourceHandle: e.sourceHandle, target }]
      : [];
  });
  return {
    graph: { nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] },
    pastedIds: nodes.map((n) => n.id),
  };
}
