import type { JourneyEdge, JourneyNode } from '@cairn/core';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.js';

export type Point = { x: number; y: number };
export type Rect = { x: number; y: number; width: number; height: number };
/** An edge that would pass behind a step is drawn down a side lane at `laneX` instead. */
export type EdgeRoute = { laneX: number };

// How far below the source (and above the target) the detour turns; ranks are 72 px apart after layout.
export const TURN = 20;
// Room between a lane and the steps it passes.
const CLEARANCE = 24;
const SAMPLES = 32;

/** Where an output's handle sits: outputs share the card's bottom edge equally, each handle mid-cell. */
export function handlePoint(card: Rect, output: number, outputs: number): Point {
  return {
    x: card.x + (card.width * (output + 0.5)) / Math.max(outputs, 1),
    y: card.y + card.height,
  };
}

/** Points along the curve React Flow draws from a bottom handle to a top handle. */
export function bezierPoints(from: Point, to: Point): Point[] {
  const drop = Math.abs(to.y - from.y) / 2;
  const c1 = { x: from.x, y: from.y + drop };
  const c2 = { x: to.x, y: to.y - drop };
  return Array.from({ length: SAMPLES + 1 }, (_, i) => {
    const t = i / SAMPLES;
    const u = 1 - t;
    return {
      x: u ** 3 * from.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t ** 3 * to.x,
      y: u ** 3 * from.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t ** 3 * to.y,
    };
  });
}

const inside = (p: Point, r: Rect) =>
  p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;

/** Does the segment a→b (horizontal or vertical) cross the rectangle? */
function crosses(a: Point, b: Point, r: Rect): boolean {
  return (
    Math.min(a.x, b.x) < r.x + r.width &&
    Math.max(a.x, b.x) > r.x &&
    Math.min(a.y, b.y) < r.y + r.height &&
    Math.max(a.y, b.y) > r.y
  );
}

/** The corners of the detour: down from the source, across to the lane, down it, across, down into the target. */
export function detourPoints(from: Point, to: Point, laneX: number): Point[] {
  return [
    from,
    { x: from.x, y: from.y + TURN },
    { x: laneX, y: from.y + TURN },
    { x: laneX, y: to.y - TURN },
    { x: to.x, y: to.y - TURN },
    to,
  ];
}

function detourBlocked(from: Point, to: Point, laneX: number, obstacles: Rect[]): Rect[] {
  const corners = detourPoints(from, to, laneX);
  const left = Math.min(from.x, to.x, laneX);
  const right = Math.max(from.x, to.x, laneX);
  return obstacles.filter(
    (r) =>
      r.x < right &&
      r.x + r.width > left &&
      corners.some((c, i) => i > 0 && crosses(corners[i - 1]!, c, r)),
  );
}

/**
 * Undefined when the plain curve from `from` to `to` passes behind none of `obstacles`; otherwise the x of
 * a clear side lane, on whichever side is nearer, widened past every step the lane itself would meet.
 */
export function laneAround(from: Point, to: Point, obstacles: Rect[]): number | undefined {
  // The curve stays between its ends' x: only steps overlapping that span can hide it.
  const [minX, maxX] = from.x < to.x ? [from.x, to.x] : [to.x, from.x];
  const near = obstacles.filter((r) => r.x < maxX && r.x + r.width > minX);
  if (near.length === 0) return undefined;
  const curve = bezierPoints(from, to);
  const hit = near.filter((r) => curve.some((p) => inside(p, r)));
  if (hit.length === 0) return undefined;
  const side = (direction: -1 | 1): { laneX: number; blocked: number } => {
    let blocking = hit;
    let laneX = from.x;
    for (let round = 0; round < 8 && blocking.length > 0; round++) {
      const edge =
        direction < 0
          ? Math.min(...blocking.map((r) => r.x)) - CLEARANCE
          : Math.max(...blocking.map((r) => r.x + r.width)) + CLEARANCE;
      laneX = direction < 0 ? Math.min(laneX, edge) : Math.max(laneX, edge);
      blocking = detourBlocked(from, to, laneX, obstacles);
    }
    return { laneX, blocked: blocking.length };
  };
  const left = side(-1);
  const right = side(1);
  const midX = (from.x + to.x) / 2;
  if (left.blocked !== right.blocked)
    return left.blocked < right.blocked ? left.laneX : right.laneX;
  return Math.abs(left.laneX - midX) <= Math.abs(right.laneX - midX) ? left.laneX : right.laneX;
}

/**
 * A side lane for every edge whose curve would pass behind a step. Steps are sorted by their top so an
 * edge only looks at the steps between its two ends: cheap enough to run as steps are dragged.
 */
export function routeEdges(
  nodes: JourneyNode[],
  edges: JourneyEdge[],
  outputsOf: (node: JourneyNode) => string[],
  sizeOf: (id: string) => { width: number; height: number } | undefined = () => undefined,
): Map<string, EdgeRoute> {
  const cards = new Map<string, Rect>(
    nodes.map((n) => {
      const size = sizeOf(n.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
      return [n.id, { ...(n.position ?? { x: 0, y: 0 }), ...size }];
    }),
  );
  const byTop = [...cards.entries()].sort((a, b) => a[1].y - b[1].y);
  const tallest = Math.max(0, ...byTop.map(([, c]) => c.height));
  const firstFrom = (y: number) => {
    let lo = 0;
    let hi = byTop.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byTop[mid]![1].y < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const routes = new Map<string, EdgeRoute>();
  for (const edge of edges) {
    const source = byId.get(edge.source);
    const sourceCard = cards.get(edge.source);
    const targetCard = cards.get(edge.target);
    if (!source || !sourceCard || !targetCard) continue;
    const outputs = outputsOf(source);
    const from = handlePoint(
      sourceCard,
      Math.max(outputs.indexOf(edge.sourceHandle), 0),
      outputs.length,
    );
    const to = { x: targetCard.x + targetCard.width / 2, y: targetCard.y };
    // An edge going up (a loop back) is left as React Flow draws it.
    if (to.y <= from.y) continue;
    const obstacles: Rect[] = [];
    for (let i = firstFrom(from.y - tallest); i < byTop.length; i++) {
      const [id, card] = byTop[i]!;
      if (card.y >= to.y) break;
      if (card.y + card.height > from.y && id !== edge.source && id !== edge.target)
        obstacles.push(card);
    }
    const laneX = laneAround(from, to, obstacles);
    if (laneX !== undefined) routes.set(edge.id, { laneX: Math.round(laneX) });
  }
  return routes;
}
