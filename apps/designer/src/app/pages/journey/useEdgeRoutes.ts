import { useMemo, useRef, useState } from 'react';
import type { ActionCatalog } from '@cairn/core';
import type { JourneyGraph } from '../../../graph/convert.js';
import { outputsOf } from '../../../graph/definition.js';
import { routeEdges } from '../../../graph/route.js';
import type { EdgeRoute } from '../../../graph/route.js';

type Sizes = Readonly<Record<string, { width: number; height: number }>>;

/** Everything lanes depend on, and nothing else: typing in a step's form does not re-route. */
function geometryKey(graph: JourneyGraph, catalog: ActionCatalog, measured: Sizes): string {
  const nodes = graph.nodes.map((n) => {
    const size = measured[n.id];
    return `${n.id}@${n.position?.x},${n.position?.y}/${size?.width}x${size?.height}:${outputsOf(n, catalog).join(',')}`;
  });
  const edges = graph.edges.map((e) => `${e.id}:${e.source}.${e.sourceHandle}>${e.target}`);
  return `${nodes.join('|')}#${edges.join('|')}`;
}

/**
 * Side lanes for the edges that would pass behind a step. Routing a 500-step journey takes tens of
 * milliseconds, so it runs when the geometry changes and not during a drag (lanes catch up on drop).
 */
export function useEdgeRoutes(graph: JourneyGraph, catalog: ActionCatalog, measured: Sizes) {
  const [dragging, setDragging] = useState(false);
  const latest = useRef({ graph, measured });
  latest.current = { graph, measured };
  const key = useMemo(
    () => (dragging ? null : geometryKey(graph, catalog, measured)),
    [dragging, graph, catalog, measured],
  );
  const last = useRef<ReadonlyMap<string, EdgeRoute>>(new Map());
  const routes = useMemo(() => {
    if (key === null) return last.current;
    const { graph: g, measured: sizes } = latest.current;
    return routeEdges(
      g.nodes,
      g.edges,
      (n) => outputsOf(n, catalog),
      (id) => sizes[id],
    );
  }, [key, catalog]);
  last.current = routes;
  return {
    routes,
    onDragStart: () => setDragging(true),
    onDragStop: () => setDragging(false),
  };
}
