import type { JourneyDefinition, JourneyNode } from '@cairn/core';

export type NodeChange = { id: string; label: string; fields: string[] };
export type JourneyDiff = {
  added: { id: string; label: string }[];
  removed: { id: string; label: string }[];
  changed: NodeChange[];
  /** Connections as "source.output → target". */
  connectionsAdded: string[];
  connectionsRemoved: string[];
  settingsChanged: string[];
};

const labelOf = (n: JourneyNode) => n.label || n.id;
const withoutPosition = ({ position: _position, ...rest }: JourneyNode) => rest;
const connection = (e: { source: string; sourceHandle: string; target: string }) =>
  `${e.source}.${e.sourceHandle} → ${e.target}`;

/** Top-level fields whose value differs (moving a node on the canvas is not a change to what contacts experience). */
function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** What publishing `next` changes compared with the published `previous` version, node by node. */
export function diffJourneys(previous: JourneyDefinition, next: JourneyDefinition): JourneyDiff {
  const before = new Map(previous.nodes.map((n) => [n.id, n]));
  const after = new Map(next.nodes.map((n) => [n.id, n]));
  const beforeEdges = new Set(previous.edges.map(connection));
  const afterEdges = new Set(next.edges.map(connection));
  return {
    added: next.nodes
      .filter((n) => !before.has(n.id))
      .map((n) => ({ id: n.id, label: labelOf(n) })),
    removed: previous.nodes
      .filter((n) => !after.has(n.id))
      .map((n) => ({ id: n.id, label: labelOf(n) })),
    changed: next.nodes.flatMap((n) => {
      const old = before.get(n.id);
      if (!old) return [];
      const fields = changedFields(withoutPosition(old), withoutPosition(n));
      return fields.length ? [{ id: n.id, label: labelOf(n), fields }] : [];
    }),
    connectionsAdded: [...afterEdges].filter((c) => !beforeEdges.has(c)),
    connectionsRemoved: [...beforeEdges].filter((c) => !afterEdges.has(c)),
    settingsChanged: changedFields(previous.settings, next.settings),
  };
}

export function isEmptyDiff(diff: JourneyDiff): boolean {
  return Object.values(diff).every((list) => list.length === 0);
}
