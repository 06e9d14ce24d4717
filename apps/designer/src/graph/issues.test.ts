import { testCatalog, winBackJourney } from './fixtures.js';
import { journeyProblems, problemsByNode } from './issues.js';
import { summarizeNode } from './summary.js';

/** The fixture with every output wired, as core requires before publishing. */
function completeJourney() {
  const def = winBackJourney();
  def.edges.push({ id: 'e8', source: 'mail', sourceHandle: 'bounced', target: 'x' });
  return def;
}

describe('journeyProblems (core validateJourney)', () => {
  it('finds nothing wrong with a complete journey', () => {
    expect(journeyProblems(completeJourney(), testCatalog)).toEqual([]);
  });

  it('badges a wait on a profile date that is not on the profile, with the real one', () => {
    const def = completeJourney();
    def.nodes[1] = {
      id: 'd',
      kind: 'waitUntil',
      until: {
        type: 'profileDate',
        field: 'purchase.predictedNextOrderAt',
        offset: { amount: -14, unit: 'days' },
      },
    };
    const byNode = problemsByNode(journeyProblems(def, testCatalog));
    expect(byNode.get('d')?.map((p) => p.message)).toEqual([
      expect.stringContaining('did you mean "purchases.predictedNextOrderAt"?'),
    ]);
  });

  it('puts each problem on the node it is about, naming the field and the fix', () => {
    const def = completeJourney();
    def.nodes[1] = { id: 'd', kind: 'delay', duration: { amount: 0, unit: 'days' } };
    def.nodes[2] = {
      id: 'mail',
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: {},
    };
    const byNode = problemsByNode(journeyProblems(def, testCatalog));
    expect(byNode.get('d')?.map((p) => p.path)).toEqual(['nodes[1].duration.amount']);
    expect(byNode.get('d')?.[0]?.message).toMatch(/≥ 1/);
    // schema problems stop the graph checks; fix the delay and the action's config is checked
    def.nodes[1] = { id: 'd', kind: 'delay', duration: { amount: 3, unit: 'days' } };
    const again = problemsByNode(journeyProblems(def, testCatalog));
    expect(again.get('mail')?.[0]).toMatchObject({
      path: 'nodes[2].config.subject',
      nodeId: 'mail',
    });
    expect(again.get('mail')?.[0]?.message).toContain('enter a subject line');
  });

  it('flags unreachable nodes and unwired outputs', () => {
    const def = winBackJourney();
    def.edges = def.edges.filter((e) => e.id !== 'e5');
    const problems = journeyProblems(def, testCatalog);
    expect(
      problems.filter((p) => p.message.includes('cannot be reached')).map((p) => p.nodeId),
    ).toEqual(['split', 'x']);
    expect(
      problems.some((p) => p.nodeId === 'w' && p.message.includes('"timeout" is not connected')),
    ).toBe(true);
  });

  it('checks segment references only when the segment list is known', () => {
    expect(
      journeyProblems(completeJourney(), testCatalog, new Set(['other'])).map((p) => p.path),
    ).toEqual(['nodes[0].trigger.segmentId']);
    expect(journeyProblems(completeJourney(), testCatalog, new Set(['lapsed']))).toEqual([]);
  });
});

describe('summarizeNode', () => {
  it('reads like a sentence', () => {
    const def = winBackJourney();
    const byId = (id: string) => def.nodes.find((n) => n.id === id)!;
    expect(summarizeNode(byId('d'))).toBe('Wait 3 days');
    expect(summarizeNode(byId('mail'), 'Email')).toBe('Email: Win-back #1');
    expect(summarizeNode({ id: 'x', kind: 'delay', duration: { amount: 1, unit: 'hours' } })).toBe(
      'Wait 1 hour',
    );
    expect(
      summarizeNode({
        id: 'u',
        kind: 'waitUntil',
        until: {
          type: 'profileDate',
          field: 'purchases.predictedNextOrderAt',
          offset: { amount: -2, unit: 'days' },
        },
      }),
    ).toBe('Until purchases.predictedNextOrderAt − 2 days');
  });
});
