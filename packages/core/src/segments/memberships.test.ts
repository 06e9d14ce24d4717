import { emptyProfile, foldEvent } from '../profile/fold.js';
import { orderSegmentsForEvaluation } from './dependencies.js';
import type { SegmentDefinition } from './schema.js';
import { evaluateMemberships } from './memberships.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2025, 4, 10, 12); // 10 May 2025, noon UTC

function order(at: number, id: string) {
  return {
    messageId: id,
    type: 'track' as const,
    event: 'Order Completed',
    properties: { revenue: 20 },
    traits: {},
    timestamp: at,
  };
}

const repeat: SegmentDefinition = {
  type: 'all',
  conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 }],
};
const noRecentOrder: SegmentDefinition = {
  type: 'all',
  conditions: [
    { type: 'event', check: 'performed', event: 'Order Completed' },
    {
      type: 'event',
      check: 'notPerformed',
      event: 'Order Completed',
      window: { amount: 21, unit: 'days' },
    },
  ],
};
const loyalRepeat: SegmentDefinition = {
  type: 'all',
  conditions: [
    { type: 'segment', membership: 'member', segmentId: 'repeat' },
    { type: 'segment', membership: 'notMember', segmentId: 'no-recent-order' },
  ],
};

function ordered() {
  return orderSegmentsForEvaluation([
    { id: 'loyal-repeat', segmentId: 'loyal-repeat', version: 1, definition: loyalRepeat },
    { id: 'repeat', segmentId: 'repeat', version: 3, definition: repeat },
    { id: 'no-recent-order', segmentId: 'no-recent-order', version: 1, definition: noRecentOrder },
  ]);
}

describe('evaluateMemberships', () => {
  it('lets a segment condition see memberships decided earlier in the same round', () => {
    const profile = foldEvent(
      foldEvent(emptyProfile('c1'), order(T0, 'o1')),
      order(T0 + DAY, 'o2'),
    );
    const out = evaluateMemberships({
      contactId: 'c1',
      profile,
      current: {},
      segments: ordered(),
      now: T0 + 2 * DAY,
    });
    expect(out.entered.map((e) => e.segmentId).sort()).toEqual(['loyal-repeat', 'repeat']);
    expect(out.segments.repeat).toEqual({ since: T0 + 2 * DAY, version: 3 });
    // The 21-day window of the last order (11 May) ends at 1 June 00:00 UTC; the evaluator may ask earlier, never later.
    expect(out.nextEvaluationAt).toBeGreaterThan(T0 + 2 * DAY);
    expect(out.nextEvaluationAt).toBeLessThanOrEqual(Date.UTC(2025, 5, 1));
  });

  it('keeps the original entry time of a continuing member and reports exits', () => {
    const profile = foldEvent(emptyProfile('c1'), order(T0, 'o1'));
    const current = {
      repeat: { since: 1, version: 1 },
      'no-recent-order': { since: 5, version: 1 },
    };
    const out = evaluateMemberships({
      contactId: 'c1',
      profile,
      current,
      segments: ordered(),
      now: T0 + 30 * DAY,
    });
    expect(out.exited.map((e) => e.segmentId)).toEqual(['repeat']);
    expect(out.entered).toEqual([]);
    expect(out.segments).toEqual({ 'no-recent-order': { since: 5, version: 1 } });
  });

  it('drops memberships of segments that are no longer active, without an exit', () => {
    const out = evaluateMemberships({
      contactId: 'c1',
      profile: emptyProfile('c1'),
      current: { gone: { since: 1, version: 1 } },
      segments: [],
      now: T0,
    });
    expect(out).toEqual({ segments: {}, entered: [], exited: [], nextEvaluationAt: null });
  });
});
