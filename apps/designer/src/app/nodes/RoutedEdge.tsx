import { BaseEdge } from '@xyflow/react';
import type { EdgeProps, EdgeTypes } from '@xyflow/react';
import type { JourneyFlowEdge } from '../../graph/convert.js';
import { detourPoints } from '../../graph/route.js';

const RADIUS = 10;

/** An SVG path through the corners, rounded so it reads as one line rather than a staircase. */
function roundedPath(points: { x: number; y: number }[]): string {
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const r = Math.min(
      RADIUS,
      (Math.abs(b.x - a.x) + Math.abs(b.y - a.y)) / 2,
      (Math.abs(c.x - b.x) + Math.abs(c.y - b.y)) / 2,
    );
    const before = { x: b.x - Math.sign(b.x - a.x) * r, y: b.y - Math.sign(b.y - a.y) * r };
    const after = { x: b.x + Math.sign(c.x - b.x) * r, y: b.y + Math.sign(c.y - b.y) * r };
    d += ` L ${before.x} ${before.y} Q ${b.x} ${b.y} ${after.x} ${after.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}

/** An edge that would pass behind a step, drawn down a side lane instead (lanes come from graph/route). */
function RoutedEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  data,
  label,
  markerEnd,
  style,
}: EdgeProps<JourneyFlowEdge>) {
  const laneX = data?.laneX ?? (sourceX + targetX) / 2;
  const path = roundedPath(
    detourPoints({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, laneX),
  );
  return (
    <BaseEdge
      id={id}
      path={path}
      label={label}
      labelX={laneX}
      labelY={(sourceY + targetY) / 2}
      {...(markerEnd ? { markerEnd } : {})}
      {...(style ? { style } : {})}
    />
  );
}

// Built once at module load: a new edgeTypes object would make React Flow redraw every edge.
export const journeyEdgeTypes: EdgeTypes = { routed: RoutedEdge };
