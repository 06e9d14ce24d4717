// Option lists of the segment condition language (packages/core/src/segments/schema.ts), mirrored for pickers.
// Switch to the constants exported by @cairn/core once the designer imports core directly.

export const TRAIT_OPERATORS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'notContains', 'in', 'notIn',
  'exists', 'notExists', 'before', 'after', 'withinLast', 'moreThanAgo',
] as const;
export type TraitOperator = (typeof TRAIT_OPERATORS)[number];

export const OPERATOR_LABELS: Record<TraitOperator, string> = {
  eq: 'is', neq: 'is not', gt: '>', gte: '≥', lt: '<', lte: '≤', contains: 'contains', notContains: 'does not contain',
  in: 'is one of', notIn: 'is none of', exists: 'is set', notExists: 'is not set', before: 'is before',
  after: 'is after', withinLast: 'is within the last', moreThanAgo: 'is more than … ago',
};

export const NUMBER_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export const EVENT_CHECKS = ['performed', 'notPerformed', 'firstPerformed', 'lastPerformed'] as const;
export const AGGREGATES = ['sum', 'avg', 'min', 'max', 'count'] as const;

export const NUMBER_METRICS = [
  'orderCount', 'totalRevenue', 'averageOrderValue', 'meanDaysBetweenOrders', 'discountedOrderShare',
  'holidayOrderCount', 'productViewsBeforeFirstOrder', 'hoursFromFirstViewToFirstOrder',
  'rfmRecency', 'rfmFrequency', 'rfmMonetary', 'rfmTotal',
  'daysSinceLastOrder', 'daysSinceLastActivity', 'daysUntilPredictedNextOrder', 'emailOpens', 'emailClicks',
] as const;

export const CONDITION_TYPE_LABELS = {
  trait: 'Trait',
  event: 'Did an event',
  eventAggregate: 'Event total',
  metric: 'Metric',
  segment: 'In segment',
  randomBucket: 'Random bucket',
} as const;
export type ConditionTypeName = keyof typeof CONDITION_TYPE_LABELS;
