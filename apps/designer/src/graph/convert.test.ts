import { fromFlow, toFlow } from './convert.js';
import { testCatalog, winBackJourney } from './fixtures.js';

describe('toFlow', () => {
  it('gives each node its kind as React Flow type and its outputs as labelled handles', () => {
    const { nodes } = toFlow(winBackJourney(), testCatalog);
    const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
    expect(byId['d']?.type).toBe('delay');
    expect(byId['w']?.data.outputs.map((o) => o.name)).toEqual(['matched', 'timeout']);
    expect(byId['mail']?.data.outputs.map((o) => o.name)).toEqual(['sent', 'bounced']);
    expect(byId['split']?.data.outputs).toEqual([
      { name: 'a', label: 'A (70%)' },
      { name: 'b', label: 'B (30%)' },
    ]);
    expect(byId['x']?.data.outputs).toEqual([]);
    expect(byId['t']?.deletable).toBe(false);
  });

  it('shortens a manifest output label to its words before the parentheses and keeps the rest as a hint', () => {
    const def = winBackJourney();
    const labelled = (type: string, version: number) =>
      type === 'email'
        ? {
            ...testCatalog(type, version)!,
            outputLabels: { sent: 'Sent', bounced: 'Skipped (unsubscribed or no address)' },
          }
        : testCatalog(type, version);
    const { nodes, edges } = toFlow(def, labelled);
    expect(nodes.find((n) => n.id === 'mail')?.data.outputs).toEqual([
      { name: 'sent', label: 'Sent' },
      { name: 'bounced', label: 'Skipped', hint: 'unsubscribed or no address' },
    ]);
    expect(edges.filter((e) => e.source === 'mail').map((e) => e.data?.outputLabel)).not.toContain(
      'Skipped (unsubscribed or no address)',
    );
  });

  it('puts the output name on the edge source handle', () => {
    const { edges } = toFlow(winBackJourney(), testCatalog);
    expect(edges.find((e) => e.id === 'e5')).toMatchObject({
      source: 'w',
      sourceHandle: 'timeout',
      target: 'split',
    });
  });

  it('falls back to a single "next" output for an action missing from the catalog', () => {
    const def = winBackJourney();
    def.nodes.push({
      id: 'custom',
      kind: 'action',
      action: { type: 'sms', version: 9 },
      config: {},
    });
    const custom = toFlow(def, testCatalog).nodes.find((n) => n.id === 'custom');
    expect(custom?.data.outputs.map((o) => o.name)).toEqual(['next']);
    expect(custom?.position).toEqual({ x: 0, y: 0 });
  });
});

describe('fromFlow', () => {
  it('round-trips a journey graph unchanged', () => {
    const def = winBackJourney();
    const flow = toFlow(def, testCatalog);
    expect(fromFlow(flow.nodes, flow.edges)).toEqual({ nodes: def.nodes, edges: def.edges });
  });

  it('keeps positions moved on the canvas', () => {
    const flow = toFlow(winBackJourney(), testCatalog);
    const moved = flow.nodes.map((n) =>
      n.id === 'd' ? { ...n, position: { x: 40.4, y: 212.6 } } : n,
    );
    const back = fromFlow(moved, flow.edges);
    expect(back.nodes.find((n) => n.id === 'd')?.position).toEqual({ x: 40, y: 213 });
  });

  it('treats an edge without handle as the "next" output', () => {
    const flow = toFlow(winBackJourney(), testCatalog);
    const back = fromFlow(flow.nodes, [{ id: 'z', source: 't', target: 'd', sourceHandle: null }]);
    expect(back.edges).toEqual([{ id: 'z', source: 't', sourceHandle: 'next', target: 'd' }]);
  });
});
