import { Graph, layout } from '@dagrejs/dagre';
import type { JourneyEdge, JourneyNode } from '@cairn/core';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 96;

/** Top-to-bottom layout; returns the same nodes with new top-left positions (React Flow's origin). */
export function autoLayout(
  nodes: JourneyNode[],
  edges: JourneyEdge[],
  size: { width: number; height: number } = { width: NODE_WIDTH, height: NODE_HEIGHT },
): JourneyNode[] {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 72, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: size.width, height: size.height });
  const ids = new Set(nodes.map((n) => n.id));
  for (const edge of edges) {
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
