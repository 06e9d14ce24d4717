import { engagementLevel } from '@cairn/core';
import type { EngagementLevel } from '@cairn/core';
import { profileFor } from './simulate.js';

export type ProfileSummary = {
  rfm?: { recency: number; frequency: number; monetary: number; total: number };
  orders: {
    count: number;
    revenue: number;
    averageValue?: number;
    meanDaysBetween?: number;
    firstAt?: number;
    lastAt?: number;
  };
  predictedNextOrderAt?: number;
  topCategories: { name: string; share: number }[];
  engagement: EngagementLevel;
  email: { sent: number; opened: number; clicked: number };
};

/** The behavioural facts a marketer reads on a contact page, from the stored profile (missing parts default to empty). */
export function summarizeProfile(
  contactId: string,
  stored: Record<string, unknown>,
  now: Date,
): ProfileSummary {
  const p = profileFor(
    { id: contactId, traits: {}, profile: stored, segments: [], events: [] },
    now,
  );
  const counts = Object.entries(p.categories.counts).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  const total = p.categories.total || counts.reduce((sum, [, n]) => sum + n, 0);
  return {
    ...(p.rfm
      ? {
          rfm: {
            recency: p.rfm.recency,
            frequency: p.rfm.frequency,
            monetary: p.rfm.monetary,
            total: p.rfm.total,
          },
        }
      : {}),
    orders: {
      count: p.purchases.orderCount,
      revenue: p.purchases.totalRevenue,
      ...(p.purchases.averageOrderValue !== undefined
        ? { averageValue: p.purchases.averageOrderValue }
        : {}),
      ...(p.purchases.meanDaysBetweenOrders !== undefined
        ? { meanDaysBetween: p.purchases.meanDaysBetweenOrders }
        : {}),
      ...(p.purchases.firstOrderAt !== undefined ? { firstAt: p.purchases.firstOrderAt } : {}),
      ...(p.purchases.lastOrderAt !== undefined ? { lastAt: p.purchases.lastOrderAt } : {}),
    },
    ...(p.purchases.predictedNextOrderAt !== undefined
      ? { predictedNextOrderAt: p.purchases.predictedNextOrderAt }
      : {}),
    topCategories: counts.slice(0, 3).map(([name, n]) => ({ name, share: total ? n / total : 0 })),
    engagement: engagementLevel(p, now),
    email: { sent: p.email.sent, opened: p.email.opened, clicked: p.email.clicked },
  };
}
