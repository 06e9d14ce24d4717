import type { JourneyProblem } from '@cairn/core';
import { createCanvasCache } from './flow-cache.js';
import type { CanvasInputs } from './flow-cache.js';
import { testCatalog, winBackJourney } from './fixtures.js';

function inputs(overrides: Partial<CanvasInputs> = {}): CanvasInputs {
  const def = winBackJourney();
  return {
    graph: { nodes: def.nodes, edges: def.edges },
    catalog: testCatalog,
    selected: new Set(),
    measured: {},
    issuesByNode: new Map(),
    pathEdges: new Set(),
    ...overrides,
  };
}

describe('createCanvasCache', () => {
  it('hands back the same node and edge objects when nothing about them changed', () => {
    const build = createCanvasCache();
    const base = inputs();
    const first = build(base);
    // A fresh selection set, measurement record and problem map with the same contents change nothing.
    const second = build({ ...base, selected: new Set(), measured: {}, issuesByNode: new Map() });
    expect(second.nodes.every((n, i) => n === first.nodes[i])).toBe(true);
    expect(second.edges.every((e, i) => e === first.edges[i])).toBe(true);
  });

  it('draws a routed edge down its lane and rebuilds only that edge when its lane moves', () => {
    const build = createCanvasCache();
    const base = inputs({ routes: new Map([['e5', { laneX: 420 }]]) });
    const first = build(base);
    const routed = first.edges.find((e) => e.id === 'e5')!;
    expect(routed.type).toBe('routed');
    expect(routed.data).toEqual({ outputLabel: 'Timeout', laneX: 420 });
    expect(first.edges.filter((e) => e.type === 'routed')).toHaveLength(1);
    const second = build({ ...base, routes: new Map([['e5', { laneX: 460 }]]) });
    const changed = second.edges.filter((e, i) => e !== first.edges[i]).map((e) => e.id);
    expect(changed).toEqual(['e5']);
  });

  it('rebuilds only the step that moved, keeping the others and their card data', () => {
    const build = createCanvasCache();
    const base = inputs();
    const first = build(base);
    const nodes = base.graph.nodes.map((n) =>
      n.id === 'd' ? { ...n, position: { x: 40, y: 150 } } : n,
    );
    const second = build({ ...base, graph: { ...base.graph, nodes } });
    const changed = second.nodes.filter((n, i) => n !== first.nodes[i]).map((n) => n.id);
    expect(changed).toEqual(['d']);
    expect(second.nodes.find((n) => n.id === 'd')?.position).toEqual({ x: 40, y: 150 });
  });

  it('carries a measured size and a selection on the node, leaving card data alone', () => {
    const build = createCanvasCache();
    const base = inputs();
    const first = build(base);
    const second = build({
      ...base,
      measured: { mail: { width: 240, height: 110 } },
      selected: new Set(['w']),
    });
    const mail = second.nodes.find((n) => n.id === 'mail')!;
    expect(mail.measured).toEqual({ width: 240, height: 110 });
    expect(mail.data).toBe(first.nodes.find((n) => n.id === 'mail')!.data);
    expect(second.nodes.find((n) => n.id === 'w')?.selected).toBe(true);
    expect(
      second.nodes
        .filter((n, i) => n !== first.nodes[i])
        .map((n) => n.id)
        .sort(),
    ).toEqual(['mail', 'w']);
  });

  it('gives a step new data when its problems, stats or simulated path change', () => {
    const build = createCanvasCache();
    const base = inputs();
    const first = build(base);
    const problem: JourneyProblem = {
      path: 'nodes[2].config.subject',
      message: 'enter a subject line',
      nodeId: 'mail',
    } as JourneyProblem;
    const second = build({
      ...base,
      issuesByNode: new Map([['mail', [problem]]]),
      stats: { x: { entered: 3, waiting: 0, converted: 0, outputs: {} } },
      pathNodes: new Set(['d']),
      pathEdges: new Set(['e1']),
    });
    const byId = (list: typeof second.nodes, id: string) => list.find((n) => n.id === id)!;
    expect(byId(second.nodes, 'mail').data.issues).toEqual([problem]);
    expect(byId(second.nodes, 'x').data.stats?.entered).toBe(3);
    expect(byId(second.nodes, 'd').data.onPath).toBe(true);
    expect(byId(second.nodes, 't').data).toBe(byId(first.nodes, 't').data);
    const e1 = second.edges.find((e) => e.id === 'e1')!;
    expect(e1.className).toBe('journey-edge on-path');
    expect(e1.animated).toBe(true);
    expect(second.edges.find((e) => e.id === 'e2')).toBe(first.edges.find((e) => e.id === 'e2'));
  });

  it('labels edges with the output they leave from', () => {
    const { edges } = createCanvasCache()(inputs());
    expect(edges.find((e) => e.id === 'e6')?.label).toBe('A (70%)');
    expect(edges.find((e) => e.id === 'e6')?.targetHandle).toBe('in');
  });
});
