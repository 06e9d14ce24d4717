// The one place that starts Cairn's workflows, for every process that does (the API, the worker, tools).
// Not part of the sandboxed bundle: the package root never imports this file.
import type { Client } from '@temporalio/client';
import {
  JOURNEY_WORKFLOW,
  journeyStartOptions,
  type JourneyWorkflowInput,
} from './journey-contract.js';
import type { journeyWorkflow } from './journey.js';
import type { SegmentBackfillInput, segmentBackfillWorkflow } from './segments.js';

/** The backfill workflow's registered name (the name of its function in the bundle). */
export const SEGMENT_BACKFILL_WORKFLOW = 'segmentBackfillWorkflow';

/**
 * Starts one contact's journey run. The workflow id is the run's identity: starting a run that is already
 * running returns it (USE_EXISTING), so a retried start never makes a second run.
 */
export function startJourneyRun(
  client: Client,
  taskQueue: string,
  input: JourneyWorkflowInput,
  opts: { searchAttributes?: boolean } = {},
) {
  return client.workflow.start<typeof journeyWorkflow>(
    JOURNEY_WORKFLOW,
    journeyStartOptions(input, taskQueue, opts),
  );
}

/** Starts (or, for a newer segment version, restarts) a segment's backfill under `workflowId`. */
export function startSegmentBackfill(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: SegmentBackfillInput,
) {
  return client.workflow.start<typeof segmentBackfillWorkflow>(SEGMENT_BACKFILL_WORKFLOW, {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
  });
}
