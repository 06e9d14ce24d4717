// Starts date-triggered journeys (birthdays, signup anniversaries, N days before a renewal): each pass reads
// the contacts holding the journeys' date traits and enrols those whose occurrence is due, keyed by the
// occurrence's local date, so any number of passes and processes start one run per contact per occurrence.
import {
  dueDateOccurrence,
  isValidTimeZone,
  nextDateOccurrenceAt,
  type JourneyTrigger,
} from '@cairn/core';
import {
  findWorkspace,
  forEachContactWithTraits,
  listWorkspaceIds,
  publishedJourneys,
} from '@cairn/db';
import { enrollInJourney, type EnrollDeps } from './enroll.js';

type DateTrigger = Extract<JourneyTrigger, { type: 'dateAnniversary' }>;

export interface DateTriggerPassReport {
  enrolled: number;
  /** Due contacts already started for this occurrence (an earlier pass or another process). */
  alreadyStarted: number;
  /** The earliest instant after the pass at which a contact read becomes due, or null. */
  nextDueAt: number | null;
}

export interface DateTriggerOptions extends EnrollDeps {
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /** Longest sleep between passes: traits and journeys changed meanwhile are seen by then. */
  maxSleepMs?: number;
  now?: () => number;
}

/** The contact's zone (its `timezone` trait when valid), else the trigger's default, else the workspace's. */
function zoneOf(traits: Record<string, unknown>, trigger: DateTrigger, workspaceZone: string) {
  const own = traits.timezone;
  if (typeof own === 'string' && isValidTimeZone(own)) return own;
  return trigger.defaultTimezone ?? workspaceZone;
}

/** One pass over every workspace with a published date-triggered journey. */
export async function runDateTriggerPass(
  options: DateTriggerOptions,
  scope: { workspaceIds?: string[]; started?: Set<string> } = {},
): Promise<DateTriggerPassReport> {
  const connection = options.db.connection;
  const now = options.now?.() ?? Date.now();
  const report: DateTriggerPassReport = { enrolled: 0, alreadyStarted: 0, nextDueAt: null };
  for (const workspaceId of scope.workspaceIds ?? (await listWorkspaceIds(connection))) {
    const journeys = (await publishedJourneys(connection, workspaceId)).flatMap((j) => {
      const node = j.definition.nodes.find((n) => n.kind === 'trigger');
      return node?.kind === 'trigger' && node.trigger.type === 'dateAnniversary'
        ? [{ journeyId: j.journeyId, trigger: node.trigger }]
        : [];
    });
    if (journeys.length === 0) continue;
    const workspaceZone =
      (await findWorkspace(connection, workspaceId))?.settings?.timezone ?? 'UTC';
    const traits = [...new Set(journeys.map((j) => j.trigger.trait))];
    await forEachContactWithTraits(connection, workspaceId, traits, async (page) => {
      for (const contact of page)
        for (const { journeyId, trigger } of journeys) {
          const value = contact.traits[trigger.trait];
          if (value === undefined || value === null) continue;
          const zone = zoneOf(contact.traits, trigger, workspaceZone);
          const next = nextDateOccurrenceAt(value, trigger, now, zone);
          if (next !== null && (report.nextDueAt === null || next < report.nextDueAt))
            report.nextDueAt = next;
          const due = dueDateOccurrence(value, trigger, now, zone);
          if (!due) continue;
          const cause = `date:${journeyId}:${contact.contactId}:${due.key}`;
          if (scope.started?.has(cause)) {
            report.alreadyStarted++;
            continue;
          }
          const result = await enrollInJourney(options, {
            workspaceId,
            journeyId,
            contactId: contact.contactId,
            key: due.key,
            entry: { kind: 'date', at: new Date(due.at).toISOString() },
            // The same cause on every pass: a reservation left by a crash is completed, never doubled.
            enrolledBy: cause,
            now: new Date(now),
          });
          if ('enrolled' in result) report.enrolled++;
          else report.alreadyStarted++;
          // Either way this occurrence needs nothing more from this process.
          if (scope.started && scope.started.size > 100_000) scope.started.clear();
          scope.started?.add(cause);
        }
    });
  }
  return report;
}

/** Runs passes until stopped: at the next occurrence instant, or after `maxSleepMs` at the latest. */
export function startDateTriggerScheduler(options: DateTriggerOptions): { stop(): Promise<void> } {
  const maxSleep = options.maxSleepMs ?? 5 * 60_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const started = new Set<string>();
  const loop = (async () => {
    while (!stopped) {
      let sleepUntil = Date.now() + maxSleep;
      try {
        const report = await runDateTriggerPass(options, { started });
        if (report.enrolled > 0)
          options.log?.info({ enrolled: report.enrolled }, 'date-triggered journeys started');
        if (report.nextDueAt !== null) sleepUntil = Math.min(sleepUntil, report.nextDueAt);
      } catch (error) {
        options.log?.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'date-trigger pass failed; retrying',
        );
        sleepUntil = Date.now() + 5_000;
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.max(0, sleepUntil - Date.now() + 2));
        timer.unref();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
