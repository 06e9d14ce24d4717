export * from './types.js';
export {
  emptyProfile,
  foldEvent,
  foldEvents,
  oldestRetainedDay,
  type FoldableEvent,
} from './fold.js';
export {
  engagementLevel,
  engagementLevelChangesAt,
  ENGAGEMENT_RULE,
  ENGAGEMENT_LEVELS,
  type EngagementLevel,
} from './engagement.js';
export { computeRfmScores, type RfmInput, type RfmScoreRow } from './rfm.js';
export {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  utcDayKey,
  startOfUtcDay,
  windowStart,
  windowExitAt,
  durationMs,
} from './time.js';
export {
  splitProfile,
  joinProfile,
  emptyActivity,
  recentTimeline,
  type ContactTimelineEntry,
  type ProfileSummary,
  type ContactActivity,
  type SummaryEvent,
  type ActivityEvent,
} from './split.js';
export {
  PROFILE_PATHS,
  PROFILE_ROOT_FIELDS,
  PROFILE_KIND_WORDS,
  checkProfilePath,
  profilePathSegments,
  unknownProfileReads,
  type ProfileLeafKind,
  type ProfilePath,
  type ProfilePathCheck,
} from './paths.js';
export { AffinityDefinitionSchema, AffinityDefinitionsSchema } from './settings-schema.js';
