import { nodesInFlowOrder } from './graph.js';
import { journey } from './test-helpers.js';

describe('nodesInFlowOrder', () => {
  it('reads from the trigger down, the yes side of a branch before the no side', () => {
    const def = journey(
      [
        { id: 'gone', kind: 'exit' },
        {
          id: 'bought',
          kind: 'goal',
          condition: { on: 'eventSinceEntry', event: 'Order Completed' },
        },
        { id: 'ask', kind: 'branch', condition: { on: 'eventSinceEntry', event: 'Cart Viewed' } },
        { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
      ],
      // Drawn no-first: the order of the edge list must not decide the funnel's order.
      [
        ['ask', 'no', 'gone'],
        ['ask', 'yes', 'bought'],
        ['wait', 'next', 'ask'],
        ['start', 'next', 'wait'],
      ],
    );
    expect(nodesInFlowOrder(def)).toEqual(['start', 'wait', 'ask', 'bought', 'gone']);
  });

  it('lists a step no edge reaches after the reachable ones, and visits a loop once', () => {
    const def = journey(
      [
        { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
        { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
        { id: 'orphan', kind: 'exit' },
      ],
      [
        ['start', 'next', 'wait'],
        ['wait', 'next', 'wait'],
      ],
    );
    expect(nodesInFlowOrder(def)).toEqual(['start', 'wait', 'orphan']);
  });
});
