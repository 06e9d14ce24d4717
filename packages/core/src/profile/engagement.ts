import type { ContactProfile } from './types.js';
import { DAY_MS, toEpochMs } from './time.js';

export const ENGAGEMENT_LEVELS = ['new', 'active', 'engaged', 'dormant', 'lapsed'] as const;
export type EngagementLevel = (typeof ENGAGEMENT_LEVELS)[number];

/** Thresholds of the engagement rule, in days (rolling, not calendar days). */
export const ENGAGEMENT_RULE = Object.freeze({
  newForDays: 7,
  engagedActiveDays: 7,
  engagedSignalDays: 30,
  activeDays: 30,
  dormantDays: 90,
});

/** Latest order, email open or email click: the signals that someone cares, not just visits. */
function lastEngagedAt(p: ContactProfile): number | undefined {
  const xs = [p.purchases.lastOrderAt, p.email.lastOpenedAt, p.email.lastClickedAt].filter(
    (x): x is number => x !== undefined,
  );
  return xs.length === 0 ? undefined : Math.max(...xs);
}

const within = (x: number | undefined, days: number, now: number) =>
  x !== undefined && now - x <= days * DAY_MS;

/**
 * The rule, checked top to bottom (activity = any event except passive ones such as Email Sent):
 * - new: first seen less than 7 days ago, or no activity yet;
 * - engaged: active in the last 7 days and ordered, opened or clicked an email in the last 30 days;
 * - active: active in the last 30 days;
 * - dormant: active in the last 90 days;
 * - lapsed: no activity for more than 90 days.
 */
export function engagementLevel(profile: ContactProfile, now: number | Date): EngagementLevel {
  const t = toEpochMs(now);
  const r = ENGAGEMENT_RULE;
  if (profile.lastActiveAt === undefined || within(profile.firstSeenAt, r.newForDays, t))
    return 'new';
  if (
    within(profile.lastActiveAt, r.engagedActiveDays, t) &&
    within(lastEngagedAt(profile), r.engagedSignalDays, t)
  )
    return 'engaged';
  if (within(profile.lastActiveAt, r.activeDays, t)) return 'active';
  if (within(profile.lastActiveAt, r.dormantDays, t)) return 'dormant';
  return 'lapsed';
}

/** The next instant after `now` at which engagementLevel can change without a new event, or null. */
export function engagementLevelChangesAt(
  profile: ContactProfile,
  now: number | Date,
): number | null {
  const t = toEpochMs(now);
  const r = ENGAGEMENT_RULE;
  const edges: Array<[number | undefined, number]> = [
    [profile.firstSeenAt, r.newForDays],
    [profile.lastActiveAt, r.engagedActiveDays],
    [lastEngagedAt(profile), r.engagedSignalDays],
    [profile.lastActiveAt, r.activeDays],
    [profile.lastActiveAt, r.dormantDays],
  ];
  let next: number | null = null;
  for (const [at, days] of edges) {
    if (at === undefined) continue;
    const edge = at + days * DAY_MS + 1;
    if (edge > t && (next === null || edge < next)) next = edge;
  }
  return next;
}
