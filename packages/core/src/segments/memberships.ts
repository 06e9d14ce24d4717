import type { ContactProfile, ProfileSettings } from '../profile/types.js';
import { evaluateSegment } from './evaluate.js';
import type { SegmentDefinition } from './schema.js';

/** A contact's membership of one segment, as stored on the contact. */
export interface MembershipState {
  /** When the contact entered (epoch ms). */
  since: number;
  /** The segment version whose evaluation put them in. */
  version: number;
  /** Where the storage lists the member (its member page); carried through evaluation untouched. */
  page?: number;
  /**
   * The contact revision of the write that stored this entry: for one contact and segment, the later change
   * has the higher one.
   */
  rev?: number;
}

/** A live segment as evaluation needs it (in dependency order, see orderSegmentsForEvaluation). */
export interface MembershipSegment {
  segmentId: string;
  version: number;
  definition: SegmentDefinition;
}

export interface MembershipChange {
  segmentId: string;
  version: number;
  /** The contact revision the change is written with (see MembershipState.rev). */
  rev?: number;
}

export interface MembershipOutcome {
  segments: Record<string, MembershipState>;
  entered: MembershipChange[];
  exited: MembershipChange[];
  /** Earliest instant any answer can change with no new event; null when none can. */
  nextEvaluationAt: number | null;
}

/**
 * Ingestion's evaluation stage (and the sweep's, and a trait update's): evaluates every active segment for one contact, dependencies first, so a `segment` condition sees
 * the membership decided in this same round. Pure: the caller persists the outcome.
 * Memberships of segments that are no longer active are dropped without an exit (the segment is gone).
 */
export function evaluateMemberships(input: {
  contactId: string;
  profile: ContactProfile;
  current: Record<string, MembershipState>;
  segments: readonly MembershipSegment[];
  now: number;
  profileSettings?: Partial<ProfileSettings>;
  /** The workspace's zone: whole-day windows turn at its midnight. */
  timeZone?: string;
  /** The contact revision the caller's write will store; entries and exits carry it. */
  rev?: number;
}): MembershipOutcome {
  const { contactId, profile, current, now } = input;
  const stamp = input.rev === undefined ? {} : { rev: input.rev };
  const memberships = new Set(Object.keys(current));
  const segments: Record<string, MembershipState> = {};
  const entered: MembershipChange[] = [];
  const exited: MembershipChange[] = [];
  let nextEvaluationAt: number | null = null;
  for (const segment of input.segments) {
    const { matches, nextChangeAt } = evaluateSegment(segment.definition, {
      contactId,
      profile,
      now,
      memberships,
      profileSettings: input.profileSettings,
      ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    });
    const was = current[segment.segmentId];
    if (matches) {
      segments[segment.segmentId] = was ?? { since: now, version: segment.version, ...stamp };
      memberships.add(segment.segmentId);
      if (!was) entered.push({ segmentId: segment.segmentId, version: segment.version, ...stamp });
    } else {
      memberships.delete(segment.segmentId);
      if (was) exited.push({ segmentId: segment.segmentId, version: segment.version, ...stamp });
    }
    if (nextChangeAt !== null && (nextEvaluationAt === null || nextChangeAt < nextEvaluationAt))
      nextEvaluationAt = nextChangeAt;
  }
  return { segments, entered, exited, nextEvaluationAt };
}
