// The one place that starts Cairn's workflows, for every process that does (the API, the worker, tools).
// Not part of the sandboxed bundle: the package root never imports this file.
import type { Client } from '@temporalio/client';
import type { EnrollmentRun } from '@cairn/core';
import {
  JOURNEY_WORKFLOW,
  journeyRunSlot,
  journeyStartOptions,
  journeyWorkflowId,
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

/** The run a reservation is asked to record (`reserveEnrollment` in @cairn/db answers it). */
export interface EnrollmentReservationRequest extends EnrollmentRun {
  /** Always true here: the reservation leaves its counter bumps in flight, awaited beside the start. */
  countBesideStart: true;
}

/** What a reservation answers: the version to start, or why the contact is not enrolled. */
export type EnrollmentReservationAnswer =
  { enroll: true; version: number; counted?: Promise<void> } | { enroll: false; reason: string };

export interface JourneyEnrollmentDeps<A extends EnrollmentReservationAnswer> {
  client: Client;
  taskQueue: string;
  /** False on servers without Cairn's search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
  /** Records the run in the database, or says why not (the caller binds its connection and what it read). */
  reserve(request: EnrollmentReservationRequest): Promise<A>;
  /**
   * The caller's own record of the enrolment (the API's audit entry), written while Temporal starts the
   * run rather than after it: once the run is reserved the enrolment stands, started now or on a retry.
   */
  besideStart?(): Promise<unknown>;
}

export interface JourneyEnrollmentRequest {
  workspaceId: string;
  journeyId: string;
  contactId: string;
  key?: string;
  entry: JourneyWorkflowInput['entry'];
  /** Identifies the cause (trigger id, request id, action step): the same cause never enrols twice. */
  enrolledBy: string;
  now: Date;
  /** Overrides the run's continue-as-new threshold (tests of long journeys). */
  maxHistoryEvents?: number;
}

export type JourneyEnrollmentResult<A extends EnrollmentReservationAnswer> =
  | { enrolled: true; workflowId: string; version: number; runId: string }
  | Extract<A, { enroll: false }>;

/** The reservation is stored but Temporal refused or could not be reached: retry with the same cause. */
export class JourneyStartFailed extends Error {
  constructor(
    readonly workflowId: string,
    options: { cause: unknown },
  ) {
    super(
      `journey run ${workflowId} is reserved but its workflow did not start: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
    this.name = 'JourneyStartFailed';
  }
}

/**
 * Enrols one contact, for every caller (the dispatcher, date triggers, the API's manual enrolment, the
 * enrol-in-journey action): reserve the run in the database (re-entry, limit, run record), then start its
 * workflow. The workflow id keeps the start idempotent: a second start of a running run joins it.
 */
export async function enrollInJourney<A extends EnrollmentReservationAnswer>(
  deps: JourneyEnrollmentDeps<A>,
  request: JourneyEnrollmentRequest,
): Promise<JourneyEnrollmentResult<A>> {
  const { workspaceId, journeyId, contactId, key } = request;
  const workflowId = journeyWorkflowId(workspaceId, journeyId, contactId, key);
  const reservation = await deps.reserve({
    workspaceId,
    journeyId,
    contactId,
    ...(key !== undefined ? { key } : {}),
    slot: journeyRunSlot(journeyId, key),
    workflowId,
    enrolledBy: request.enrolledBy,
    now: request.now,
    countBesideStart: true,
  });
  if (!reservation.enroll) return reservation as Extract<A, { enroll: false }>;
  const start = startJourneyRun(
    deps.client,
    deps.taskQueue,
    {
      workspaceId,
      journeyId,
      version: reservation.version,
      contactId,
      ...(key !== undefined ? { key } : {}),
      entry: request.entry,
      ...(request.maxHistoryEvents !== undefined
        ? { maxHistoryEvents: request.maxHistoryEvents }
        : {}),
    },
    { searchAttributes: deps.searchAttributes !== false },
  ).catch((error: unknown) => {
    // The reservation stays: the same cause retried restarts it (reserveEnrollment answers `repeated`).
    throw new JourneyStartFailed(workflowId, { cause: error });
  });
  // The counters are written while Temporal starts the run, not before.
  const [handle] = await Promise.all([start, reservation.counted, deps.besideStart?.()]);
  return {
    enrolled: true,
    workflowId,
    version: reservation.version,
    runId: handle.firstExecutionRunId,
  };
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
