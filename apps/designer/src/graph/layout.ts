import { Graph, layout } from '@dagrejs/dagre';
import { nodeOutputs } from '@cairn/core';
import type { JourneyEdge, JourneyNode } from '@cairn/core';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 96;

/**
 * Top-to-bottom layout; returns the same nodes with new top-left positions (React Flow's origin).
 * `outputsOf` gives a node's outputs in the order their handles sit, left to right (core's by default,
 * which knows no action's outputs).
 */
export function autoLayout(
  nodes: JourneyNode[],
  edges: JourneyEdge[],
  outputsOf: (node: JourneyNode) => string[] = (node) => nodeOutputs(node),
  size: { width: number; height: number } = { width: NODE_WIDTH, height: NODE_HEIGHT },
): JourneyNode[] {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 72, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: size.width, height: size.height });
  const ids = new Set(nodes.map((n) => n.id));
  // dagre puts the target of the edge it was given first on the right: giving each node's edges from its
  // last output to its first puts Yes under the Yes handle, not across the No edge.
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const handleIndex = (e: JourneyEdge) => {
    const source = byId.get(e.source);
    return source ? outputsOf(source).indexOf(e.sourceHandle) : -1;
  };
  const bySource = new Map<string, JourneyEdge[]>();
  for (const edge of edges) bySource.set(edge.source, [...(bySource.get(edge.source) ?? []), edge]);
  for (const list of bySource.values()) list.sort((a, b) => handleIndex(b) - handleIndex(a));
  const ordered = [...bySource.values()].flat().map((edge) => ({ edge }));
  for (const { edge } of ordered) {
    if (ids.has(edge.source) && ids.has(edge.target)) graph.setEdge(edge.source, edge.target);
  }
  layout(graph);
  return nodes.map((node) => {
    const placed = graph.node(node.id) as { x: number; y: number };
    return {
      ...node,
      position: {
        x: Math.round(placed.x - size.width / 2),
        y: Math.round(placed.y - size.height / 2),
      },
    };
  });
}
