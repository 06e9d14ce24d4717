import { dict } from './maps.js';
import type { ContactProfile, EventSummary } from './types.js';

/**
 * A profile is stored in two documents. The summary (counts, first/last instants, purchases, traits,
 * affinities, engagement) is small and read by every list, search and most segment conditions; the activity
 * (per-day series and the latest occurrences of each event, with their properties) is most of the bytes and
 * is read only to evaluate windows and filters, to render templates and to show a contact.
 */
export type SummaryEvent = Omit<EventSummary, 'byDay' | 'numericByDay' | 'recent'>;
export type ProfileSummary = Omit<ContactProfile, 'events'> & {
  events: Record<string, SummaryEvent>;
};
export type ActivityEvent = Pick<EventSummary, 'byDay' | 'numericByDay' | 'recent'>;
export interface ContactActivity {
  events: Record<string, ActivityEvent>;
}

export function emptyActivity(): ContactActivity {
  return { events: dict<ActivityEvent>() };
}

/** Splits a profile into its summary and activity parts; `joinProfile` puts them back together exactly. */
export function splitProfile(profile: ContactProfile): {
  summary: ProfileSummary;
  activity: ContactActivity;
} {
  // Event names are customer data: `__proto__` is an ordinary name here.
  const summaryEvents = dict<SummaryEvent>();
  const activityEvents = dict<ActivityEvent>();
  for (const [name, { byDay, numericByDay, recent, ...rest }] of Object.entries(profile.events)) {
    summaryEvents[name] = rest;
    activityEvents[name] = { byDay, numericByDay, recent };
  }
  return { summary: { ...profile, events: summaryEvents }, activity: { events: activityEvents } };
}

/** The whole profile from its two parts; an event the activity lacks gets empty series. */
export function joinProfile(
  summary: ProfileSummary,
  activity: ContactActivity | undefined,
): ContactProfile {
  const events = dict<EventSummary>();
  for (const [name, rest] of Object.entries(summary.events ?? {})) {
    const part =
      activity && Object.prototype.hasOwnProperty.call(activity.events, name)
        ? activity.events[name]
        : undefined;
    events[name] = {
      ...rest,
      byDay: part?.byDay ?? {},
      numericByDay: part?.numericByDay ?? {},
      recent: part?.recent ?? [],
    };
  }
  return { ...summary, events };
}

export interface ContactTimelineEntry {
  at: number;
  event: string;
  messageId: string;
  properties: Record<string, unknown>;
}

/**
 * A contact's latest events, newest first, from the occurrences the profile keeps (settings.recentOccurrences
 * per event name), so a contact page needs no scan of the event log. Exact while no single event name has
 * more occurrences among the newest `limit` than the profile keeps per name.
 */
export function recentTimeline(
  profile: Pick<ContactProfile, 'events'>,
  limit = 100,
): ContactTimelineEntry[] {
  const entries: ContactTimelineEntry[] = [];
  for (const [event, summary] of Object.entries(profile.events)) {
    for (const o of summary.recent)
      entries.push({ at: o.at, event, messageId: o.messageId, properties: o.properties });
  }
  return entries
    .sort((a, b) => b.at - a.at || (a.messageId < b.messageId ? 1 : -1))
    .slice(0, limit);
}
