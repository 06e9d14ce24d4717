// Zod-free so that the segment evaluator, which journey workflows load once per run, does not pull
// zod in (see runtime.ts); the segments index exports it.
import type { ConditionGroup, SegmentCondition } from './schema.js';

export function isConditionGroup(node: SegmentCondition | ConditionGroup): node is ConditionGroup {
  return node.type === 'all' || node.type === 'any' || node.type === 'none';
}
