import fc from 'fast-check';
import type { JourneyEdge, JourneyNode } from '@cairn/core';
import { winBackJourney } from './fixtures.js';
import { NODE_HEIGHT, NODE_WIDTH, autoLayout } from './layout.js';

function overlaps(a: JourneyNode, b: JourneyNode): boolean {
  const p = a.position!;
  const q = b.position!;
  return (
    p.x < q.x + NODE_WIDTH &&
    q.x < p.x + NODE_WIDTH &&
    p.y < q.y + NODE_HEIGHT &&
    q.y < p.y + NODE_HEIGHT
  );
}

function expectTidy(nodes: JourneyNode[], edges: JourneyEdge[]) {
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) expect(overlaps(nodes[i]!, nodes[j]!)).toBe(false);
  const y = new Map(nodes.map((n) => [n.id, n.position!.y]));
  for (const e of edges)
    expect(y.get(e.target)!).toBeGreaterThanOrEqual(y.get(e.source)! + NODE_HEIGHT);
}

describe('autoLayout', () => {
  it('places a journey top to bottom without overlaps', () => {
    const def = winBackJourney();
    const scattered = def.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } }));
    const laid = autoLayout(scattered, def.edges);
    expect(laid.map((n) => n.id)).toEqual(def.nodes.map((n) => n.id));
    expectTidy(laid, def.edges);
  });

  it('holds for any tree-shaped journey', () => {
    // Each node i > 0 hangs under a random earlier node: any such graph is a DAG.
    const trees = fc.array(fc.nat(), { minLength: 1, maxLength: 25 }).map((parents) => {
      const nodes: JourneyNode[] = [{ id: 'n0', kind: 'trigger', trigger: { type: 'manual' } }];
      const edges: JourneyEdge[] = [];
      parents.forEach((p, i) => {
        const id = `n${i + 1}`;
        nodes.push({ id, kind: 'delay', duration: { amount: 1, unit: 'days' } });
        edges.push({ id: `e${i}`, source: `n${p % (i + 1)}`, sourceHandle: 'next', target: id });
      });
      return { nodes, edges };
    });
    fc.assert(
      fc.property(trees, ({ nodes, edges }) => expectTidy(autoLayout(nodes, edges), edges)),
      { numRuns: 40 },
    );
  });

  it("puts each output's next step under its handle, left to right", () => {
    const condition = {
      on: 'profile' as const,
      condition: { type: 'all' as const, conditions: [] },
    };
    const nodes: JourneyNode[] = [
      { id: 't', kind: 'trigger', trigger: { type: 'manual' } },
      { id: 'b', kind: 'branch', condition },
      {
        id: 'm',
        kind: 'multiSplit',
        branches: ['p1', 'p2', 'p3'].map((id) => ({ id, label: id, condition })),
      },
      ...['no-exit', 'p1-exit', 'p2-exit', 'p3-exit', 'else-exit'].map((id): JourneyNode => ({
        id,
        kind: 'exit',
      })),
    ];
    // In the order a definition usually lists them: Yes first.
    const edges: JourneyEdge[] = [
      { id: 'e0', source: 't', sourceHandle: 'next', target: 'b' },
      { id: 'e1', source: 'b', sourceHandle: 'yes', target: 'm' },
      { id: 'e2', source: 'b', sourceHandle: 'no', target: 'no-exit' },
      ...['p1', 'p2', 'p3', 'else'].map((p, i) => ({
        id: `m${i}`,
        source: 'm',
        sourceHandle: p,
        target: `${p}-exit`,
      })),
    ];
    const laid = autoLayout(nodes, edges);
    const x = (id: string) => laid.find((n) => n.id === id)!.position!.x;
    expect(x('m')).toBeLessThan(x('no-exit'));
    const under = ['p1-exit', 'p2-exit', 'p3-exit', 'else-exit'].map(x);
    expect(under).toEqual([...under].sort((a, b) => a - b));
    expectTidy(laid, edges);
  });
});
