import type { SegmentDefinition } from './schema.js';

export type SegmentTemplateFamily =
  'purchaseBehaviour' | 'occasionAndTiming' | 'benefitsSought' | 'loyalty' | 'engagement';

export interface SegmentTemplate {
  id: string;
  family: SegmentTemplateFamily;
  name: string;
  description: string;
  definition: SegmentDefinition;
}

const ORDER = 'Order Completed';

/** Ready-made segments to start from; every definition passes validateSegmentDefinition. */
export const SEGMENT_TEMPLATES: readonly SegmentTemplate[] = [
  {
    id: 'discount-driven-buyers',
    family: 'purchaseBehaviour',
    name: 'Discount-driven buyers',
    description: 'At least 2 orders, and at least half of them used a discount or coupon.',
    definition: {
      type: 'all',
      conditions: [
        { type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 },
        { type: 'metric', metric: 'discountedOrderShare', operator: 'gte', value: 0.5 },
      ],
    },
  },
  {
    id: 'impulse-buyers',
    family: 'purchaseBehaviour',
    name: 'Impulse buyers',
    description: 'Placed their first order within 24 hours of their first product view.',
    definition: {
      type: 'all',
      conditions: [
        { type: 'metric', metric: 'hoursFromFirstViewToFirstOrder', operator: 'gte', value: 0 },
        { type: 'metric', metric: 'hoursFromFirstViewToFirstOrder', operator: 'lte', value: 24 },
      ],
    },
  },
  {
    id: 'researchers',
    family: 'purchaseBehaviour',
    name: 'Researchers',
    description: 'Viewed at least 5 products before their first order.',
    definition: {
      type: 'all',
      conditions: [
        { type: 'metric', metric: 'productViewsBeforeFirstOrder', operator: 'gte', value: 5 },
      ],
    },
  },
  {
    id: 'holiday-shoppers',
    family: 'occasionAndTiming',
    name: 'Holiday shoppers',
    description: 'Ordered at least once in November or December (any year).',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'holidayOrderCount', operator: 'gte', value: 1 }],
    },
  },
  {
    id: 'reorder-due-soon',
    family: 'occasionAndTiming',
    name: 'Reorder due within 14 days',
    description:
      'A product they buy repeatedly is due again within 14 days, going by their usual gap between orders of it.',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'productReorderDueWithinDays', days: 14 }],
    },
  },
  {
    id: 'category-fans',
    family: 'benefitsSought',
    name: 'Category fans',
    description:
      'At least 40% of product views and purchases in one category (edit "Outdoor" to your category).',
    definition: {
      type: 'all',
      conditions: [
        {
          type: 'metric',
          metric: 'categoryAffinity',
          category: 'Outdoor',
          operator: 'gte',
          value: 0.4,
        },
      ],
    },
  },
  {
    id: 'first-time-buyers',
    family: 'loyalty',
    name: 'First-time buyers',
    description: 'Exactly one order so far.',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'orderCount', operator: 'eq', value: 1 }],
    },
  },
  {
    id: 'repeat-buyers',
    family: 'loyalty',
    name: 'Repeat buyers',
    description: 'Two orders or more.',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 }],
    },
  },
  {
    id: 'vip',
    family: 'loyalty',
    name: 'VIP customers',
    description: 'RFM total of 13 or more (out of 15): recent, frequent and high-spending.',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'rfmTotal', operator: 'gte', value: 13 }],
    },
  },
  {
    id: 'at-risk',
    family: 'loyalty',
    name: 'At risk',
    description: 'Repeat buyers whose last order was 60 to 179 days ago.',
    definition: {
      type: 'all',
      conditions: [
        { type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 },
        { type: 'metric', metric: 'daysSinceLastOrder', operator: 'gte', value: 60 },
        { type: 'metric', metric: 'daysSinceLastOrder', operator: 'lt', value: 180 },
      ],
    },
  },
  {
    id: 'lapsed-customers',
    family: 'loyalty',
    name: 'Lapsed customers',
    description: 'Ordered before, but not in the last 180 days.',
    definition: {
      type: 'all',
      conditions: [
        { type: 'event', check: 'performed', event: ORDER },
        {
          type: 'event',
          check: 'notPerformed',
          event: ORDER,
          window: { amount: 180, unit: 'days' },
        },
      ],
    },
  },
  {
    id: 'engaged-readers',
    family: 'engagement',
    name: 'Engaged readers',
    description: 'Opened or clicked an email in the last 30 days.',
    definition: {
      type: 'any',
      conditions: [
        {
          type: 'event',
          check: 'performed',
          event: 'Email Opened',
          window: { amount: 30, unit: 'days' },
        },
        {
          type: 'event',
          check: 'performed',
          event: 'Email Clicked',
          window: { amount: 30, unit: 'days' },
        },
      ],
    },
  },
  {
    id: 'dormant',
    family: 'engagement',
    name: 'Dormant',
    description:
      'Seen before, but no activity of their own (emails sent to them do not count) in the last 21 days.',
    definition: {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'daysSinceLastActivity', operator: 'gte', value: 21 }],
    },
  },
];
