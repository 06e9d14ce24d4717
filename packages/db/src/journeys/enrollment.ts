// Enrolment: the re-entry rule and the enrolment limit decided, and the run record reserved, before the
// caller starts the contact's workflow.
import type { Connection } from 'mongoose';
import {
  decideEnrollment,
  type EnrollmentDecision,
  type EnrollmentRun,
  type JourneyDefinition,
} from '@cairn/core';
import { isDuplicateKeyError, updateIfUnchanged, withDocumentLocks } from '../connection.js';
import { journeyKey, journeyModel, journeyStatsModel, type JourneyDoc } from '../models/journey.js';
import {
  contactJourneysModel,
  type ContactJourneysDoc,
  type JourneyRunRecord,
} from '../models/journey-run.js';
import { bumpCounters, dayKey, fieldName, incUpsert, statsKey, utcDay } from './counters.js';
import { loadJourneyDefinition } from './definitions.js';
import { contactJourneysKey, isFinishedRun } from './runs.js';

export type EnrollmentReservation =
  | {
      enroll: true;
      version: number;
      definition: JourneyDefinition;
      repeated: boolean;
      /** The entrant's counter bumps, still in flight: await it (beside the start) before reporting success. */
      counted?: Promise<void>;
    }
  | {
      enroll: false;
      reason:
        | Extract<EnrollmentDecision, { enroll: false }>['reason']
        | 'notPublished'
        | 'notFound'
        | 'raced';
    };

/** A reservation's input: the run to record and, optionally, what the caller has just read. */
export interface EnrollmentReservationInput extends EnrollmentRun {
  /** The contact's runs as the caller just read them (null: none); saves reading them again. */
  contactJourneys?: ContactJourneysDoc | null;
  /**
   * The journey's status and published version as the caller just read them (the dispatcher's list of
   * published journeys, the API's journey lookup); saves reading the journey again for every start.
   */
  journey?: Pick<JourneyDoc, 'status' | 'publishedVersion'>;
  /** True: the counter bumps are left in flight as `counted`, for the caller to await beside its start. */
  countBesideStart?: boolean;
}

/**
 * Decides and records one enrolment: re-entry rule, enrolment limit, then the run record, written
 * conditionally so two dispatchers never both enrol the contact. The same `enrolledBy` again (a retried
 * trigger whose workflow start failed) answers `repeated: true` so the caller starts the workflow again.
 * Per start: the conditional run-record write and coalesced counter bumps; reads only what the caller did
 * not pass (the journey, the contact's runs) and the totals only when an enrolment limit needs them.
 */
export async function reserveEnrollment(
  connection: Connection,
  input: EnrollmentReservationInput,
): Promise<EnrollmentReservation> {
  const { workspaceId, journeyId, now } = input;
  const journey =
    input.journey ??
    (await journeyModel(connection)
      .findById(journeyKey(workspaceId, journeyId), { status: 1, publishedVersion: 1 })
      .lean());
  if (!journey) return { enroll: false, reason: 'notFound' };
  if (journey.status !== 'published' || !journey.publishedVersion)
    return { enroll: false, reason: 'notPublished' };
  const publishedVersion = journey.publishedVersion;
  const definition = await loadJourneyDefinition(
    connection,
    workspaceId,
    journeyId,
    publishedVersion,
  );
  if (!definition) return { enroll: false, reason: 'notPublished' };

  const cjId = contactJourneysKey(workspaceId, input.contactId);
  const slotField = `runs.${fieldName(input.slot)}`;
  // A stale copy is safe: the run record below is written only if the slot is as it was read.
  const existing =
    input.contactJourneys !== undefined
      ? input.contactJourneys
      : await contactJourneysModel(connection)
          .findById(cjId, { [slotField]: 1 })
          .lean();
  const previous = existing?.runs?.[fieldName(input.slot)];
  if (previous && previous.enrolledBy === input.enrolledBy) {
    // Already started and finished for this cause: starting again would be a second run.
    if (isFinishedRun(previous)) return { enroll: false, reason: 'alreadyInJourney' };
    const def = await loadJourneyDefinition(connection, workspaceId, journeyId, previous.version);
    return def
      ? { enroll: true, version: previous.version, definition: def, repeated: true }
      : { enroll: false, reason: 'notPublished' };
  }
  // Only a limit needs the count; the conditional $inc below is what enforces it.
  const limit = definition.settings.enrollmentLimit;
  const stats = journeyStatsModel(connection);
  const totalsKey = statsKey(workspaceId, journeyId);
  const totals = limit === undefined ? null : await stats.findById(totalsKey).lean();
  const decision = decideEnrollment(definition.settings, {
    now,
    ...(previous
      ? {
          previousRun: {
            finished: isFinishedRun(previous),
            ...(previous.exitedAt ? { finishedAt: previous.exitedAt } : {}),
          },
        }
      : {}),
    enrolledCount: totals?.entered ?? 0,
  });
  if (!decision.enroll) return { enroll: false, reason: decision.reason };

  if (limit !== undefined) {
    await incUpsert(stats, totalsKey, { entered: 0 });
    // The limit check and the count are one atomic update, so a burst never enrols past it.
    const counted = await stats.updateOne(
      { _id: totalsKey, entered: { $lt: limit } },
      { $inc: { entered: 1, active: 1 } },
    );
    if (counted.modifiedCount === 0) return { enroll: false, reason: 'limitReached' };
  }

  const record: JourneyRunRecord = {
    journeyId,
    ...(input.key !== undefined ? { key: input.key } : {}),
    version: publishedVersion,
    workflowId: input.workflowId,
    status: 'active',
    enteredAt: now.toISOString(),
    steps: [],
    seq: 0,
    enrolledBy: input.enrolledBy,
    ...(previous?.runStartedId !== undefined ? { supersedes: previous.runStartedId } : {}),
  };
  let written = false;
  try {
    const result = await withDocumentLocks([cjId], () =>
      updateIfUnchanged(
        connection,
        contactJourneysModel(connection),
        cjId,
        { [`${slotField}.enteredAt`]: previous ? previous.enteredAt : { $exists: false } },
        {
          $set: { [slotField]: record },
          $setOnInsert: { workspaceId, contactId: input.contactId },
        },
        { upsert: true },
      ),
    );
    written = result.modifiedCount + result.upsertedCount > 0;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  if (!written) {
    if (limit !== undefined) await bumpCounters(stats, totalsKey, { entered: -1, active: -1 });
    return { enroll: false, reason: 'raced' };
  }
  // Without a limit the totals are counted after the record (a crash between under-counts, never
  // double-counts, as progress does), so a lost race costs no counter write to undo; the caller awaits
  // `counted` beside the workflow start rather than before it.
  const counted = Promise.all([
    limit === undefined ? bumpCounters(stats, totalsKey, { entered: 1, active: 1 }) : undefined,
    bumpCounters(stats, dayKey(workspaceId, journeyId, utcDay(now)), { enrolled: 1 }),
  ]).then(() => undefined);
  if (!input.countBesideStart) await counted;
  // Observed here so that a caller failing before it awaits `counted` leaves no unhandled rejection.
  else counted.catch(() => undefined);
  return { enroll: true, version: publishedVersion, definition, repeated: false, counted };
}

/** Undoes a reservation whose workflow could not be started and will not be retried (e.g. the trigger is dropped). */
export async function releaseEnrollment(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  contactId: string,
  slot: string,
  enrolledBy: string,
) {
  const slotField = `runs.${fieldName(slot)}`;
  const cjId = contactJourneysKey(workspaceId, contactId);
  const result = await withDocumentLocks([cjId], () =>
    updateIfUnchanged(
      connection,
      contactJourneysModel(connection),
      cjId,
      { [`${slotField}.enrolledBy`]: enrolledBy, [`${slotField}.status`]: 'active' },
      {
        $set: {
          [`${slotField}.status`]: 'stopped',
          [`${slotField}.reason`]: 'notStarted',
          [`${slotField}.exitedAt`]: new Date().toISOString(),
        },
      },
    ),
  );
  if (result.modifiedCount > 0) {
    const stats = journeyStatsModel(connection);
    await incUpsert(stats, statsKey(workspaceId, journeyId), { active: -1 });
    await incUpsert(stats, dayKey(workspaceId, journeyId, utcDay(new Date())), {
      'exits.stopped': 1,
    });
  }
}

/**
 * For callers that have not read the contact's runs (the API's manual enrolment, date triggers, the
 * enrol-in-journey action): `reserveEnrollment` without that read when the slot is empty. The run record's write
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
