import type {
  ActionCatalog,
  JourneyEdge,
  JourneyNode,
  JourneyNodeKind as JourneyKind,
} from '@cairn/core';
import { outputsOf } from './definition.js';
import type { JourneyGraph } from './convert.js';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.js';

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

/** `wanted`, or the first spot to its right where the new step does not sit on top of another. */
function freeSpot(
  nodes: JourneyNode[],
  wanted: { x: number; y: number },
): { x: number; y: number } {
  const taken = (x: number) =>
    nodes.some(
      (n) =>
        n.position &&
        Math.abs(n.position.x - x) < NODE_WIDTH + 16 &&
        Math.abs(n.position.y - wanted.y) < NODE_HEIGHT + 16,
    );
  let x = wanted.x;
  for (let i = 0; i < 50 && taken(x); i++) x += NODE_WIDTH + 40;
  return { x, y: wanted.y };
}

/**
 * An action's outputs are delivery outcomes (Sent, Skipped), not choices: a marketer expects the journey to
 * go on to the same next step either way, so a new link from one output also takes its unwired siblings.
 */
function sharesNextStep(node: JourneyNode): boolean {
  return node.kind === 'action';
}

/** Edges for `source`'s `output`, plus its unwired sibling outputs when it is an action, all to `target`. */
function edgesToNext(
  source: JourneyNode,
  output: string,
  target: string,
  edges: JourneyEdge[],
  catalog: ActionCatalog,
  taken: Set<string>,
): JourneyEdge[] {
  const wired = new Set(edges.filter((e) => e.source === source.id).map((e) => e.sourceHandle));
  const outputs = sharesNextStep(source)
    ? outputsOf(source, catalog).filter((o) => o === output || !wired.has(o))
    : [output];
  return outputs.map((sourceHandle) => ({
    id: freshId('edge', taken),
    source: source.id,
    sourceHandle,
    target,
  }));
}

/**
 * Adds `node` after `sourceId`'s `output`. If that output already led somewhere, the new node is
 * spliced in: source → node → old target, so nothing is orphaned. An action's other free outputs (and
 * a new action's outputs) lead to the same next step (see `sharesNextStep`).
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
    position:
      node.position ??
      freeSpot(graph.nodes, {
        // An action's outputs all lead here, so the step sits straight under it.
        x: Math.round(origin.x + (sharesNextStep(source) ? 0 : column * 280)),
        y: origin.y + VERTICAL_GAP,
      }),
  };
  const existing = graph.edges.find((e) => e.source === sourceId && e.sourceHandle === output);
  const edges: JourneyEdge[] = graph.edges.filter((e) => e !== existing);
  edges.push(...edgesToNext(source, output, placed.id, edges, catalog, taken));
  const firstOutput = outputsOf(placed, catalog)[0];
  if (existing && firstOutput !== undefined)
    edges.push(...edgesToNext(placed, firstOutput, existing.target, edges, catalog, taken));
  return { nodes: [...graph.nodes, placed], edges };
}

/**
 * What a marketer's link does (a handle dragged to a step, or "+" → a step already there): like `connect`,
 * and an action's unwired sibling outputs follow to the same step (see `sharesNextStep`).
 */
export function connectOutput(
  graph: JourneyGraph,
  connection: Connection,
  catalog: ActionCatalog,
): JourneyGraph {
  const linked = connect(graph, connection, catalog);
  const source = linked.nodes.find((n) => n.id === connection.source);
  if (linked === graph || !source || !sharesNextStep(source)) return linked;
  const taken = takenIds(linked);
  const siblings = edgesToNext(
    source,
    connection.sourceHandle,
    connection.target,
    linked.edges,
    catalog,
    taken,
  ).filter((e) => e.sourceHandle !== connection.sourceHandle);
  return siblings.length ? { ...linked, edges: [...linked.edges, ...siblings] } : linked;
}

/** Steps that an output of `sourceId` may lead to: every step but the trigger and the step itself. */
export function connectableTargets(graph: JourneyGraph, sourceId: string): JourneyNode[] {
  return graph.nodes.filter((n) => n.id !== sourceId && n.kind !== 'trigger');
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
