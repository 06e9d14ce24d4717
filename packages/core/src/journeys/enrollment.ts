import { durationToMs, type JourneySettings } from './graph.js';

export type EnrollmentFacts = {
  now: Date;
  /** The contact's latest run of this journey (any version), if any. */
  previousRun?: { finished: boolean; finishedAt?: string };
  /** Contacts enrolled so far, for `enrollmentLimit`. */
  enrolledCount?: number;
};

export type EnrollmentDecision =
  | { enroll: true }
  | { enroll: false; reason: 'alreadyInJourney' | 'reentryNever' | 'cooldown' | 'limitReached'; retryAt?: string };

/** Whether a contact may start a new run now, by the journey's re-entry rule and enrolment limit. */
export function decideEnrollment(settings: Pick<JourneySettings, 'reentry' | 'enrollmentLimit'>, facts: EnrollmentFacts): EnrollmentDecision {
  if (settings.enrollmentLimit !== undefined && (facts.enrolledCount ?? 0) >= settings.enrollmentLimit) return { enroll: false, reason: 'limitReached' };
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
      const finishedAt = previous.finishedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(previous.finishedAt);
      const openAt = finishedAt + durationToMs(settings.reentry.cooldown);
      return facts.now.getTime() >= openAt ? { enroll: true } : { enroll: false, reason: 'cooldown', retryAt: new Date(openAt).toISOString() };
    }
  }
}
