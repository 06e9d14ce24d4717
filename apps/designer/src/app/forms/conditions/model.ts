import type { ConditionGroup, SegmentCondition } from '@cairn/core';
import {
  EventAggregateConditionSchema,
  STATIC_NUMBER_METRICS,
  TIME_NUMBER_METRICS,
  VALUE_OPERATORS,
} from '@cairn/core';
import type { ValueOperator as TraitOperator } from '@cairn/core';
import type { ConditionTypeName } from '../labels.js';

export const TRAIT_OPERATORS = VALUE_OPERATORS;
export const AGGREGATES = EventAggregateConditionSchema.shape.aggregate.options;
const NUMBER_METRICS = [
  ...STATIC_NUMBER_METRICS,
  ...TIME_NUMBER_METRICS,
  'emailOpens',
  'emailClicks',
];

export type Item = SegmentCondition | ConditionGroup;

/** What the condition editors offer to pick from (events, metrics and segments the workspace knows). */
export type ConditionPickers = {
  events: string[];
  metrics: string[];
  segments: { id: string; name: string; memberCount?: number }[];
  /** The event that starts the journey (none for other triggers): checks on it offer its properties. */
  entryEvent?: string;
};

export function isGroup(item: Item): item is ConditionGroup {
  return item.type === 'all' || item.type === 'any' || item.type === 'none';
}

export function newCondition(type: ConditionTypeName): SegmentCondition {
  switch (type) {
    case 'trait':
      return { type, field: '', operator: 'eq', value: '' };
    case 'event':
      return { type, check: 'performed', event: '' };
    case 'eventAggregate':
      return {
        type,
        event: '',
        property: '',
        aggregate: 'sum',
        window: { amount: 30, unit: 'days' },
        operator: 'gte',
        value: 0,
      };
    case 'metric':
      return { type, metric: 'orderCount', operator: 'gte', value: 1 };
    case 'segment':
      return { type, membership: 'member', segmentId: '' };
    case 'randomBucket':
      return { type, salt: '', from: 0, to: 50 };
  }
}

/** Metrics that read an affinity: product categories, or a named one from the workspace settings. */
export const AFFINITY_METRICS = ['topCategory', 'categoryAffinity'];

export function metricOptions(fromApi: string[], current: string): string[] {
  const all = new Set([...(fromApi.length ? fromApi : NUMBER_METRICS), current]);
  return [...all].filter(Boolean);
}

export function defaultValueFor(operator: TraitOperator): unknown {
  if (operator === 'exists' || operator === 'notExists') return undefined;
  if (operator === 'withinLast' || operator === 'moreThanAgo') return { amount: 7, unit: 'days' };
  if (operator === 'in' || operator === 'notIn') return [];
  if (['gt', 'gte', 'lt', 'lte'].includes(operator)) return 0;
  return '';
}
