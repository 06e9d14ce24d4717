// Words a marketer reads for the segment language's operators and condition types (the lists themselves live in @cairn/core).
import type { ValueOperator } from '@cairn/core';

export const OPERATOR_LABELS: Record<ValueOperator, string> = {
  eq: 'is',
  neq: 'is not',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  notContains: 'does not contain',
  in: 'is one of',
  notIn: 'is none of',
  exists: 'is set',
  notExists: 'is not set',
  before: 'is before',
  after: 'is after',
  withinLast: 'is within the last',
  moreThanAgo: 'is more than … ago',
};

export const CONDITION_TYPE_LABELS = {
  trait: 'Trait',
  event: 'Did an event',
  eventAggregate: 'Event total',
  metric: 'Metric',
  segment: 'In segment',
  randomBucket: 'Random bucket',
} as const;
export type ConditionTypeName = keyof typeof CONDITION_TYPE_LABELS;
