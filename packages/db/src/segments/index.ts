export * from './models.js';
export {
  loadWorkspaceSegments,
  invalidateSegmentCache,
  SEGMENT_CACHE_MS,
  type ActiveSegment,
  type WorkspaceSegments,
} from './cache.js';
export {
  evaluateMemberships,
  type MembershipChange,
  type MembershipOutcome,
} from './membership.js';
export {
  reevaluateContact,
  type ReevaluateContactInput,
  type ReevaluateContactResult,
} from './reevaluate.js';
export {
  fileContactForEvaluation,
  fileContactsForEvaluation,
  dueBucketKey,
  dueBucketStart,
  DUE_BUCKET_MS,
  watchDueFilings,
} from './due.js';
export { sweepDueContacts, type SweepOptions, type SweepResult } from './sweep.js';
export { startDueScheduler, type DueScheduler, type DueSchedulerOptions } from './scheduler.js';
export { withSegmentStats } from './stats.js';
export {
  segmentBackfillWorkflowId,
  backfillSegmentPage,
  finishSegmentBackfill,
  failSegmentBackfill,
  noteBackfillNotStarted,
  countSegmentMembers,
  type BackfillPageInput,
  type BackfillPageResult,
} from './backfill.js';
export {
  SegmentProblem,
  SEGMENT_ID_PATTERN,
  createSegment,
  getSegment,
  listSegments,
  updateSegment,
  archiveSegment,
  previewSegment,
  listSegmentMembers,
  segmentMemberHistory,
  contactSegmentHistory,
  explainContactSegment,
  segmentNames,
  type SegmentInput,
  type SegmentPreview,
  type SegmentMemberPage,
  type SegmentExplanation,
} from './repository.js';
