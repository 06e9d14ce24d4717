// Journeys as the designer edits them: drafts, status, frozen versions and the graphs new entrants get.
// Every hot read is by _id; every write is conditional (no transactions).
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { JourneyDefinition } from '@cairn/core';
import { findByIds } from '../by-id.js';
import { isDuplicateKeyError } from '../connection.js';
import { forgetJourneyInterest } from '../journey-interest.js';
import { decodeDocumentKeys, encodeDocumentKeys } from '../keys.js';
import {
  journeyKey,
  journeyModel,
  journeyVersionKey,
  journeyVersionModel,
  type JourneyDoc,
  type JourneyStatus,
} from '../models/journey.js';

export function newJourneyId(): string {
  return `j_${randomBytes(6).toString('hex')}`;
}

const decodeJourney = (doc: JourneyDoc): JourneyDoc => ({
  ...doc,
  draft: decodeDocumentKeys(doc.draft),
});

export async function createJourney(
  connection: Connection,
  workspaceId: string,
  input: { name: string; definition: JourneyDefinition; journeyId?: string },
): Promise<JourneyDoc> {
  const journeyId = input.journeyId ?? newJourneyId();
  const doc = await journeyModel(connection).create({
    _id: journeyKey(workspaceId, journeyId),
    workspaceId,
    journeyId,
    name: input.name,
    status: 'draft',
    draft: encodeDocumentKeys(input.definition),
    rev: 0,
  });
  return decodeJourney(doc.toObject());
}

export async function findJourney(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyDoc | null> {
  const doc = await journeyModel(connection).findById(journeyKey(workspaceId, journeyId)).lean();
  return doc ? decodeJourney(doc) : null;
}

/** Journey names by id (one `_id` list read, names only): for pages that show runs. */
export async function journeyNames(
  connection: Connection,
  workspaceId: string,
  journeyIds: string[],
): Promise<Map<string, string>> {
  const docs = await findByIds(
    connection,
    journeyModel(connection),
    journeyIds.map((id) => journeyKey(workspaceId, id)),
    { name: 1 },
  );
  const names = new Map<string, string>();
  docs.forEach((doc, i) => doc?.name && names.set(journeyIds[i] as string, doc.name));
  return names;
}

export async function listJourneys(
  connection: Connection,
  workspaceId: string,
): Promise<JourneyDoc[]> {
  const docs = await journeyModel(connection).find({ workspaceId }).sort({ updatedAt: -1 }).lean();
  return docs.map(decodeJourney);
}

/** Replaces the draft (and name); archived journeys are read-only. Null when the journey does not exist. */
export async function saveJourneyDraft(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  change: { definition: JourneyDefinition; name?: string },
): Promise<JourneyDoc | 'archived' | null> {
  const current = await findJourney(connection, workspaceId, journeyId);
  if (!current) return null;
  if (current.status === 'archived') return 'archived';
  const updated = await journeyModel(connection)
    .findOneAndUpdate(
      { _id: current._id, status: { $ne: 'archived' } },
      {
        $set: {
          draft: encodeDocumentKeys(change.definition),
          name: change.name ?? change.definition.name ?? current.name,
        },
        $inc: { rev: 1 },
      },
      { returnDocument: 'after' },
    )
    .lean();
  return updated ? decodeJourney(updated) : 'archived';
}

export async function findJourneyVersion(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  version: number,
) {
  const doc = await journeyVersionModel(connection)
    .findById(journeyVersionKey(workspaceId, journeyId, version))
    .lean();
  return doc ? { ...doc, definition: decodeDocumentKeys(doc.definition) } : null;
}

/** Versions 1..published, each found by its _id. */
export async function listJourneyVersions(
  connection: Connection,
  journey: Pick<JourneyDoc, 'workspaceId' | 'journeyId' | 'publishedVersion'>,
) {
  const n = journey.publishedVersion ?? 0;
  if (n === 0) return [];
  const ids = Array.from({ length: n }, (_, i) =>
    journeyVersionKey(journey.workspaceId, journey.journeyId, i + 1),
  );
  const docs = await journeyVersionModel(connection)
    .find({ _id: { $in: ids } }, { version: 1, publishedAt: 1, publishedBy: 1 })
    .lean();
  return docs
    .map((d) => ({
      version: d.version,
      publishedAt: d.publishedAt,
      ...(d.publishedBy ? { publishedBy: d.publishedBy } : {}),
    }))
    .sort((a, b) => a.version - b.version);
}

export type PublishOutcome =
  | { ok: true; version: number }
  | { ok: false; problems: { path: string; nodeId?: string; message: string }[] }
  | { ok: false; archived: true };

/**
 * Freezes the draft as version n+1 after `check` finds nothing wrong. The version _id makes two
 * concurrent publishes of the same n collide; the loser retries on the new n.
 */
export async function publishJourneyDraft(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  options: {
    check(
      definition: JourneyDefinition,
    ): Promise<{ path: string; nodeId?: string; message: string }[]>;
    publishedBy?: string;
    now?: Date;
  },
): Promise<PublishOutcome | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const journey = await findJourney(connection, workspaceId, journeyId);
    if (!journey) return null;
    if (journey.status === 'archived') return { ok: false, archived: true };
    const problems = await options.check(journey.draft);
    if (problems.length > 0) return { ok: false, problems };
    const version = (journey.publishedVersion ?? 0) + 1;
    try {
      await journeyVersionModel(connection).create({
        _id: journeyVersionKey(workspaceId, journeyId, version),
        workspaceId,
        journeyId,
        version,
        definition: encodeDocumentKeys(journey.draft),
        publishedAt: options.now ?? new Date(),
        ...(options.publishedBy ? { publishedBy: options.publishedBy } : {}),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) continue;
      throw error;
    }
    // A paused journey stays paused on publish: the marketer resumes it explicitly.
    const status: JourneyStatus = journey.status === 'paused' ? 'paused' : 'published';
    await journeyModel(connection).updateOne(
      {
        _id: journey._id,
        $or: [{ publishedVersion: { $lt: version } }, { publishedVersion: { $exists: false } }],
      },
      { $set: { publishedVersion: version, status }, $inc: { rev: 1 } },
    );
    // Ingestion in this process hears the new version's events at once (others within the cache's 2 s).
    forgetJourneyInterest(workspaceId);
    return { ok: true, version };
  }
  throw new Error(
    `publish of journey ${journeyId} kept colliding with concurrent publishes; try again`,
  );
}

/** Moves the status if the journey is in one of `from`. Null when it does not exist; 'conflict' when in another status. */
export async function setJourneyStatus(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  to: JourneyStatus,
  from: JourneyStatus[],
): Promise<JourneyDoc | 'conflict' | null> {
  const updated = await journeyModel(connection)
    .findOneAndUpdate(
      { _id: journeyKey(workspaceId, journeyId), status: { $in: from } },
      { $set: { status: to }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    )
    .lean();
  if (updated) {
    forgetJourneyInterest(workspaceId);
    return decodeJourney(updated);
  }
  return (await journeyModel(connection).exists({ _id: journeyKey(workspaceId, journeyId) }))
    ? 'conflict'
    : null;
}

/** Segment ids a definition refers to (trigger, branch conditions, goals). */
export function referencedSegmentIds(definition: unknown): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.segmentId === 'string') ids.add(record.segmentId);
    Object.values(record).forEach(visit);
  };
  visit(definition);
  return [...ids];
}

/** Which of `segmentIds` exist in the workspace (the segments collection, by _id; none if it does not exist yet). */
export async function existingSegmentIds(
  connection: Connection,
  workspaceId: string,
  segmentIds: string[],
): Promise<Set<string>> {
  if (segmentIds.length === 0 || !connection.db) return new Set();
  const docs = await connection.db
    .collection<{ _id: string; status?: string }>('segments')
    .find(
      { _id: { $in: segmentIds.map((id) => `${workspaceId}:${id}`) } },
      { projection: { _id: 1, status: 1 } },
    )
    .toArray();
  const prefix = `${workspaceId}:`;
  // An archived segment admits nobody any more: a journey keyed on it could never run.
  return new Set(
    docs.filter((d) => d.status !== 'archived').map((d) => d._id.slice(prefix.length)),
  );
}

const versionCache = new Map<string, JourneyDefinition>();

/** A frozen version's graph; versions never change, so each is read once per process. */
export async function loadJourneyDefinition(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  version: number,
): Promise<JourneyDefinition | null> {
  const key = `${connection.id}:${journeyVersionKey(workspaceId, journeyId, version)}`;
  const cached = versionCache.get(key);
  if (cached) return cached;
  const doc = await findJourneyVersion(connection, workspaceId, journeyId, version);
  if (!doc) return null;
  if (versionCache.size > 1000) versionCache.clear();
  versionCache.set(key, doc.definition);
  return doc.definition;
}

/** Published journeys of a workspace with the graph new entrants get. */
export async function publishedJourneys(connection: Connection, workspaceId: string) {
  const journeys = await journeyModel(connection)
    .find({ workspaceId, status: 'published' }, { draft: 0 })
    .lean();
  const out: { journeyId: string; version: number; definition: JourneyDefinition }[] = [];
  for (const j of journeys) {
    if (!j.publishedVersion) continue;
    const definition = await loadJourneyDefinition(
      connection,
      workspaceId,
      j.journeyId,
      j.publishedVersion,
    );
    if (definition) out.push({ journeyId: j.journeyId, version: j.publishedVersion, definition });
  }
  return out;
}

/** The journey's status; undefined when the workspace has no such journey. */
export async function journeyStatusOf(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyStatus | undefined> {
  return (
    await journeyModel(connection)
      .findById(journeyKey(workspaceId, journeyId), { status: 1 })
      .lean()
  )?.status;
}
