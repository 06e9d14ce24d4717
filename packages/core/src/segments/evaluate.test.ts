import { emptyProfile, foldEvents, DAY_MS, type FoldableEvent } from '../profile/index.js';
import { evaluateSegment, explainSegment, type SegmentDefinition } from './index.js';

const t = (iso: string) => Date.parse(iso);
let seq = 0;
const ev = (
  event: string,
  at: number,
  properties: Record<string, unknown> = {},
  extra: Partial<FoldableEvent> = {},
): FoldableEvent => ({
  messageId: `m${++seq}`,
  type: 'track',
  event,
  properties,
  traits: {},
  timestamp: at,
  ...extra,
});
const ctx = (events: FoldableEvent[], now: number, memberships: string[] = []) => ({
  contactId: 'c1',
  profile: foldEvents(emptyProfile('c1'), events),
  now,
  memberships: new Set(memberships),
});

const noOrderIn21Days: SegmentDefinition = {
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

describe('evaluateSegment', () => {
  const lastOrder = t('2024-05-10T15:00:00Z');
  it('enters "no order in 21 days" at the UTC midnight the order leaves the window, and says so in advance', () => {
    const now = t('2024-05-20T09:00:00Z');
    const r = evaluateSegment(noOrderIn21Days, ctx([ev('Order Completed', lastOrder)], now));
    // Whole-day windows: the 10 May order counts through 30 May (21 UTC days, 10 May included).
    expect(r).toEqual({ matches: false, nextChangeAt: t('2024-05-31T00:00:00Z') });
    expect(
      evaluateSegment(
        noOrderIn21Days,
        ctx([ev('Order Completed', lastOrder)], t('2024-05-31T00:00:00Z')),
      ).matches,
    ).toBe(true);
    expect(
      evaluateSegment(
        noOrderIn21Days,
        ctx([ev('Order Completed', lastOrder)], t('2024-05-30T23:59:59.999Z')),
      ).matches,
    ).toBe(false);
  });

  it('counts only occurrences whose properties pass the filters', () => {
    const now = t('2024-05-20T00:00:00Z');
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [
        {
          type: 'event',
          check: 'performed',
          event: 'Order Completed',
          where: [{ property: 'revenue', operator: 'gte', value: 100 }],
          count: { operator: 'atLeast', value: 2 },
          window: { amount: 30, unit: 'days' },
        },
      ],
    };
    const events = [
      ev('Order Completed', now - DAY_MS, { revenue: 150 }),
      ev('Order Completed', now - 2 * DAY_MS, { revenue: 20 }),
      ev('Order Completed', now - 3 * DAY_MS, { revenue: 100 }),
    ];
    expect(evaluateSegment(def, ctx(events, now)).matches).toBe(true);
    expect(evaluateSegment(def, ctx(events.slice(0, 2), now)).matches).toBe(false);
  });

  it('sums a numeric property over a window (revenue ≥ 200 in 90 days)', () => {
    const now = t('2024-05-20T00:00:00Z');
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [
        {
          type: 'eventAggregate',
          event: 'Order Completed',
          property: 'revenue',
          aggregate: 'sum',
          window: { amount: 90, unit: 'days' },
          operator: 'gte',
          value: 200,
        },
      ],
    };
    const events = [
      ev('Order Completed', now - 10 * DAY_MS, { revenue: 150 }),
      ev('Order Completed', now - 80 * DAY_MS, { revenue: 60 }),
      ev('Order Completed', now - 120 * DAY_MS, { revenue: 500 }),
    ];
    const r = evaluateSegment(def, ctx(events, now));
    expect(r.matches).toBe(true);
    // The 60 leaves the window first, then the sum is 150.
    expect(evaluateSegment(def, ctx(events, r.nextChangeAt as number)).matches).toBe(false);
  });

  it('flags a reorder as due 14 days before the usual gap ends', () => {
    const events = [
      ev('Order Completed', t('2024-01-01T10:00:00Z'), { products: [{ product_id: 'coffee' }] }),
      ev('Order Completed', t('2024-01-31T10:00:00Z'), { products: [{ product_id: 'coffee' }] }),
    ];
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [
        { type: 'metric', metric: 'productReorderDueWithinDays', productId: 'coffee', days: 14 },
      ],
    };
    const early = evaluateSegment(def, ctx(events, t('2024-02-01T00:00:00Z')));
    expect(early).toEqual({
      matches: false,
      nextChangeAt: t('2024-03-01T10:00:00Z') - 14 * DAY_MS,
    });
    expect(evaluateSegment(def, ctx(events, early.nextChangeAt as number)).matches).toBe(true);
  });

  it('reports when daysSinceLastOrder crosses its threshold', () => {
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'daysSinceLastOrder', operator: 'gt', value: 30 }],
    };
    const r = evaluateSegment(def, ctx([ev('Order Completed', lastOrder)], lastOrder + 5 * DAY_MS));
    expect(r).toEqual({ matches: false, nextChangeAt: lastOrder + 31 * DAY_MS });
  });

  it('never changes on its own when the answer is pinned by a static condition', () => {
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [
        { type: 'trait', field: 'plan', operator: 'eq', value: 'pro' },
        ...noOrderIn21Days.conditions,
      ],
    };
    expect(
      evaluateSegment(def, ctx([ev('Order Completed', lastOrder)], lastOrder + DAY_MS))
        .nextChangeAt,
    ).toBeNull();
  });

  it('reads segment membership and a stable random bucket', () => {
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [
        { type: 'segment', membership: 'member', segmentId: 'vip' },
        { type: 'randomBucket', salt: 's', from: 0, to: 100 },
      ],
    };
    expect(evaluateSegment(def, ctx([], 0, ['vip'])).matches).toBe(true);
    expect(evaluateSegment(def, ctx([], 0, [])).matches).toBe(false);
  });
});

describe('explainSegment', () => {
  it('gives one sentence per condition a marketer can read', () => {
    const now = t('2024-05-20T00:00:00Z');
    const def: SegmentDefinition = {
      type: 'all',
      conditions: [
        {
          type: 'event',
          check: 'performed',
          event: 'Order Completed',
          window: { amount: 21, unit: 'days' },
        },
      ],
    };
    const e = explainSegment(def, ctx([], now));
    expect(e.sentence).toBe('0 of 1 conditions hold (needs all of them)');
    expect(e.children?.[0]).toMatchObject({
      path: 'conditions[0]',
      matches: false,
      sentence: 'Order Completed performed 0 times in the last 21 days (needs at least 1)',
    });
  });
});
