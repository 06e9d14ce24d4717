import type { CairnEvent, JourneyDefinition } from '@cairn/core';
import {
  createJourney,
  ingestEvents,
  journeyTriggerModel,
  publishJourneyDraft,
  syncIndexes,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_heard';
const T0 = Date.parse('2026-11-20T09:00:00Z');

const track = (n: number, event: string): CairnEvent => ({
  messageId: `m-${n}`,
  type: 'track',
  userId: 'ann',
  event,
  properties: {},
  traits: {},
  context: {},
  timestamp: T0 + n,
  receivedAt: T0 + n,
});

// Starts on "Signed Up", then waits for "Video Watched": the only two events it can hear.
const onboarding = {
  name: 'Onboarding',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
    {
      id: 'watch',
      kind: 'waitFor',
      for: { type: 'event', event: 'Video Watched' },
      timeout: { amount: 7, unit: 'days' },
    },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'watch' },
    { id: 'e2', source: 'watch', sourceHandle: 'matched', target: 'done' },
    { id: 'e3', source: 'watch', sourceHandle: 'timeout', target: 'done' },
  ],
} as JourneyDefinition;

describe('the outbox holds only events that some journey can hear', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('heard');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it('writes triggers for the trigger event and the awaited event, none for page views', async () => {
    const { journeyId } = await createJourney(db.connection, WS, {
      name: onboarding.name,
      definition: onboarding,
    });
    await publishJourneyDraft(db.connection, WS, journeyId, { check: async () => [] });
    await ingestEvents(
      db.connection,
      WS,
      [
        track(1, 'Page Viewed'),
        track(2, 'Signed Up'),
        track(3, 'Page Viewed'),
        track(4, 'Video Watched'),
      ],
      { now: T0 + 10 },
    );
    const triggers = await journeyTriggerModel(db.connection)
      .find({ workspaceId: WS, kind: 'event' })
      .sort({ at: 1 })
      .lean();
    expect(triggers.map((t) => t.event)).toEqual(['Signed Up', 'Video Watched']);
  });
});
