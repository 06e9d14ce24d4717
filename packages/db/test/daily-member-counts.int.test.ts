import type { CairnEvent } from '@cairn/core';
import {
  createSegment,
  getSegment,
  ingestEvents,
  segmentMemberHistory,
  sweepDueContacts,
  syncIndexes,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_daily';
const T0 = Date.parse('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;

const order = (contactId: string, at: number): CairnEvent => ({
  messageId: `order-${contactId}-${at}`,
  type: 'track',
  userId: contactId,
  event: 'Order Completed',
  properties: { revenue: 20 },
  traits: {},
  context: {},
  timestamp: at,
  receivedAt: at,
});

describe("a segment's size per day, as the chart reads it", () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('daily');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it('counts each change on the day it happened, even when a late sweep catches up over several days at once', async () => {
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
    // Two buyers on 20 Nov, one just after midnight: each leaves 24 h after the order, so two leave on
    // 21 Nov and one on 22 Nov.
    await ingestEvents(db.connection, WS, [order('ann', T0), order('bo', T0 + HOUR)], {
      now: T0 + HOUR,
    });
    await ingestEvents(db.connection, WS, [order('cy', T0 + 16 * HOUR)], { now: T0 + 16 * HOUR });
    // The sweeper was away until 23 Nov: every exit is caught up in one pass.
    const late = T0 + 72 * HOUR;
    const swept = await sweepDueContacts(db.connection, { now: late, workspaceId: WS });
    expect(swept.exited).toBe(3);

    const history = await segmentMemberHistory(db.connection, WS, 'recent-buyers', {
      days: 4,
      now: late,
    });
    expect(history).toEqual([
      { day: '2026-11-20', members: 2 },
      { day: '2026-11-21', members: 1 },
      { day: '2026-11-22', members: 0 },
      { day: '2026-11-23', members: 0 },
    ]);
    expect((await getSegment(db.connection, WS, 'recent-buyers'))?.memberCount).toBe(0);
  });
});
