import type { ActionCatalog, JourneyDefinition } from '@cairn/core';

/** A catalog with an email (sent/bounced) and a webhook action; email needs a subject. */
export const testCatalog: ActionCatalog = (type, version) => {
  if (type === 'email' && version === 1)
    return {
      outputs: ['sent', 'bounced'],
      validateConfig: (config) =>
        typeof (config as { subject?: unknown }).subject === 'string' &&
        (config as { subject: string }).subject
          ? []
          : [{ path: 'subject', message: 'enter a subject line' }],
    };
  if (type === 'webhook' && version === 2) return { outputs: ['next'], validateConfig: () => [] };
  return undefined;
};

export function winBackJourney(): JourneyDefinition {
  return {
    name: 'Win-back',
    settings: { reentry: { policy: 'afterExit' }, exitOnSegmentExit: true, holdoutPercent: 10 },
    nodes: [
      {
        id: 't',
        kind: 'trigger',
        trigger: { type: 'segmentEntered', segmentId: 'lapsed' },
        position: { x: 0, y: 0 },
      },
      { id: 'd', kind: 'delay', duration: { amount: 3, unit: 'days' }, position: { x: 0, y: 150 } },
      {
        id: 'mail',
        kind: 'action',
        label: 'Win-back #1',
        action: { type: 'email', version: 1 },
        config: { subject: 'We miss you' },
        position: { x: 0, y: 300 },
      },
      {
        id: 'w',
        kind: 'waitFor',
        for: { type: 'event', event: 'order_completed' },
        timeout: { amount: 5, unit: 'days' },
        position: { x: 0, y: 450 },
      },
      {
        id: 'split',
        kind: 'randomSplit',
        variants: [
          { id: 'a', label: 'A', weight: 70 },
          { id: 'b', label: 'B', weight: 30 },
        ],
        position: { x: 200, y: 600 },
      },
      {
        id: 'g',
        kind: 'goal',
        condition: { on: 'eventSinceEntry', event: 'order_completed' },
        position: { x: -200, y: 600 },
      },
      { id: 'x', kind: 'exit', position: { x: 200, y: 750 } },
    ],
    edges: [
      { id: 'e1', source: 't', sourceHandle: 'next', target: 'd' },
      { id: 'e2', source: 'd', sourceHandle: 'next', target: 'mail' },
      { id: 'e3', source: 'mail', sourceHandle: 'sent', target: 'w' },
      { id: 'e4', source: 'w', sourceHandle: 'matched', target: 'g' },
      { id: 'e5', source: 'w', sourceHandle: 'timeout', target: 'split' },
      { id: 'e6', source: 'split', sourceHandle: 'a', target: 'x' },
      { id: 'e7', source: 'split', sourceHandle: 'b', target: 'x' },
    ],
  };
}
