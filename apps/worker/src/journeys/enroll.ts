// Starting a contact's run: reserve the enrolment in the database (re-entry, limit, run record), then
// start the workflow. A start of a run that is already running is a no-op (USE_EXISTING).
import type { Client } from '@temporalio/client';
import {
  reserveEnrollment,
  type ContactJourneysDoc,
  type Database,
  type EnrollmentReservation,
} from '@cairn/db';
import { journeyRunSlot, journeyWorkflowId, type JourneyWorkflowInput } from '@cairn/workflows';
import { startJourneyRun } from '@cairn/workflows/client';

export interface EnrollDeps {
  db: Database;
  client: Client;
  taskQueue: string;
  /** False on servers without Cairn's search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
}

export interface EnrollRequest {
  workspaceId: string;
  journeyId: string;
  contactId: string;
  key?: string;
  entry: JourneyWorkflowInput['entry'];
  /** Identifies the cause (trigger id, request id, action step): the same cause never enrols twice. */
  enrolledBy: string;
  now: Date;
  /** The contact's runs as the caller just read them (null: none), so the reservation need not read them. */
  contactJourneys?: ContactJourneysDoc | null;
  /** Overrides the run's continue-as-new threshold (tests of long journeys). */
  maxHistoryEvents?: number;
}

export type EnrollResult =
  | { enrolled: true; workflowId: string; version: number; runId: string }
  | Extract<EnrollmentReservation, { enroll: false }>;

export async function enrollInJourney(
  deps: EnrollDeps,
  request: EnrollRequest,
): Promise<EnrollResult> {
  const { workspaceId, journeyId, contactId, key } = request;
  const workflowId = journeyWorkflowId(workspaceId, journeyId, contactId, key);
  const reservation = await reserveEnrollment(deps.db.connection, {
    workspaceId,
    journeyId,
    contactId,
    ...(key !== undefined ? { key } : {}),
    slot: journeyRunSlot(journeyId, key),
    workflowId,
    enrolledBy: request.enrolledBy,
    now: request.now,
    ...(request.contactJourneys !== undefined ? { contactJourneys: request.contactJourneys } : {}),
  });
  if (!reservation.enroll) return reservation;
  // If this throws (Temporal down), the reservation stays: the caller retries with the same enrolledBy.
  const handle = await startJourneyRun(
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
  );
  return {
    enrolled: true,
    workflowId,
    version: reservation.version,
    runId: handle.firstExecutionRunId,
  };
}
