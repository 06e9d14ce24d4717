// Which journeys a workspace runs, as ingestion needs to know it: whether any would hear a profile change, and
// which event names any would hear. Cached briefly per process; a publish in this process forgets it at once.
import type { Connection } from 'mongoose';
import { journeyVersionKey, journeyVersionModel } from './models/journey.js';

const journeyInterest = new Map<string, { any: boolean; events: Set<string>; until: number }>();
const eventNamesOfVersion = new Map<string, Set<string>>();

/** Whether the workspace has published or paused journeys; if not, event and profile triggers are not written. */
export async function workspaceHasJourneys(
  connection: Connection,
  workspaceId: string,
): Promise<boolean> {
  return (await journeyInterestOf(connection, workspaceId)).any;
}

/**
 * Whether the workspace has published or paused journeys (`any`: they hear profile changes), and the event
 * names they react to in any of their versions (a run stays on the version it entered): triggers, waits,
 * exits, branches and goals. An event of another name writes no trigger, so traffic no journey listens to
 * costs the dispatcher nothing.
 */
export async function journeyInterestOf(
  connection: Connection,
  workspaceId: string,
): Promise<{ any: boolean; events: Set<string> }> {
  const cached = journeyInterest.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached;
  const events = new Set<string>();
  const journeys = connection.db
    ? await connection.db
        .collection<{ journeyId: string; publishedVersion?: number }>('journeys')
        .find(
          { workspaceId, status: { $in: ['published', 'paused'] } },
          { projection: { journeyId: 1, publishedVersion: 1 } },
        )
        .toArray()
    : [];
  for (const journey of journeys)
    for (let version = 1; version <= (journey.publishedVersion ?? 0); version++) {
      const key = journeyVersionKey(workspaceId, journey.journeyId, version);
      // Versions never change: each is read once per process.
      let heard = eventNamesOfVersion.get(key);
      if (!heard) {
        heard = new Set();
        const doc = await journeyVersionModel(connection).findById(key, { definition: 1 }).lean();
        collectEventNames(doc?.definition, heard);
        if (doc) eventNamesOfVersion.set(key, heard);
      }
      for (const name of heard) events.add(name);
    }
  const interest = { any: journeys.length > 0, events, until: Date.now() + 2_000 };
  journeyInterest.set(workspaceId, interest);
  return interest;
}

/** Every string under an `event` key: over-collecting writes a trigger too many, never one too few. */
function collectEventNames(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) return value.forEach((v) => collectEventNames(v, into));
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'event' && typeof v === 'string') into.add(v);
    else collectEventNames(v, into);
  }
}

/** Lets a process that just published a journey see event triggers at once. */
export function forgetJourneyInterest(workspaceId: string): void {
  journeyInterest.delete(workspaceId);
}
