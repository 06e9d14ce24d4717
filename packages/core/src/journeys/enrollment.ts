import { durationToMs, type Duration, type JourneySettings } from './graph.js';

export type EnrollmentFacts = {
  now: Date;
  /** The contact's latest run of this journey (any version), if any. */
  previousRun?: { finished: boolean; finishedAt?: string };
  /** Contacts enrolled so far, for `enrollmentLimit`. */
  enrolledCount?: number;
};

export type EnrollmentDecision =
  | { enroll: true }
  | {
      enroll: false;
      reason:
        | 'alreadyInJourney'
        | 'reentryNever'
        | 'cooldown'
        | 'limitReached'
        | 'entryNotStarted'
        | 'entryEnded';
      retryAt?: string;
    };

/** The run an enrolment reserves: a contact's slot of a journey and the cause that asks for it. */
export interface EnrollmentRun {
  workspaceId: string;
  journeyId: string;
  contactId: string;
  key?: string;
  slot: string;
  workflowId: string;
  enrolledBy: string;
  now: Date;
}

export type EntryWindowState = 'scheduled' | 'open' | 'ended';

/** Whether new contacts may enter at `now`, by the journey's entry start and end dates. */
export function entryWindowState(
  settings: Pick<JourneySettings, 'entryStartsAt' | 'entryEndsAt'>,
  now: Date,
): EntryWindowState {
  const at = now.getTime();
  if (settings.entryStartsAt !== undefined && at < Date.parse(settings.entryStartsAt))
    return 'scheduled';
  if (settings.entryEndsAt !== undefined && at >= Date.parse(settings.entryEndsAt)) return 'ended';
  return 'open';
}

/** Whether a contact may start a new run now, by the journey's entry dates, re-entry rule and enrolment limit. */
export function decideEnrollment(
  settings: Pick<JourneySettings, 'reentry' | 'enrollmentLimit' | 'entryStartsAt' | 'entryEndsAt'>,
  facts: EnrollmentFacts,
): EnrollmentDecision {
  switch (entryWindowState(settings, facts.now)) {
    case 'scheduled':
      return {
        enroll: false,
        reason: 'entryNotStarted',
        retryAt: new Date(Date.parse(settings.entryStartsAt as string)).toISOString(),
      };
    case 'ended':
      return { enroll: false, reason: 'entryEnded' };
    case 'open':
      break;
  }
  if (
    settings.enrollmentLimit !== undefined &&
    (facts.enrolledCount ?? 0) >= settings.enrollmentLimit
  )
    return { enroll: false, reason: 'limitReached' };
  const previous = facts.previousRun;
  if (!previous) return { enroll: true };
  // Never two runs of one journey for one contact at once, whatever the policy.
  if (!previous.finished) return { enroll: false, reason: 'alreadyInJourney' };
  switch (settings.reentry.policy) {
    case 'never':
      return { enroll: false, reason: 'reentryNever' };
    case 'afterExit':
      return { enroll: true };
    case 'afterCooldown': {
      const finishedAt =
        previous.finishedAt === undefined
          ? Number.NEGATIVE_INFINITY
          : Date.parse(previous.finishedAt);
      const openAt = finishedAt + durationToMs(settings.reentry.cooldown);
      return facts.now.getTime() >= openAt
        ? { enroll: true }
        : { enroll: false, reason: 'cooldown', retryAt: new Date(openAt).toISOString() };
    }
  }
}

/** How old (at receipt) an event may be and still start an event-triggered journey, unless the journey says otherwise. */
export const DEFAULT_MAX_EVENT_AGE: Duration = { amount: 24, unit: 'hours' };

export type EventAgeFacts = {
  /** When the event happened. */
  timestamp: number;
  /** When Cairn received it. */
  receivedAt: number;
  /** Set by an import: false = history, starts nothing; true = the import asked to start journeys whatever the age. */
  startsJourneys?: boolean;
};

/**
 * Whether an event is live enough to start an event-triggered journey. Historical events (an import, a
 * timestamp far in the past) still fold into profiles and segments; they only start no new runs.
 */
export function eventStartsJourney(
  trigger: { maxEventAge?: Duration | undefined },
  facts: EventAgeFacts,
): boolean {
  if (facts.startsJourneys !== undefined) return facts.startsJourneys;
  return (
    facts.receivedAt - facts.timestamp <= durationToMs(trigger.maxEventAge ?? DEFAULT_MAX_EVENT_AGE)
  );
}
