import {
  addNodeAfter,
  connect,
  connectOutput,
  connectableTargets,
  copySelection,
  createNode,
  deleteNodes,
  paste,
  pruneDanglingEdges,
} from './edit.js';
import { testCatalog, winBackJourney } from './fixtures.js';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.js';

const graphOf = () => {
  const { nodes, edges } = winBackJourney();
  return { nodes, edges };
};

describe('addNodeAfter', () => {
  it('adds a node on a free output, placed below its parent', () => {
    const g = graphOf();
    const next = addNodeAfter(g, 'mail', 'bounced', createNode('exit', 'bye'), testCatalog);
    const added = next.nodes.find((n) => n.id === 'bye')!;
    expect(next.edges).toContainEqual(
      expect.objectContaining({ source: 'mail', sourceHandle: 'bounced', target: 'bye' }),
    );
    expect(added.position!.y).toBeGreaterThan(g.nodes.find((n) => n.id === 'mail')!.position!.y);
    expect(next.edges).toHaveLength(g.edges.length + 1);
  });

  it('splices the node in when the output was already wired', () => {
    const next = addNodeAfter(
      graphOf(),
      't',
      'next',
      createNode('delay', 'wait-more'),
      testCatalog,
    );
    const out = (id: string) => next.edges.filter((e) => e.source === id).map((e) => e.target);
    expect(out('t')).toEqual(['wait-more']);
    expect(out('wait-more')).toEqual(['d']);
  });

  it('places the new step beside, not on top of, a step already below its parent', () => {
    const g = graphOf();
    const next = addNodeAfter(g, 't', 'next', createNode('delay', 'wait-more'), testCatalog);
    const at = next.nodes.find((n) => n.id === 'wait-more')!.position!;
    const d = g.nodes.find((n) => n.id === 'd')!.position!;
    expect(Math.abs(at.x - d.x) >= NODE_WIDTH || Math.abs(at.y - d.y) >= NODE_HEIGHT).toBe(true);
  });

  it('renames a colliding id and ignores unknown outputs', () => {
    const g = graphOf();
    const next = addNodeAfter(g, 'mail', 'bounced', createNode('delay', 'd'), testCatalog);
    expect(new Set(next.nodes.map((n) => n.id)).size).toBe(next.nodes.length);
    expect(addNodeAfter(g, 'mail', 'opened', createNode('exit', 'z'), testCatalog)).toBe(g);
  });
});

describe("an action's outputs lead to the next step together", () => {
  const targetsOf = (g: { edges: { source: string; sourceHandle: string; target: string }[] }) =>
    Object.fromEntries(
      g.edges.filter((e) => e.source === 'mail').map((e) => [e.sourceHandle, e.target]),
    );
  // The email with no outputs wired yet.
  const bareMail = () => {
    const g = graphOf();
    return { ...g, edges: g.edges.filter((e) => e.source !== 'mail') };
  };

  it('wires Sent and Bounced to a step added after either of them', () => {
    // Only the steps down to the email, so the spot under it is free.
    const upToMail = bareMail();
    upToMail.nodes = upToMail.nodes.filter((n) => ['t', 'd', 'mail'].includes(n.id));
    const next = addNodeAfter(upToMail, 'mail', 'sent', createNode('delay', 'pause'), testCatalog);
    expect(targetsOf(next)).toEqual({ sent: 'pause', bounced: 'pause' });
    // Straight under the email, since both outputs lead there.
    const mail = next.nodes.find((n) => n.id === 'mail')!;
    expect(next.nodes.find((n) => n.id === 'pause')!.position!.x).toBe(mail.position!.x);
  });

  it('leaves an output that is already wired where it was', () => {
    const next = addNodeAfter(graphOf(), 'mail', 'bounced', createNode('exit', 'bye'), testCatalog);
    expect(targetsOf(next)).toEqual({ sent: 'w', bounced: 'bye' });
  });

  it('gives a spliced-in action both outputs to the old next step', () => {
    const next = addNodeAfter(
      graphOf(),
      'd',
      'next',
      createNode('action', 'mail2', { action: { type: 'email', version: 1 } }),
      testCatalog,
    );
    const from = (id: string) =>
      next.edges.filter((e) => e.source === id).map((e) => `${e.sourceHandle}→${e.target}`);
    expect(from('d')).toEqual(['next→mail2']);
    expect(from('mail2').sort()).toEqual(['bounced→mail', 'sent→mail']);
  });

  it('does not join the outputs of a branch or a split', () => {
    const g = graphOf();
    const next = addNodeAfter(g, 'w', 'matched', createNode('exit', 'bye'), testCatalog);
    expect(next.edges.filter((e) => e.source === 'w').map((e) => e.target)).toEqual([
      'split',
      'bye',
    ]);
  });

  it('connects "+" to an existing step, with the free sibling output along', () => {
    const next = connectOutput(
      bareMail(),
      { source: 'mail', sourceHandle: 'bounced', target: 'x' },
      testCatalog,
    );
    expect(targetsOf(next)).toEqual({ bounced: 'x', sent: 'x' });
    const ids = next.edges.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const wired = connectOutput(
      graphOf(),
      { source: 'mail', sourceHandle: 'bounced', target: 'x' },
      testCatalog,
    );
    expect(targetsOf(wired)).toEqual({ sent: 'w', bounced: 'x' });
  });

  it('offers every step but the trigger and the step itself as a target', () => {
    expect(connectableTargets(graphOf(), 'mail').map((n) => n.id)).toEqual([
      'd',
      'w',
      'split',
      'g',
      'x',
    ]);
  });
});

describe('deleteNodes', () => {
  it('removes the node and every edge touching it, but never the trigger', () => {
    const next = deleteNodes(graphOf(), ['w', 't']);
    expect(next.nodes.map((n) => n.id)).not.toContain('w');
    expect(next.nodes.map((n) => n.id)).toContain('t');
    expect(next.edges.some((e) => e.source === 'w' || e.target === 'w')).toBe(false);
    expect(next.edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e6', 'e7']);
  });
});

describe('connect', () => {
  it('keeps one edge per output: a new connection replaces the old one', () => {
    const next = connect(
      graphOf(),
      { source: 'w', sourceHandle: 'timeout', target: 'x' },
      testCatalog,
    );
    const fromTimeout = next.edges.filter((e) => e.source === 'w' && e.sourceHandle === 'timeout');
    expect(fromTimeout.map((e) => e.target)).toEqual(['x']);
  });

  it('refuses self-loops, edges into the trigger and outputs the node does not have', () => {
    const g = graphOf();
    expect(connect(g, { source: 'd', sourceHandle: 'next', target: 'd' }, testCatalog)).toBe(g);
    expect(connect(g, { source: 'd', sourceHandle: 'next', target: 't' }, testCatalog)).toBe(g);
    expect(connect(g, { source: 'd', sourceHandle: 'yes', target: 'x' }, testCatalog)).toBe(g);
  });

  it('lets two outputs of one node lead to the same node', () => {
    const next = connect(
      graphOf(),
      { source: 'mail', sourceHandle: 'bounced', target: 'w' },
      testCatalog,
    );
    expect(next.edges.filter((e) => e.source === 'mail').map((e) => e.target)).toEqual(['w', 'w']);
  });
});

describe('copy and paste', () => {
  it('pastes copies with fresh ids, rewires internal edges and shifts them', () => {
    const g = graphOf();
    const clip = copySelection(g, ['w', 'split', 'x', 't']);
    expect(clip.nodes.map((n) => n.id)).toEqual(['w', 'split', 'x']);
    const { graph, pastedIds } = paste(g, clip);
    expect(pastedIds).toHaveLength(3);
    for (const id of pastedIds) expect(g.nodes.map((n) => n.id)).not.toContain(id);
    const ids = graph.nodes.map((n) => n.id).concat(graph.edges.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    const pastedEdges = graph.edges.slice(g.edges.length);
    expect(pastedEdges).toHaveLength(3); // w→split, split→x (a), split→x (b)
    for (const e of pastedEdges)
      expect(pastedIds).toEqual(expect.arrayContaining([e.source, e.target]));
    const original = g.nodes.find((n) => n.id === 'w')!;
    const copy = graph.nodes.find((n) => n.id === pastedIds[0])!;
    expect(copy.position).toEqual({ x: original.position!.x + 40, y: original.position!.y + 40 });
  });

  it('pasting twice never reuses an id', () => {
    const g = graphOf();
    const clip = copySelection(g, ['d']);
    const once = paste(g, clip).graph;
    const twice = paste(once, clip);
    expect(twice.graph.nodes.filter((n) => n.kind === 'delay')).toHaveLength(3);
    expect(new Set(twice.graph.nodes.map((n) => n.id)).size).toBe(twice.graph.nodes.length);
  });
});

describe('pruneDanglingEdges', () => {
  it('drops edges from an output that was removed', () => {
    const g = graphOf();
    const withoutB = {
      ...g,
      nodes: g.nodes.map((n) =>
        n.kind === 'randomSplit' ? { ...n, variants: n.variants.slice(0, 1) } : n,
      ),
    };
    expect(pruneDanglingEdges(withoutB, testCatalog).edges.map((e) => e.id)).not.toContain('e7');
  });
});
