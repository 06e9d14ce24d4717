import fc from 'fast-check';
import { JOURNEY_TEMPLATES, instantiateTemplate } from '@cairn/core';
import type { JourneyEdge, JourneyNode } from '@cairn/core';
import { outputsOf } from './definition.js';
import { NODE_HEIGHT, NODE_WIDTH, autoLayout } from './layout.js';
import { bezierPoints, detourPoints, handlePoint, routeEdges } from './route.js';
import type { Point, Rect } from './route.js';

// Email-like actions have two outputs, as on the real canvas.
const catalog = () => ({ outputs: ['sent', 'skipped'], validateConfig: () => [] });
const outputs = (n: JourneyNode) => outputsOf(n, catalog);
const card = (n: JourneyNode): Rect => ({ ...n.position!, width: NODE_WIDTH, height: NODE_HEIGHT });

/** Points along what the canvas draws for each edge, densely enough to find a step it passes behind. */
function drawn(from: Point, to: Point, laneX: number | undefined): Point[] {
  if (laneX === undefined) return bezierPoints(from, to);
  const corners = detourPoints(from, to, laneX);
  return corners.slice(1).flatMap((c, i) => {
    const a = corners[i]!;
    return Array.from({ length: 33 }, (_, k) => ({
      x: a.x + ((c.x - a.x) * k) / 32,
      y: a.y + ((c.y - a.y) * k) / 32,
    }));
  });
}

/** The edges that pass behind a step other than their own two ends, as drawn with these routes. */
function hidden(nodes: JourneyNode[], edges: JourneyEdge[], routed: boolean): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const routes = routed ? routeEdges(nodes, edges, outputs) : new Map();
  return edges.flatMap((e) => {
    const source = byId.get(e.source)!;
    const target = byId.get(e.target)!;
    const outs = outputs(source);
    const from = handlePoint(card(source), outs.indexOf(e.sourceHandle), outs.length);
    const to = { x: target.position!.x + NODE_WIDTH / 2, y: target.position!.y };
    const path = drawn(from, to, routes.get(e.id)?.laneX);
    const behind = nodes.some((n) => {
      if (n === source || n === target) return false;
      const r = card(n);
      return path.some(
        (p) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height,
      );
    });
    return behind ? [`${e.source}.${e.sourceHandle}→${e.target}`] : [];
  });
}

function template(id: string) {
  const t = JOURNEY_TEMPLATES.find((x) => x.id === id)!;
  const values = Object.fromEntries(
    (t.parameters ?? []).map((p: { key: string }) => [p.key, /Orders/.test(p.key) ? '3' : 'seg']),
  );
  const def = instantiateTemplate(t, values as never);
  return { nodes: autoLayout(def.nodes, def.edges), edges: def.edges };
}

describe('edges drawn around steps', () => {
  it('a laid-out template with long edges has them drawn behind steps unless routed', () => {
    const { nodes, edges } = template('ecommerce-purchase-frequency');
    // The case the routes exist for: after auto-layout the plain curves cross other steps.
    expect(hidden(nodes, edges, false).length).toBeGreaterThan(0);
    expect(hidden(nodes, edges, true)).toEqual([]);
  });

  it('leaves an edge to the step right below as the plain curve', () => {
    const { nodes, edges } = template('streaming-win-back');
    expect(routeEdges(nodes, edges, outputs).size).toBe(0);
  });

  it('routes a branch whose Yes skips past the steps on its No side', () => {
    const nodes: JourneyNode[] = [
      { id: 't', kind: 'trigger', trigger: { type: 'manual' } },
      {
        id: 'b',
        kind: 'branch',
        condition: { on: 'profile', condition: { type: 'all', conditions: [] } },
      },
      { id: 'd1', kind: 'delay', duration: { amount: 1, unit: 'days' } },
      { id: 'd2', kind: 'delay', duration: { amount: 1, unit: 'days' } },
      { id: 'x', kind: 'exit' },
    ];
    const edges: JourneyEdge[] = [
      { id: 'e1', source: 't', sourceHandle: 'next', target: 'b' },
      { id: 'yes', source: 'b', sourceHandle: 'yes', target: 'x' },
      { id: 'no', source: 'b', sourceHandle: 'no', target: 'd1' },
      { id: 'e3', source: 'd1', sourceHandle: 'next', target: 'd2' },
      { id: 'e4', source: 'd2', sourceHandle: 'next', target: 'x' },
    ];
    // Stacked in one column, as a marketer might place them by hand.
    const column = nodes.map((n, i) => ({ ...n, position: { x: 0, y: i * 168 } }));
    expect(hidden(column, edges, false)).toEqual(['b.yes→x']);
    expect(hidden(column, edges, true)).toEqual([]);
    expect([...routeEdges(column, edges, outputs).keys()]).toEqual(['yes']);
  });

  it('holds for any laid-out journey where steps join back together', () => {
    // Node i > 0 hangs under a free output of an earlier node; free outputs left over then join a later node.
    const journeys = fc
      .array(fc.tuple(fc.nat(), fc.nat()), { minLength: 2, maxLength: 20 })
      .map((picks) => {
        const nodes: JourneyNode[] = [{ id: 'n0', kind: 'trigger', trigger: { type: 'manual' } }];
        const edges: JourneyEdge[] = [];
        const free: { id: string; output: string; index: number }[] = [
          { id: 'n0', output: 'next', index: 0 },
        ];
        picks.forEach(([p], i) => {
          if (free.length === 0) return;
          const [parent] = free.splice(p % free.length, 1);
          const id = `n${i + 1}`;
          nodes.push({
            id,
            kind: 'waitFor',
            for: { type: 'event', event: 'x' },
            timeout: { amount: 1, unit: 'days' },
          });
          edges.push({ id: `e${i}`, source: parent!.id, sourceHandle: parent!.output, target: id });
          free.push(
            { id, output: 'matched', index: i + 1 },
            { id, output: 'timeout', index: i + 1 },
          );
        });
        picks.forEach(([, skip], i) => {
          const open = free[i];
          const later = open ? open.index + 1 + (skip % 5) : nodes.length;
          if (open && later < nodes.length)
            edges.push({
              id: `j${i}`,
              source: open.id,
              sourceHandle: open.output,
              target: `n${later}`,
            });
        });
        return { nodes, edges };
      });
    fc.assert(
      fc.property(journeys, ({ nodes, edges }) => {
        const laid = autoLayout(nodes, edges);
        expect(hidden(laid, edges, true)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
