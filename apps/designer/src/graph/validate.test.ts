import { testCatalog, winBackJourney } from './fixtures.js';
import { summarizeNode } from './summary.js';
import { validateGraph } from './validate.js';

describe('validateGraph', () => {
  it('finds nothing wrong with a complete journey', () => {
    expect(validateGraph(winBackJourney(), testCatalog)).toEqual([]);
  });

  it('names the field and the fix', () => {
    const def = winBackJourney();
    def.nodes[1] = { id: 'd', kind: 'delay', duration: { amount: 0, unit: 'days' } };
    def.nodes[2] = { id: 'mail', kind: 'action', action: { type: 'email', version: 1 }, config: {} };
    const issues = validateGraph(def, testCatalog);
    expect(issues).toContainEqual({ path: 'nodes[1].duration.amount', message: 'must be a whole number ≥ 1', nodeId: 'd' });
    expect(issues).toContainEqual({ path: 'nodes[2].config.subject', message: 'enter a subject line', nodeId: 'mail' });
  });

  it('flags unreachable nodes and a missing trigger', () => {
    const def = winBackJourney();
    def.edges = def.edges.filter((e) => e.id !== 'e5');
    expect(validateGraph(def, testCatalog).filter((i) => i.message.includes('not reachable')).map((i) => i.nodeId)).toEqual([
      'split',
      'x',
    ]);
    def.nodes = def.nodes.filter((n) => n.kind !== 'trigger');
    expect(validateGraph(def, testCatalog)[0]?.message).toBe('must contain exactly one trigger (found 0)');
  });
});

describe('summarizeNode', () => {
  it('reads like a sentence', () => {
    const def = winBackJourney();
    const byId = (id: string) => def.nodes.find((n) => n.id === id)!;
    expect(summarizeNode(byId('d'))).toBe('Wait 3 days');
    expect(summarizeNode(byId('mail'), 'Email')).toBe('Email: Win-back #1');
    expect(summarizeNode({ id: 'x', kind: 'delay', duration: { amount: 1, unit: 'hours' } })).toBe('Wait 1 hour');
    expect(
      summarizeNode({ id: 'u', kind: 'waitUntil', until: { type: 'profileDate', field: 'purchase.predictedNextOrderAt', offset: { amount: -2, unit: 'days' } } }),
    ).toBe('Until purchase.predictedNextOrderAt − 2 days');
  });
});
