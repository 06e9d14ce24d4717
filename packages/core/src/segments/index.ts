export * from './schema.js';
export { isConditionGroup } from './condition-group.js';
export { evaluateSegment, explainSegment, randomBucketOf, readField } from './evaluate.js';
export type { ConditionExplanation, SegmentContext, SegmentResult } from './evaluate.js';
export { validateSegmentDefinition, MAX_SEGMENT_DEPTH } from './validate.js';
export type { SegmentValidation, ValidateSegmentOptions } from './validate.js';
export {
  affinityReferences,
  findSegmentCycle,
  orderSegmentsForEvaluation,
  segmentDependencies,
  SegmentCycleError,
} from './dependencies.js';
export type { SegmentWithDefinition } from './dependencies.js';
export { SEGMENT_TEMPLATES } from './templates.js';
export type { SegmentTemplate, SegmentTemplateFamily } from './templates.js';
export { evaluateMemberships } from './memberships.js';
export type {
  MembershipChange,
  MembershipOutcome,
  MembershipSegment,
  MembershipState,
} from './memberships.js';
