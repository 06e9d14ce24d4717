import { DAY_MS, emptyProfile, foldEvents } from '@cairn/core';
import { summarizeProfile } from './profile.js';

describe('summarizeProfile', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const order = (daysAgo: number, revenue: number, category: string, i: number) => ({
    messageId: `o${i}`,
    type: 'track' as const,
    event: 'Order Completed',
    properties: { revenue, products: [{ product_id: `p${i}`, category }] },
    traits: {},
    timestamp: now.getTime() - daysAgo * DAY_MS,
  });

  it('reads order stats, the predicted next order and the top categories from a folded profile', () => {
    const profile = foldEvents(emptyProfile('ada'), [
      order(30, 40, 'shoes', 1),
      order(20, 60, 'shoes', 2),
      order(10, 20, 'hats', 3),
    ]);
    const summary = summarizeProfile('ada', profile as unknown as Record<string, unknown>, now);
    expect(summary.orders).toMatchObject({ count: 3, revenue: 120, meanDaysBetween: 10 });
    expect(summary.predictedNextOrderAt).toBe(now.getTime());
    expect(summary.topCategories[0]?.name).toBe('shoes');
    expect(summary.rfm).toBeUndefined();
  });

  it('copes with an empty or partial stored profile', () => {
    const summary = summarizeProfile(
      'bob',
      { purchases: { orderCount: 2, totalRevenue: 10 } },
      now,
    );
    expect(summary.orders.count).toBe(2);
    expect(summary.engagement).toBe('new');
    expect(summary.topCategories).toEqual([]);
  });
});
