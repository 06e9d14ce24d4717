// Enrolment for callers that have not read the contact's runs (the API's manual enrolment, date triggers,
// the enrol-in-journey action): most enrolments are a contact's first in the journey, so the run record is
// written first as if the slot were empty and the runs are read only when that write finds it taken.
import type { Connection } from 'mongoose';
import {
  loadJourneyDefinition,
  reserveEnrollment,
  type EnrollmentReservation,
  type EnrollmentReservationInput,
} from './journeys.js';

/**
 * `reserveEnrollment` without the read of the contact's runs when the slot is empty. The run record's write
 * is conditional on the slot (what the read would have been checked against anyway), so a taken slot comes
 * back as `raced` with nothing written, and only then are the runs read and the re-entry rule applied: a
 * re-entry, a retried cause or a real race cost one write attempt more, a first enrolment one read less.
 * A journey with an enrolment limit is reserved the usual way: a failed attempt there would hold a count.
 */
export async function reserveEnrollmentSparingRead(
  connection: Connection,
  input: EnrollmentReservationInput,
): Promise<EnrollmentReservation> {
  if (input.contactJourneys !== undefined || !input.journey?.publishedVersion)
    return reserveEnrollment(connection, input);
  const definition = await loadJourneyDefinition(
    connection,
    input.workspaceId,
    input.journeyId,
    input.journey.publishedVersion,
  );
  if (definition?.settings.enrollmentLimit !== undefined)
    return reserveEnrollment(connection, input);
  const first = await reserveEnrollment(connection, { ...input, contactJourneys: null });
  if (first.enroll || first.reason !== 'raced') return first;
  return reserveEnrollment(connection, input);
}
