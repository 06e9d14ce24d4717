export { bundleCairnWorkflows } from './bundle.js';
export {
  connectWithRetry,
  connectWorkerConnection,
  connectClientConnection,
  ensureSearchAttributes,
} from './temporal.js';
export {
  createSegmentActivities,
  ensureSegmentSweepSchedule,
  SEGMENT_SWEEP_SCHEDULE_ID,
} from './segments/index.js';
export { createJourneyActivities, type JourneyActivityDeps } from './journeys/activities.js';
export {
  JourneyDispatcher,
  startJourneyDispatcher,
  type DispatcherOptions,
  type DispatchReport,
} from './journeys/dispatcher.js';
export { listenForDispatcherWakes, type WakeListener } from './journeys/wake.js';
export {
  runDateTriggerPass,
  startDateTriggerScheduler,
  type DateTriggerOptions,
  type DateTriggerPassReport,
} from './journeys/date-triggers.js';
export {
  enrollInJourney,
  type EnrollDeps,
  type EnrollRequest,
  type EnrollResult,
} from './journeys/enroll.js';
export { createRunJourneyAction, type RunActionDeps } from './actions/run-action.js';
export { createActionServices, applyTraitsUpdate } from './actions/services.js';
export { startPendingFoldSweeper, type PendingFoldSweeperOptions } from './pending-folds.js';
