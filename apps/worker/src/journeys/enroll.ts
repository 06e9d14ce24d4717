// The worker's binding of the one enrolment path (`enrollInJourney` in @cairn/workflows/client) to its
// database: callers pass what they have just read so that the reservation does not read it again.
import type { Client } from '@temporalio/client';
import {
  reserveEnrollmentSparingRead,
  type ContactJourneysDoc,
  type Database,
  type EnrollmentReservation,
  type EnrollmentReservationInput,
} from '@cairn/db';
import {
  enrollInJourney as enroll,
  type JourneyEnrollmentRequest,
  type JourneyEnrollmentResult,
} from '@cairn/workflows/client';

export interface EnrollDeps {
  db: Database;
  client: Client;
  taskQueue: string;
  /** False on servers without Cairn's search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
}

export interface EnrollRequest extends JourneyEnrollmentRequest {
  /** The contact's runs as the caller just read them (null: none), so the reservation need not read them. */
  contactJourneys?: ContactJourneysDoc | null;
  /** The journey's status and published version as the caller just read them. */
  journey?: EnrollmentReservationInput['journey'];
}

export type EnrollResult = JourneyEnrollmentResult<EnrollmentReservation>;

export function enrollInJourney(deps: EnrollDeps, request: EnrollRequest): Promise<EnrollResult> {
  const { contactJourneys, journey, ...rest } = request;
  return enroll(
    {
      client: deps.client,
      taskQueue: deps.taskQueue,
      ...(deps.searchAttributes !== undefined ? { searchAttributes: deps.searchAttributes } : {}),
      reserve: (reservation) =>
        reserveEnrollmentSparingRead(deps.db.connection, {
          ...reservation,
          ...(contactJourneys !== undefined ? { contactJourneys } : {}),
          ...(journey !== undefined ? { journey } : {}),
        }),
    },
    rest,
  );
}
