import fc from 'fast-check';
import type { FoldableEvent } from './index.js';
import {
  computeRfmScores,
  DAY_MS,
  emptyProfile,
  engagementLevel,
  engagementLevelChangesAt,
  foldEvent,
  foldEvents,
} from './index.js';

const t = (iso: string) => Date.parse(iso);
let seq = 0;
function ev(
  event: string,
  at: string | number,
  properties: Record<string, unknown> = {},
  extra: Partial<FoldableEvent> = {},
): FoldableEvent {
  seq += 1;
  return {
    messageId: `m${String(seq).padStart(4, '0')}`,
    type: 'track',
    event,
    properties,
    traits: {},
    timestamp: typeof at === 'number' ? at : t(at),
    ...extra,
  };
}

const orders = [
  ev('Order Completed', '2024-03-01T10:00:00Z', {
    products: [{ product_id: 'coffee', price: 30, quantity: 2 }],
  }),
  ev('Order Completed', '2024-01-01T10:00:00Z', {
    revenue: 100,
    products: [{ product_id: 'coffee', category: 'Drinks', price: 20, quantity: 5 }],
  }),
  ev('Order Completed', '2024-01-31T10:00:00Z', {
    total: 50,
    coupon: 'WELCOME',
    products: [
      { product_id: 'coffee', category: 'Drinks' },
      { product_id: 'mug', category: 'Kitchen' },
    ],
  }),
];

describe('purchase behaviour (hand-computed)', () => {
  // Arrives out of order on purpose: historical import.
  const p = foldEvents(emptyProfile('c1'), orders);

  it('computes order count, revenue (revenue, then total, then price × quantity) and average order value', () => {
    expect(p.purchases.orderCount).toBe(3);
    expect(p.purchases.totalRevenue).toBe(100 + 50 + 60);
    expect(p.purchases.averageOrderValue).toBe(70);
    expect(p.purchases.discountedOrderCount).toBe(1);
  });

  it('computes the mean gap between orders and the predicted next order', () => {
    // 1 Jan → 1 Mar 2024 is 60 days (leap year), over 2 gaps.
    expect(p.purchases.firstOrderAt).toBe(t('2024-01-01T10:00:00Z'));
    expect(p.purchases.lastOrderAt).toBe(t('2024-03-01T10:00:00Z'));
    expect(p.purchases.meanDaysBetweenOrders).toBe(30);
    expect(p.purchases.predictedNextOrderAt).toBe(t('2024-03-31T10:00:00Z'));
  });

  it('computes each product’s reorder gap and next reorder date', () => {
    expect(p.purchases.products.coffee).toMatchObject({
      orderCount: 3,
      quantity: 8,
      reorderGapDays: 30,
      nextReorderAt: t('2024-03-31T10:00:00Z'),
      category: 'Drinks',
    });
    expect(p.purchases.products.mug?.orderCount).toBe(1);
    expect(p.purchases.products.mug?.nextReorderAt).toBeUndefined();
  });

  it('counts category affinity from views and ordered products', () => {
    const withViews = foldEvents(p, [
      ev('Product Viewed', '2024-03-02T00:00:00Z', { category: 'Kitchen' }),
      ev('Product Viewed', '2024-03-03T00:00:00Z', { category: 'Kitchen' }),
    ]);
    expect(p.categories.topCategory).toBe('Drinks');
    expect(withViews.categories.counts).toEqual({ Drinks: 2, Kitchen: 3 });
    expect(withViews.categories.topCategory).toBe('Kitchen');
  });

  it('keeps per-day counters and numeric aggregates per event', () => {
    const summary = p.events['Order Completed'];
    expect(summary?.byDay).toEqual({ '2024-01-01': 1, '2024-01-31': 1, '2024-03-01': 1 });
    expect(summary?.numericByDay.revenue).toEqual({
      '2024-01-01': { sum: 100, min: 100, max: 100, count: 1 },
    });
    expect(summary?.recent.map((o) => o.at)).toEqual([
      t('2024-03-01T10:00:00Z'),
      t('2024-01-31T10:00:00Z'),
      t('2024-01-01T10:00:00Z'),
    ]);
  });
});

describe('traits', () => {
  it('merges identify traits, the newest identify wins whatever the arrival order, and null unsets', () => {
    const a = ev(
      'Identify',
      '2024-01-01T00:00:00Z',
      {},
      { type: 'identify', traits: { plan: 'free', email: 'a@x.io' } },
    );
    const b = ev(
      'Identify',
      '2024-02-01T00:00:00Z',
      {},
      { type: 'identify', traits: { plan: 'pro', email: null } },
    );
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect(foldEvents(emptyProfile('c'), order).traits).toEqual({ plan: 'pro' });
    }
  });
});

describe('per-day counters', () => {
  it('drops days older than the window before the newest event', () => {
    const p = foldEvents(
      emptyProfile('c'),
      [ev('X', '2024-01-01T00:00:00Z'), ev('X', '2024-01-20T00:00:00Z')],
      { windowDays: 10 },
    );
    expect(p.events.X?.byDay).toEqual({ '2024-01-20': 1 });
    expect(p.events.X?.count).toBe(2);
  });
});

describe('engagement level', () => {
  const base = t('2024-06-01T00:00:00Z');
  it('follows the documented rule and tells when it changes next', () => {
    const p = foldEvents(emptyProfile('c'), [
      ev('Page Viewed', base - 40 * DAY_MS),
      ev('Email Opened', base - 2 * DAY_MS),
    ]);
    expect(engagementLevel(p, base)).toBe('engaged');
    // Active within 7 days ends 7 days after the open; then it is merely active.
    const change = engagementLevelChangesAt(p, base);
    expect(change).toBe(base - 2 * DAY_MS + 7 * DAY_MS + 1);
    expect(engagementLevel(p, (change as number) - 1)).toBe('engaged');
    expect(engagementLevel(p, change as number)).toBe('active');
    expect(engagementLevel(p, base + 60 * DAY_MS)).toBe('dormant');
    expect(engagementLevel(p, base + 100 * DAY_MS)).toBe('lapsed');
    expect(
      engagementLevel(foldEvents(emptyProfile('d'), [ev('Page Viewed', base - DAY_MS)]), base),
    ).toBe('new');
    // Emails we send are not the contact's activity.
    expect(
      engagementLevel(foldEvents(emptyProfile('e'), [ev('Email Sent', base - 200 * DAY_MS)]), base),
    ).toBe('new');
  });
});

describe('computeRfmScores', () => {
  it('gives quintiles 1–5 with 5 best, and equal values equal scores', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      contactId: `c${i}`,
      recencyDays: i * 10,
      frequency: i,
      monetary: i === 9 ? 8 * 100 : i * 100,
    }));
    const scores = computeRfmScores(rows);
    expect(scores.map((s) => s.frequency)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((s) => s.recency)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    expect(scores[8]?.monetary).toBe(scores[9]?.monetary);
    expect(scores[0]?.total).toBe(1 + 5 + 1);
  });
});

describe('order independence (property)', () => {
  const names = ['Order Completed', 'Product Viewed', 'Email Opened', 'Identify'];
  const eventArb = fc.record({
    name: fc.constantFrom(...names),
    at: fc.integer({ min: t('2023-01-01T00:00:00Z'), max: t('2024-06-01T00:00:00Z') }),
    cents: fc.integer({ min: 0, max: 100_000 }),
    product: fc.constantFrom('p1', 'p2', 'p3'),
    category: fc.constantFrom('A', 'B', 'C'),
    coupon: fc.boolean(),
    plan: fc.constantFrom('free', 'pro', null),
  });
  it('folding the same events in any order gives the same profile', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), fc.integer(), (specs, seed) => {
        const events: FoldableEvent[] = specs.map((s, i) => ({
          messageId: `m${i}`,
          type: s.name === 'Identify' ? 'identify' : 'track',
          event: s.name,
          timestamp: s.at,
          traits: s.name === 'Identify' ? { plan: s.plan } : {},
          properties:
            s.name === 'Order Completed'
              ? {
                  revenue: s.cents / 100,
                  ...(s.coupon ? { coupon: 'X' } : {}),
                  products: [
                    {
                      product_id: s.product,
                      category: s.category,
                      price: s.cents / 200,
                      quantity: 2,
                    },
                  ],
                }
              : { category: s.category, amount: s.cents / 100 },
        }));
        const shuffled = [...events].sort(
          (a, b) =>
            ((a.timestamp * 31 + seed) % 97) - ((b.timestamp * 31 + seed) % 97) ||
            a.messageId.localeCompare(b.messageId),
        );
        const settings = { windowDays: 100, recentOccurrences: 5, numericPropertiesPerEvent: 1 };
        expect(foldEvents(emptyProfile('c'), shuffled, settings)).toEqual(
          foldEvents(emptyProfile('c'), events, settings),
        );
        // The batch fold (one copy, in place) equals folding event by event, and leaves its input alone.
        const start = foldEvents(emptyProfile('c'), events.slice(0, 3), settings);
        const before = JSON.stringify(start);
        const oneByOne = events.slice(3).reduce((p, e) => foldEvent(p, e, settings), start);
        expect(foldEvents(start, events.slice(3), settings)).toEqual(oneByOne);
        expect(JSON.stringify(start)).toBe(before);
      }),
      { numRuns: 150 },
    );
  });
});

describe('huge numbers', () => {
  // Found by the API fuzz test: 1e308 folded to Infinity, which the database refuses (a 500 on ingestion).
  it('keeps every figure finite when properties hold numbers near the double limit', () => {
    const p = foldEvents(emptyProfile('c-huge'), [
      ev('Order Completed', '2024-03-01T10:00:00Z', { revenue: 1e308, score: 1e308 }),
      ev('Order Completed', '2024-03-01T11:00:00Z', { revenue: 1e308, score: -1e308 }),
      ev('Order Completed', '2024-03-01T12:00:00Z', { revenue: 1e308, score: 1e308 }),
    ]);
    const numbers: number[] = [];
    JSON.stringify(p, (_k, v: unknown) => (typeof v === 'number' && numbers.push(v), v));
    expect(numbers.every(Number.isFinite)).toBe(true);
    expect(p.purchases.totalRevenue).toBe(Number.MAX_VALUE);
    expect(p.purchases.orderCount).toBe(3);
  });
});

describe('keys that are names of Object.prototype members', () => {
  const names = ['__proto__', 'toString', 'constructor', 'prototype', 'hasOwnProperty', 'valueOf'];

  it('are ordinary product ids, categories, event names and numeric properties: every figure stays finite and counted', () => {
    const events = names.flatMap((name, i) => [
      ev('Order Completed', `2024-02-0${i + 1}T10:00:00Z`, {
        revenue: 10,
        products: [{ product_id: name, category: name, price: 10, quantity: 2 }],
      }),
      ev('Product Viewed', `2024-02-0${i + 1}T11:00:00Z`, { category: name }),
      ev(
        name,
        `2024-02-0${i + 1}T12:00:00Z`,
        JSON.parse(`{"${name}": 3}`) as Record<string, unknown>,
      ),
    ]);
    // Twice, the second time onto the folded profile, as the pending-fold pass does.
    const p = foldEvents(foldEvents(emptyProfile('c-proto'), events.slice(0, 9)), events.slice(9));
    expect(JSON.stringify(p)).not.toMatch(/null|NaN/);
    for (const name of names) {
      expect(Object.getOwnPropertyDescriptor(p.purchases.products, name)?.value).toMatchObject({
        orderCount: 1,
        quantity: 2,
      });
      expect(Object.getOwnPropertyDescriptor(p.categories.counts, name)?.value).toBe(2);
      const summary = Object.getOwnPropertyDescriptor(p.events, name)?.value as {
        count: number;
        numericProperties: string[];
      };
      expect(summary).toMatchObject({ count: 1, numericProperties: [name] });
    }
    expect(p.categories.total).toBe(names.length * 2);
    expect(p.purchases.totalRevenue).toBe(60);
    expect(Object.getPrototypeOf(p.purchases)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).orderCount).toBeUndefined();
  });

  it('are ordinary traits', () => {
    const identify = (traits: string, at: string) =>
      ev(
        'Identify',
        at,
        {},
        { type: 'identify', traits: JSON.parse(traits) as Record<string, unknown> },
      );
    const p = foldEvents(emptyProfile('c-traits'), [
      identify('{"toString":"a","constructor":"b","__proto__":"c"}', '2024-01-01T00:00:00Z'),
      identify('{"toString":"newer"}', '2024-01-02T00:00:00Z'),
    ]);
    expect(JSON.parse(JSON.stringify(p.traits))).toEqual({
      toString: 'newer',
      constructor: 'b',
      ['__proto__']: 'c',
    });
  });
});
