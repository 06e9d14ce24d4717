import type { Edge, Node } from '@xyflow/react';
import type {
  ActionCatalog,
  JourneyDefinition,
  JourneyEdge,
  JourneyNode,
  JourneyNodeKind as JourneyKind,
} from '@cairn/core';
import { outputsOf } from './definition.js';

/** `hint` is the part of a manifest label in parentheses, shown on hover so the canvas stays readable. */
export type OutputHandle = { name: string; label: string; hint?: string };
export type JourneyNodeData = { node: JourneyNode; outputs: OutputHandle[] };
export type JourneyFlowNode = Node<JourneyNodeData, JourneyKind>;
export type JourneyFlowEdge = Edge<{ outputLabel: string; laneX?: number }>;
export type JourneyGraph = Pick<JourneyDefinition, 'nodes' | 'edges'>;

/** Optional richer catalog entries (from the API manifest) may carry human labels per output. */
type LabelledEntry = { outputLabels?: Record<string, string> };

function humanize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function outputHandles(node: JourneyNode, catalog: ActionCatalog): OutputHandle[] {
  const names = outputsOf(node, catalog);
  return names.map((name) => {
    let label: string | undefined;
    if (node.kind === 'multiSplit') label = node.branches.find((b) => b.id === name)?.label;
    if (node.kind === 'randomSplit') {
      const variant = node.variants.find((v) => v.id === name);
      if (variant) label = `${variant.label} (${variant.weight}%)`;
    }
    if (node.kind === 'action') {
      const entry = catalog(node.action.type, node.action.version) as
        (LabelledEntry & object) | undefined;
      const full = entry?.outputLabels?.[name];
      // "Skipped (unsubscribed or no address)" → "Skipped", with the reason as a hint.
      const parts = full?.match(/^(.+?)\s*\((.+)\)$/);
      if (parts) return { name, label: parts[1]!, hint: parts[2]! };
      label = full;
    }
    return { name, label: label || humanize(name) };
  });
}

/** Domain graph → React Flow state. Nodes without a saved position start at the origin (auto-layout fixes that). */
export function toFlow(
  def: JourneyGraph,
  catalog: ActionCatalog,
): { nodes: JourneyFlowNode[]; edges: JourneyFlowEdge[] } {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const nodes: JourneyFlowNode[] = def.nodes.map((node) => ({
    id: node.id,
    type: node.kind,
    position: node.position ?? { x: 0, y: 0 },
    data: { node, outputs: outputHandles(node, catalog) },
    // The trigger is the single entry point: it has no input handle and cannot be removed by React Flow.
    deletable: node.kind !== 'trigger',
  }));
  const edges: JourneyFlowEdge[] = def.edges.map((edge) => {
    const source = byId.get(edge.source);
    const label = source
      ? outputHandles(source, catalog).find((o) => o.name === edge.sourceHandle)?.label
      : undefined;
    return {
      id: edge.id,
      source: edge.source,
      sourceHandle: edge.sourceHandle,
      target: edge.target,
      targetHandle: 'in',
      data: { outputLabel: label ?? edge.sourceHandle },
    };
  });
  return { nodes, edges };
}

/** React Flow state → domain graph. Positions are kept (rounded); the flow-only fields are dropped. */
export function fromFlow(nodes: Node[], edges: Edge[]): JourneyGraph {
  const domainNodes: JourneyNode[] = nodes.map((flowNode) => {
    const node = (flowNode.data as Partial<JourneyNodeData>).node;
    if (!node) throw new Error(`flow node ${flowNode.id} carries no journey node in data.node`);
    return {
      ...node,
      id: flowNode.id,
      position: { x: Math.round(flowNode.position.x), y: Math.round(flowNode.position.y) },
    };
  });
  const domainEdges: JourneyEdge[] = edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    // An edge drawn from a single-output node may arrive without a handle id.
    sourceHandle: edge.sourceHandle ?? 'next',
    target: edge.target,
  }));
  return { nodes: domainNodes, edges: domainEdges };
}
