// Each contact's runs as recorded (one document per contact, a run per slot) and the stored outcomes of
// action steps. Written by enrollment.ts and progress.ts; read here by _id.
import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../connection.js';
import {
  contactJourneysModel,
  journeyActionRunModel,
  type ContactJourneysDoc,
  type JourneyActionRunDoc,
  type JourneyRunRecord,
  type JourneyRunStatus,
} from '../models/journey-run.js';

export function contactJourneysKey(workspaceId: string, contactId: string): string {
  return `${workspaceId}:${contactId}`;
}

/** This contact's runs, by slot; one _id lookup. */
export async function findContactJourneys(
  connection: Connection,
  workspaceId: string,
  contactId: string,
): Promise<ContactJourneysDoc | null> {
  const doc = await contactJourneysModel(connection)
    .findById(contactJourneysKey(workspaceId, contactId))
    .lean();
  if (!doc) return null;
  // The applied-batch bookkeeping is the progress writer's, not part of what a run is.
  const runs = Object.fromEntries(
    Object.entries(doc.runs ?? {}).map(
      ([slot, { batches: _b, digest: _d, supersedes: _s, ...run }]) => [slot, run],
    ),
  );
  return { ...doc, runs };
}

const FINISHED: JourneyRunStatus[] = ['completed', 'exited', 'converted', 'stopped', 'failed'];
export const isFinishedRun = (run: Pick<JourneyRunRecord, 'status'>) =>
  FINISHED.includes(run.status);

/** The stored outcome of an action step, by its idempotency key; null when the step never finished. */
export async function findActionRun(
  connection: Connection,
  idempotencyKey: string,
): Promise<JourneyActionRunDoc | null> {
  return journeyActionRunModel(connection).findById(idempotencyKey).lean<JourneyActionRunDoc>();
}

/** Stores an action step's outcome once: when one is already stored (a retried step), that one stays. */
export async function storeActionRun(
  connection: Connection,
  run: JourneyActionRunDoc,
): Promise<void> {
  try {
    await journeyActionRunModel(connection).create(run);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

export type { ContactJourneysDoc, JourneyRunRecord, JourneyRunStatus };
