// Journeys: the graph contract, its validator, the pure interpreter and the simulator.
// PropertyFilter is re-exported under a journey name: segments export their own, different one.
export {
  BranchConditionSchema,
  DurationSchema,
  JourneyDefinitionSchema,
  JourneyEdgeSchema,
  JourneyNodeSchema,
  JourneySettingsSchema,
  NODE_KINDS,
  PROPERTY_FILTER_OPERATORS,
  PropertyFilterSchema as JourneyPropertyFilterSchema,
  ReentrySchema,
  TriggerSchema,
  WAITING_KINDS,
  WaitForSchema,
  WaitUntilSchema,
  MissingDateSchema,
  durationToMs,
  nodeOutputs,
  nodesInFlowOrder,
} from './graph.js';
export type {
  ActionCatalog,
  ActionCatalogEntry,
  BranchCondition,
  Duration,
  DurationUnit,
  JourneyDefinition,
  JourneyEdge,
  JourneyNode,
  JourneyNodeKind,
  JourneySettings,
  JourneyTrigger,
  NodeKindInfo,
  NodeOfKind,
  PropertyFilter as JourneyPropertyFilter,
  WaitFor,
  WaitUntil,
  MissingDate,
} from './graph.js';
export { matchesEvent, matchesFilter, matchesFilters, readPath } from './filters.js';
export type { JourneyEvent } from './filters.js';
export {
  isValidTimeZone,
  localTime,
  nextTimeOfDay,
  quietHoursEnd,
  timeZoneOffsetMs,
  zonedTimeToInstant,
} from './time.js';
export {
  JourneyRuntimeError,
  DEFAULT_HOLDOUT_WINDOW,
  MAX_RECORDED_STEPS,
  PROFILE_DATE_RECHECK_MS,
  PROFILE_DATE_RECHECK_AFTER_EVENT_MS,
  entryProductIds,
  profileDateCandidates,
  advance,
  evaluateBranchCondition,
  isTerminal,
  pendingAfter,
  pickVariant,
  reactsToProfileChanges,
  readsProfile,
  timerFiresAt,
  wakeUpAt,
} from './interpreter.js';
export type {
  AdvanceResult,
  CompletionReason,
  JourneyCommand,
  JourneyContext,
  JourneyInput,
  JourneyRunState,
  JourneyStep,
  PendingCommand,
  RunStatus,
  Waiting,
} from './interpreter.js';
export { validateJourney } from './validate.js';
export type { JourneyProblem, ValidateJourneyOptions } from './validate.js';
export { simulateJourney } from './simulate.js';
export type {
  ConditionFacts,
  SimulatedAction,
  SimulatedContact,
  SimulationOptions,
  SimulationResult,
  TimelineEntry,
} from './simulate.js';
export { JOURNEY_TEMPLATES, instantiateTemplate, TemplateParameterError } from './templates.js';
export type { JourneyTemplate, TemplateParameter } from './templates.js';
export {
  DEFAULT_MAX_EVENT_AGE,
  decideEnrollment,
  entryWindowState,
  eventStartsJourney,
} from './enrollment.js';
export type {
  EnrollmentDecision,
  EnrollmentFacts,
  EnrollmentRun,
  EntryWindowState,
  EventAgeFacts,
} from './enrollment.js';
export {
  calendarDateOf,
  dueDateOccurrence,
  nextDateOccurrenceAt,
  DEFAULT_DATE_TRIGGER_TIME,
  type DateOccurrence,
  type DateTriggerSpec,
} from './anniversary.js';
export type { JourneyProgress, ProgressTask } from './progress.js';
