// Workflow code only: runs in Temporal's deterministic sandbox. Imports @temporalio/workflow and
// @cairn/core/runtime (never the package root: it brings zod into every run), nothing that does I/O.
export { stackProbeWorkflow } from './probe.js';
export {
  journeyWorkflow,
  contactEventSignal,
  segmentChangedSignal,
  profileChangedSignal,
  controlSignal,
  positionQuery,
} from './journey.js';
export {
  JOURNEY_WORKFLOW,
  JOURNEY_SIGNALS,
  JOURNEY_POSITION_QUERY,
  encodeRunKey,
  journeyWorkflowId,
  journeyRunSlot,
  journeyStartOptions,
} from './journey-contract.js';
export type {
  CarriedRun,
  ContactFacts,
  JourneyActivities,
  JourneyControl,
  JourneyEntryKind,
  JourneyInbox,
  JourneyPosition,
  JourneyProgress,
  JourneyRunOutcome,
  JourneyWorkflowInput,
  LoadedJourneyVersion,
  ProgressTask,
  RunJourneyActionInput,
  RunJourneyActionResult,
  SegmentChange,
} from './journey-contract.js';
export {
  segmentBackfillWorkflow,
  segmentSweepWorkflow,
  type SegmentActivities,
  type SegmentBackfillInput,
} from './segments.js';
export { rfmRecomputeWorkflow, type RfmActivities, type RfmRecomputeResult } from './rfm.js';
