import { createNode, deleteNodes, updateNode } from './edit.js';
import { winBackJourney } from './fixtures.js';
import { HISTORY_LIMIT, canvasReducer, initialCanvas } from './store.js';
import type { CanvasAction, CanvasState } from './store.js';

const start = () => {
  const { nodes, edges } = winBackJourney();
  return initialCanvas({ nodes, edges });
};
const run = (state: CanvasState, ...actions: CanvasAction[]) =>
  actions.reduce(canvasReducer, state);
const ids = (s: CanvasState) => s.graph.nodes.map((n) => n.id);

describe('canvas store', () => {
  it('undoes and redoes edits in order', () => {
    const s0 = start();
    const s2 = run(
      s0,
      { type: 'edit', change: (g) => deleteNodes(g, ['x']) },
      { type: 'edit', change: (g) => deleteNodes(g, ['split']) },
    );
    expect(ids(s2)).not.toContain('split');
    const back1 = run(s2, { type: 'undo' });
    expect(ids(back1)).toContain('split');
    expect(ids(back1)).not.toContain('x');
    const back2 = run(back1, { type: 'undo' });
    expect(back2.graph).toEqual(s0.graph);
    expect(run(back2, { type: 'redo' }, { type: 'redo' }).graph).toEqual(s2.graph);
  });

  it('a new edit after undo clears the redo stack', () => {
    const s = run(
      start(),
      { type: 'edit', change: (g) => deleteNodes(g, ['x']) },
      { type: 'undo' },
    );
    expect(s.future).toHaveLength(1);
    const edited = run(s, { type: 'edit', change: (g) => deleteNodes(g, ['g']) });
    expect(edited.future).toHaveLength(0);
    expect(run(edited, { type: 'redo' })).toBe(edited);
  });

  it('undo on an empty history changes nothing', () => {
    const s = start();
    expect(run(s, { type: 'undo' })).toBe(s);
  });

  it('collapses edits with the same key (typing in one field) into one undo step', () => {
    const typeAmount = (amount: number): CanvasAction => ({
      type: 'edit',
      key: 'd.duration',
      change: (g) => updateNode(g, { id: 'd', kind: 'delay', duration: { amount, unit: 'days' } }),
    });
    const s = run(start(), typeAmount(1), typeAmount(12), typeAmount(14));
    expect(s.past).toHaveLength(1);
    const undone = run(s, { type: 'undo' });
    expect(undone.graph.nodes.find((n) => n.id === 'd')).toMatchObject({ duration: { amount: 3 } });
  });

  it('a drag undoes as one step: checkpoint, then unrecorded moves', () => {
    const s = run(
      start(),
      { type: 'checkpoint' },
      { type: 'move', positions: { d: { x: 10, y: 10 } } },
      { type: 'move', positions: { d: { x: 99, y: 300 } } },
    );
    expect(s.graph.nodes.find((n) => n.id === 'd')?.position).toEqual({ x: 99, y: 300 });
    expect(run(s, { type: 'undo' }).graph.nodes.find((n) => n.id === 'd')?.position).toEqual({
      x: 0,
      y: 150,
    });
  });

  it('drops deleted nodes from the selection, and a no-op edit records nothing', () => {
    const selected = run(start(), { type: 'select', ids: ['w', 'd'] });
    const s = run(selected, { type: 'edit', change: (g) => deleteNodes(g, ['w']) });
    expect(s.selection).toEqual(['d']);
    expect(run(s, { type: 'edit', change: (g) => g }).past).toHaveLength(1);
  });

  it('keeps at most HISTORY_LIMIT undo steps', () => {
    let s = start();
    for (let i = 0; i < HISTORY_LIMIT + 5; i++)
      s = canvasReducer(s, {
        type: 'edit',
        change: (g) => ({ ...g, nodes: [...g.nodes, createNode('exit', `x${i}`)] }),
      });
    expect(s.past).toHaveLength(HISTORY_LIMIT);
  });
});

describe('selection', () => {
  it('folds React Flow select toggles into the selection', () => {
    const s = run(
      start(),
      {
        type: 'selectChanges',
        changes: [
          { id: 'd', selected: true },
          { id: 'w', selected: true },
        ],
      },
      { type: 'selectChanges', changes: [{ id: 'd', selected: false }] },
    );
    expect(s.selection).toEqual(['w']);
    expect(s.past).toHaveLength(0);
  });
});
