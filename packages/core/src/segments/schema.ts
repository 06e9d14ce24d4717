import { z } from 'zod';
import { ENGAGEMENT_LEVELS } from '../profile/engagement.js';

// The segment condition language. Every condition is a strict object (unknown fields are refused)
// discriminated on `type`; some families are further discriminated (trait on `operator`, event on
// `check`, metric on `metric`) so validation errors point at the exact field.

export const TIME_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** A span of time such as "21 days". Days and weeks are counted in whole UTC days (see docs/segments.md). */
export const DurationSchema = z.strictObject({
  amount: z.number().int('must be a whole number').min(1, 'must be ≥ 1'),
  unit: z.enum(TIME_UNITS, { error: `must be one of ${TIME_UNITS.join(', ')}` }),
});
export type Duration = z.infer<typeof DurationSchema>;

/** An instant: ISO-8601 string or epoch milliseconds. */
export const InstantSchema = z.union(
  [
    z.number().int().nonnegative(),
    z
      .string()
      .refine(
        (s) => !Number.isNaN(Date.parse(s)),
        'must be an ISO date such as 2024-11-01T00:00:00Z',
      ),
  ],
  { error: 'must be an ISO date string or epoch milliseconds' },
);
export type Instant = z.infer<typeof InstantSchema>;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const fieldPath = z.string().min(1, 'must name a field, e.g. "plan" or "address.country"');
const numberValue = z.number({
  error: 'must be a number (use before/after/withinLast/moreThanAgo for dates)',
});

export const NUMBER_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export type NumberOperator = (typeof NUMBER_OPERATORS)[number];
const NumberOperatorSchema = z.enum(NUMBER_OPERATORS);

// --- value comparisons, shared by trait conditions and event property filters -----------------------

function valueComparisons<S extends z.ZodRawShape>(base: S) {
  return [
    z.strictObject({ ...base, operator: z.enum(['eq', 'neq']), value: Scalar }),
    z.strictObject({ ...base, operator: z.enum(['gt', 'gte', 'lt', 'lte']), value: numberValue }),
    z.strictObject({
      ...base,
      operator: z.enum(['contains', 'notContains']),
      value: z.string({ error: 'must be a string to look for' }),
    }),
    z.strictObject({
      ...base,
      operator: z.enum(['in', 'notIn']),
      value: z
        .array(Scalar, { error: 'must be a list of values' })
        .min(1, 'must list at least one value'),
    }),
    z.strictObject({ ...base, operator: z.enum(['exists', 'notExists']) }),
    z.strictObject({ ...base, operator: z.enum(['before', 'after']), value: InstantSchema }),
    z.strictObject({
      ...base,
      operator: z.enum(['withinLast', 'moreThanAgo']),
      value: DurationSchema,
    }),
  ] as const;
}

export const VALUE_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'notContains',
  'in',
  'notIn',
  'exists',
  'notExists',
  'before',
  'after',
  'withinLast',
  'moreThanAgo',
] as const;
export type ValueOperator = (typeof VALUE_OPERATORS)[number];

/** A trait (profile attribute) compared with a value: `{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }`. */
export const TraitConditionSchema = z.discriminatedUnion(
  'operator',
  valueComparisons({ type: z.literal('trait'), field: fieldPath }),
);
export type TraitCondition = z.infer<typeof TraitConditionSchema>;

/** A filter on a top-level (or dotted) property of an event occurrence. */
export const PropertyFilterSchema = z.discriminatedUnion(
  'operator',
  valueComparisons({ property: fieldPath }),
);
export type PropertyFilter = z.infer<typeof PropertyFilterSchema>;

export const CountSchema = z.strictObject({
  operator: z.enum(['atLeast', 'atMost', 'exactly']),
  value: z.number().int('must be a whole number').min(0, 'must be ≥ 0'),
});
export type EventCount = z.infer<typeof CountSchema>;

const eventName = z.string().min(1, 'must name an event, e.g. "Order Completed"');

/**
 * Behaviour: performed an event (with optional property filters, a count and a window; no window = ever),
 * did not perform it (in a window, or ever), or when it was first/last performed.
 */
export const EventConditionSchema = z.discriminatedUnion('check', [
  z.strictObject({
    type: z.literal('event'),
    check: z.literal('performed'),
    event: eventName,
    where: z.array(PropertyFilterSchema).optional(),
    count: CountSchema.optional(),
    window: DurationSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('event'),
    check: z.literal('notPerformed'),
    event: eventName,
    where: z.array(PropertyFilterSchema).optional(),
    window: DurationSchema.optional(),
  }),
  z.discriminatedUnion('operator', [
    z.strictObject({
      type: z.literal('event'),
      check: z.enum(['firstPerformed', 'lastPerformed']),
      event: eventName,
      operator: z.enum(['before', 'after']),
      value: InstantSchema,
    }),
    z.strictObject({
      type: z.literal('event'),
      check: z.enum(['firstPerformed', 'lastPerformed']),
      event: eventName,
      operator: z.enum(['withinLast', 'moreThanAgo']),
      value: DurationSchema,
    }),
  ]),
]);
export type EventCondition = z.infer<typeof EventConditionSchema>;

/** A numeric property of an event aggregated over a window: "sum of revenue of Order Completed in 90 days ≥ 200". */
export const EventAggregateConditionSchema = z.strictObject({
  type: z.literal('eventAggregate'),
  event: eventName,
  property: fieldPath,
  aggregate: z.enum(['sum', 'avg', 'min', 'max', 'count']),
  window: DurationSchema,
  operator: NumberOperatorSchema,
  value: numberValue,
});
export type EventAggregateCondition = z.infer<typeof EventAggregateConditionSchema>;

// --- metrics computed on the profile -----------------------------------------------------------------

/** Metrics that are plain numbers on the profile and do not move with time. */
export const STATIC_NUMBER_METRICS = [
  'orderCount',
  'totalRevenue',
  'averageOrderValue',
  'meanDaysBetweenOrders',
  'discountedOrderShare',
  'holidayOrderCount',
  'productViewsBeforeFirstOrder',
  'hoursFromFirstViewToFirstOrder',
  'rfmRecency',
  'rfmFrequency',
  'rfmMonetary',
  'rfmTotal',
] as const;
/** Metrics that count days from/until an instant, so they change as time passes. */
export const TIME_NUMBER_METRICS = [
  'daysSinceLastOrder',
  'daysSinceLastActivity',
  'daysUntilPredictedNextOrder',
] as const;

const affinityName = z
  .string()
  .min(1, 'must name an affinity from the workspace settings, e.g. "genre"');

export const MetricConditionSchema = z.discriminatedUnion('metric', [
  z.strictObject({
    type: z.literal('metric'),
    metric: z.enum([...STATIC_NUMBER_METRICS, ...TIME_NUMBER_METRICS]),
    operator: NumberOperatorSchema,
    value: numberValue,
  }),
  z.strictObject({
    type: z.literal('metric'),
    metric: z.enum(['emailOpens', 'emailClicks']),
    window: DurationSchema.optional(),
    operator: NumberOperatorSchema,
    value: numberValue,
  }),
  z.strictObject({
    type: z.literal('metric'),
    metric: z.literal('productReorderDueWithinDays'),
    /** Omit to match when any product's reorder is due. */
    productId: z.string().min(1).optional(),
    days: z.number().int('must be a whole number').min(0, 'must be ≥ 0'),
  }),
  z.strictObject({
    type: z.literal('metric'),
    metric: z.literal('topCategory'),
    /** A workspace affinity (settings `affinities`, e.g. "genre"); omit for product categories. */
    affinity: affinityName.optional(),
    operator: z.enum(['eq', 'neq']),
    value: z.string().min(1, 'must name a category'),
  }),
  z.strictObject({
    type: z.literal('metric'),
    metric: z.literal('categoryAffinity'),
    affinity: affinityName.optional(),
    category: z.string().min(1, 'must name a category'),
    operator: NumberOperatorSchema,
    value: z
      .number()
      .min(0, 'must be a share between 0 and 1')
      .max(1, 'must be a share between 0 and 1'),
  }),
  z.strictObject({
    type: z.literal('metric'),
    metric: z.literal('engagementLevel'),
    operator: z.enum(['in', 'notIn']),
    value: z.array(z.enum(ENGAGEMENT_LEVELS)).min(1, 'must list at least one level'),
  }),
]);
export type MetricCondition = z.infer<typeof MetricConditionSchema>;
export type MetricName = MetricCondition['metric'];
export const METRIC_NAMES: readonly MetricName[] = [
  ...STATIC_NUMBER_METRICS,
  ...TIME_NUMBER_METRICS,
  'emailOpens',
  'emailClicks',
  'productReorderDueWithinDays',
  'topCategory',
  'categoryAffinity',
  'engagementLevel',
];

/** Membership of another segment (evaluated from the contact's current memberships). */
export const SegmentMembershipConditionSchema = z.strictObject({
  type: z.literal('segment'),
  membership: z.enum(['member', 'notMember']),
  segmentId: z.string().min(1, 'must name a segment id'),
});
export type SegmentMembershipCondition = z.infer<typeof SegmentMembershipConditionSchema>;

/** A stable pseudo-random bucket 0–99 from hash(contactId + salt); matches when from ≤ bucket < to. */
export const RandomBucketConditionSchema = z
  .strictObject({
    type: z.literal('randomBucket'),
    salt: z.string(),
    from: z.number().int().min(0, 'must be between 0 and 99').max(99, 'must be between 0 and 99'),
    to: z.number().int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100'),
  })
  .refine((c) => c.to > c.from, { message: 'must be greater than from', path: ['to'] });
export type RandomBucketCondition = z.infer<typeof RandomBucketConditionSchema>;

export const SegmentConditionSchema = z.discriminatedUnion('type', [
  TraitConditionSchema,
  EventConditionSchema,
  EventAggregateConditionSchema,
  MetricConditionSchema,
  SegmentMembershipConditionSchema,
  RandomBucketConditionSchema,
]);
export type SegmentCondition = z.infer<typeof SegmentConditionSchema>;

export const GROUP_TYPES = ['all', 'any', 'none'] as const;
export type ConditionGroup = {
  type: (typeof GROUP_TYPES)[number];
  conditions: Array<SegmentCondition | ConditionGroup>;
};

/** all = every condition holds; any = at least one; none = no condition holds. Empty groups are refused. */
export const ConditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.strictObject({
    type: z.enum(GROUP_TYPES),
    conditions: z
      .array(SegmentNodeSchema)
      .min(1, 'must hold at least one condition (an empty group has no clear meaning)'),
  }),
);

/** A condition or a nested group. */
export const SegmentNodeSchema: z.ZodType<SegmentCondition | ConditionGroup> = z.lazy(() =>
  z.discriminatedUnion('type', [
    TraitConditionSchema,
    EventConditionSchema,
    EventAggregateConditionSchema,
    MetricConditionSchema,
    SegmentMembershipConditionSchema,
    RandomBucketConditionSchema,
    z.strictObject({
      type: z.enum(GROUP_TYPES),
      conditions: z
        .array(SegmentNodeSchema)
        .min(1, 'must hold at least one condition (an empty group has no clear meaning)'),
    }),
  ]),
) as z.ZodType<SegmentCondition | ConditionGroup>;

/** A segment definition is its top-level condition group. */
export const SegmentDefinitionSchema = ConditionGroupSchema;
export type SegmentDefinition = ConditionGroup;
