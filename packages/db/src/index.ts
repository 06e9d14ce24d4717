export {
  connectDatabase,
  pingDatabase,
  isDuplicateKeyError,
  isTransientStorageError,
  capabilitiesOf,
  engineOf,
  useEngine,
  withDocumentLocks,
  updateIfUnchanged,
  type ConnectOptions,
  type Database,
  type DatabaseCapabilities,
  type EngineCapabilities,
  type EngineName,
  type StorageEngine,
  type WriteGuard,
} from './connection.js';
export {
  deleteByIds,
  findByIds,
  updateByIds,
  upsertByIds,
  type UpsertById,
  type WriteById,
} from './by-id.js';
export { syncIndexes } from './indexes.js';
export { workspaceModel, type WorkspaceDoc, type WorkspaceSender } from './models/workspace.js';
export {
  contactModel,
  contactKey,
  type ContactDoc,
  type SegmentMembershipState,
} from './models/contact.js';
export {
  eventModel,
  eventKey,
  pendingFoldModel,
  type EventDoc,
  type PendingFoldDoc,
} from './models/event.js';
export {
  journeyTriggerModel,
  journeyTriggerKey,
  enqueueJourneyTriggers,
  onJourneyTriggersQueued,
  nextJourneyTriggers,
  completeJourneyTrigger,
  recordJourneyTriggerFailure,
  enqueueSegmentMembersForJourney,
  profileChangedTrigger,
  type JourneyTriggerDoc,
  type JourneyTriggerKind,
} from './models/journey-trigger.js';
export { apiKeyModel, type ApiKeyDoc, type ApiKeyScope } from './models/api-key.js';
export {
  createApiKey,
  verifyApiKey,
  revokeApiKey,
  createWorkspace,
  findWorkspace,
  workspaceExists,
  listWorkspaceIds,
  updateWorkspaceSettings,
  workspaceSender,
  workspaceTimezone,
  listWorkspaces,
  WORKSPACE_SENDER_CACHE_MS,
  workspaceAffinities,
  setWorkspaceAffinities,
  type VerifiedKey,
  type CreatedWorkspace,
  type WorkspaceUpdate,
} from './workspaces.js';
export {
  findContact,
  contactExists,
  contactRevision,
  segmentMembership,
  listContacts,
  ContactCursorError,
  eraseContact,
  updateContactTraits,
  forEachContactWithTraits,
  type ContactPart,
  type ContactPage,
  type ContactPageQuery,
  type ContactTraitsState,
  type ContactTraitsOutcome,
} from './contacts.js';
export { listEventCatalog, type EventCatalogEntry } from './catalog.js';
export { identityModel, type IdentityDoc } from './models/identity.js';
export { encodeDocumentKeys, decodeDocumentKeys, UnstorableValueError } from './keys.js';
export { createIngestion, type Ingestion } from './ingestion.js';
export { storeEvents } from './ingest/append.js';
export { foldStoredEvents, ingestEvents } from './ingest/fold.js';
export { foldPendingEvents } from './ingest/pending.js';
export {
  combineStored,
  DEFAULT_FOLD_WITHIN_MS,
  eventFromDoc,
  type IngestOptions,
  type IngestReport,
  type StoredEvents,
} from './ingest/shared.js';
export {
  recordDebuggerEvents,
  debuggerSettled,
  recordDebuggerRefusals,
  readDebugger,
  clippedJson,
  DEBUGGER_LIMITS,
  type DebuggerEvent,
  type DebuggerRefusal,
  type DebuggerQuery,
} from './debugger.js';
export { forgetJourneyInterest } from './journey-interest.js';
export {
  loadProfile,
  loadProfiles,
  unpackActivity,
  packActivity,
  readProfileSummary,
  storedProfileParts,
  writeActivities,
  deleteActivities,
  contactActivityModel,
  profileSettingsOf,
  profileSettingsFromWorkspace,
  PROFILE_SETTINGS_CACHE_MS,
  type ContactActivityDoc,
  type ProfileSource,
} from './profiles.js';
export {
  createFoldQueue,
  foldLag,
  foldState,
  parkedFolds,
  retryParkedFolds,
  type FoldQueue,
  type FoldQueueOptions,
  type ParkedFold,
} from './fold-queue.js';
export * from './messaging/index.js';
export * from './segments/index.js';
export {
  journeyModel,
  journeyKey,
  journeyVersionModel,
  journeyVersionKey,
  journeyNodeStatsModel,
  journeyStatsModel,
  type JourneyDoc,
  type JourneyStatus,
  type JourneyVersionDoc,
} from './models/journey.js';
export {
  contactJourneysModel,
  journeyActionRunModel,
  type JourneyActionRunDoc,
} from './models/journey-run.js';
export {
  journeyNames,
  createJourney,
  existingSegmentIds,
  findJourney,
  findJourneyVersion,
  journeyStatusOf,
  listJourneyVersions,
  listJourneys,
  loadJourneyDefinition,
  newJourneyId,
  publishJourneyDraft,
  publishedJourneys,
  referencedSegmentIds,
  saveJourneyDraft,
  setJourneyStatus,
  type PublishOutcome,
} from './journeys/definitions.js';
export {
  contactJourneysKey,
  findActionRun,
  findContactJourneys,
  isFinishedRun,
  storeActionRun,
  type ContactJourneysDoc,
  type JourneyRunRecord,
  type JourneyRunStatus,
} from './journeys/runs.js';
export {
  releaseEnrollment,
  reserveEnrollment,
  type EnrollmentReservation,
  type EnrollmentReservationInput,
} from './journeys/enrollment.js';
export { applyJourneyProgress, type JourneyProgressInput } from './journeys/progress.js';
export {
  countJourneyEngagement,
  countThrottledSend,
  exitReasonOf,
  fieldName,
  journeyStats,
  journeyTotals,
  type HoldoutComparison,
  type NodeStatsView,
} from './journeys/counters.js';
export { reserveEnrollmentSparingRead } from './journeys/enrollment.js';
export {
  daysBetween,
  journeyFunnelCounts,
  journeyRuns,
  type JourneyFunnelCounts,
  type JourneyRunRow,
} from './journey-analytics.js';
export {
  eventSchemaModel,
  recordEventSchemas,
  type EventSchemaDoc,
} from './models/event-schema.js';
export { recomputeRfm, type RecomputeRfmOptions, type RecomputeRfmReport } from './rfm.js';
export * from './access/index.js';
