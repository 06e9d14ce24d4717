import { evaluateSegment, type ContactProfile, type ProfileSettings } from '@cairn/core';
import type { SegmentMembershipState } from '../models/contact.js';
import type { ActiveSegment } from './cache.js';

export interface MembershipChange {
  segmentId: string;
  version: number;
  /** The contact revision the change is written with (see SegmentMembershipState.rev). */
  rev?: number;
}

export interface MembershipOutcome {
  segments: Record<string, SegmentMembershipState>;
  entered: MembershipChange[];
  exited: MembershipChange[];
  /** Earliest instant any answer can change with no new event; null when none can. */
  nextEvaluationAt: number | null;
}

/**
 * Evaluates every active segment for one contact, dependencies first, so a `segment` condition sees
 * the membership decided in this same round. Pure: the caller persists the outcome.
 * Memberships of segments that are no longer active are dropped without an exit (the segment is gone).
 */
export function evaluateMemberships(input: {
  contactId: string;
  profile: ContactProfile;
  current: Record<string, SegmentMembershipState>;
  segments: readonly ActiveSegment[];
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
  const segments: Record<string, SegmentMembershipState> = {};
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
