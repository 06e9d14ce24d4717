import type { CairnEvent } from '@cairn/core';
import {
  contactKey,
  contactModel,
  createSegment,
  ingestEvents,
  journeyTriggerModel,
  reevaluateContact,
  segmentMembership,
  syncIndexes,
} from '../src/index';
import { segmentMembershipChangeModel } from '../src/segments/models';
import { testDatabase } from './helpers';

const WS = 'ws_revs';
const T0 = Date.parse('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;

const order = (contactId: string, n: number, at: number): CairnEvent => ({
  messageId: `order-${contactId}-${n}`,
  type: 'track',
  userId: contactId,
  event: 'Order Completed',
  properties: { revenue: 20 },
  traits: {},
  context: {},
  timestamp: at,
  receivedAt: at,
});

describe('segment membership changes carry a revision that orders them', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('revs');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it('enter (fold), exit (sweep), enter again (fold): each later change has a higher revision, stored with the membership', async () => {
    await createSegment(db.connection, WS, {
      segmentId: 'recent-buyers',
      name: 'Recent buyers',
      definition: {
        type: 'all',
        conditions: [
          {
            type: 'event',
            check: 'performed',
            event: 'Order Completed',
            window: { amount: 1, unit: 'days' },
          },
        ],
      },
    });
    await ingestEvents(db.connection, WS, [order('ann', 1, T0)], { now: T0 });
    const firstEntry = (await segmentMembership(db.connection, WS, 'ann', 'recent-buyers'))
      .membership;
    await reevaluateContact(db.connection, {
      workspaceId: WS,
      contactId: 'ann',
      now: T0 + 72 * HOUR,
      reason: 'sweep',
    });
    expect(
      (await segmentMembership(db.connection, WS, 'ann', 'recent-buyers')).membership,
    ).toBeNull();
    await ingestEvents(db.connection, WS, [order('ann', 2, T0 + 96 * HOUR)], {
      now: T0 + 96 * HOUR,
    });
    const secondEntry = (await segmentMembership(db.connection, WS, 'ann', 'recent-buyers'))
      .membership;

    const triggers = await journeyTriggerModel(db.connection)
      .find({ workspaceId: WS, contactId: 'ann', segmentId: 'recent-buyers' })
      .sort({ at: 1 })
      .lean();
    expect(triggers.map((t) => t.kind)).toEqual([
      'segmentEntered',
      'segmentExited',
      'segmentEntered',
    ]);
    const [entered, exited, reentered] = triggers.map((t) => t.segmentRev as number);
    expect(exited).toBeGreaterThan(entered as number);
    expect(reentered).toBeGreaterThan(exited as number);
    // The stored membership says which change put the contact in, and that is the change the outbox announced.
    expect(firstEntry?.rev).toBe(entered);
    expect(secondEntry?.rev).toBe(reentered);
    const contact = await contactModel(db.connection)
      .findById(contactKey(WS, 'ann'), { rev: 1 })
      .lean();
    expect(contact?.rev).toBe(reentered);
    const history = await segmentMembershipChangeModel(db.connection)
      .find({ workspaceId: WS, contactId: 'ann' })
      .sort({ at: 1 })
      .lean();
    expect(history.map((h) => h.rev)).toEqual([entered, exited, reentered]);
  });
});
