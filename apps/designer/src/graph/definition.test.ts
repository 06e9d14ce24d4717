import type { JourneyNode } from '@cairn/core';
import { startingEvent } from './definition.js';

const trigger = (
  t: Extract<JourneyNode, { kind: 'trigger' }>['trigger'],
): { nodes: JourneyNode[] } => ({
  nodes: [
    { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    { id: 'trigger', kind: 'trigger', trigger: t },
  ],
});

describe('the event that starts a journey', () => {
  it('is the event trigger’s event', () => {
    expect(startingEvent(trigger({ type: 'event', event: 'Order Completed' }))).toBe(
      'Order Completed',
    );
  });

  it('is none for a trigger that is not an event, or an event not named yet', () => {
    expect(startingEvent(trigger({ type: 'segmentEntered', segmentId: 'vip' }))).toBeUndefined();
    expect(startingEvent(trigger({ type: 'manual' }))).toBeUndefined();
    expect(startingEvent(trigger({ type: 'event', event: '' }))).toBeUndefined();
  });
});
