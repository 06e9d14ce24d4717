import { diffJourneys, isEmptyDiff } from './diff.js';
import { winBackJourney } from './fixtures.js';

describe('diffJourneys', () => {
  it('reports nothing when only positions moved', () => {
    const next = winBackJourney();
    next.nodes = next.nodes.map((n) => ({ ...n, position: { x: 999, y: 999 } }));
    expect(isEmptyDiff(diffJourneys(winBackJourney(), next))).toBe(true);
  });

  it('names added, removed and changed steps and rewired connections', () => {
    const next = winBackJourney();
    next.nodes = next.nodes.filter((n) => n.id !== 'g');
    next.nodes.push({ id: 'late', kind: 'exit', label: 'Too late' });
    next.nodes = next.nodes.map((n) =>
      n.id === 'd' && n.kind === 'delay' ? { ...n, duration: { amount: 5, unit: 'days' } } : n,
    );
    next.edges = next.edges.map((e) => (e.id === 'e4' ? { ...e, target: 'late' } : e));
    next.settings = { ...next.settings, holdoutPercent: 20 };
    const diff = diffJourneys(winBackJourney(), next);
    expect(diff.added).toEqual([{ id: 'late', label: 'Too late' }]);
    expect(diff.removed).toEqual([{ id: 'g', label: 'g' }]);
    expect(diff.changed).toEqual([{ id: 'd', label: 'd', fields: ['duration'] }]);
    expect(diff.connectionsAdded).toEqual(['w.matched → late']);
    expect(diff.connectionsRemoved).toEqual(['w.matched → g']);
    expect(diff.settingsChanged).toEqual(['holdoutPercent']);
  });
});
