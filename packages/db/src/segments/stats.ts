import type { Connection } from 'mongoose';
import { insertNew, upsertRacing } from '../connection.js';
import { findByIds, updateByIds } from '../by-id.js';
import {
  segmentKey,
  segmentModel,
  segmentStatsModel,
  type Segment,
  type SegmentBackfill,
  type SegmentDoc,
  type SegmentStatsDoc,
} from './models.js';

/** The backfill of `version` as it stands before its workflow picks it up. */
export function pendingBackfill(version: number, now: number): SegmentBackfill {
  return {
    state: 'pending',
    version,
    processed: 0,
    total: 0,
    resumeAfter: null,
    startedAt: now,
    finishedAt: null,
    error: null,
  };
}

/** Segments saved before the figures moved out carry them on the segment document itself. */
type StoredSegment = SegmentDoc & Partial<Pick<SegmentStatsDoc, 'memberCount' | 'backfill'>>;

function figuresOf(
  segment: StoredSegment,
  stats: SegmentStatsDoc | undefined,
): Pick<Segment, 'memberCount' | 'backfill'> {
  return {
    memberCount: stats?.memberCount ?? segment.memberCount ?? 0,
    backfill:
      stats?.backfill ??
      segment.backfill ??
      pendingBackfill(segment.version, segment.createdAt?.getTime() ?? 0),
  };
}

/** Joins each segment with its figures (one read by `_id` for one segment, one per workspace for more). */
export async function withSegmentStats(
  connection: Connection,
  segments: SegmentDoc[],
): Promise<Segment[]> {
  if (segments.length === 0) return [];
  const Stats = segmentStatsModel(connection);
  const first = segments[0] as SegmentDoc;
  const stats =
    segments.length === 1
      ? await Stats.find({ _id: first._id }).lean()
      : await Stats.find({ workspaceId: first.workspaceId }).lean();
  const byId = new Map(stats.map((s) => [s._id, s]));
  return segments.map((segment) => ({ ...segment, ...figuresOf(segment, byId.get(segment._id)) }));
}

/**
 * Makes sure a segment has its figures document, carrying over figures a segment saved before they moved
 * out still holds. False when the segment does not exist.
 */
export async function ensureSegmentStats(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<boolean> {
  const _id = segmentKey(workspaceId, segmentId);
  if (await segmentStatsModel(connection).exists({ _id })) return true;
  const segment = (await segmentModel(connection).findById(_id).lean()) as StoredSegment | null;
  if (!segment) return false;
  await insertNew(
    (docs) => segmentStatsModel(connection).insertMany(docs, { ordered: false }),
    [{ _id, workspaceId, segmentId, ...figuresOf(segment, undefined) }],
  );
  return true;
}

/** A new segment, or a new version of one: its backfill starts over; the member count carries on. */
export async function resetSegmentBackfill(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  version: number,
  now: number,
): Promise<void> {
  await ensureSegmentStats(connection, workspaceId, segmentId);
  await upsertRacing(() =>
    segmentStatsModel(connection).updateOne(
      { _id: segmentKey(workspaceId, segmentId) },
      {
        $set: { workspaceId, segmentId, backfill: pendingBackfill(version, now) },
        $setOnInsert: { memberCount: 0 },
      },
      { upsert: true },
    ),
  );
}

/** Adds `delta` to the live member count; the count after it, or null when the segment does not exist. */
export async function addToMemberCount(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  delta: number,
): Promise<number | null> {
  const _id = segmentKey(workspaceId, segmentId);
  for (let attempt = 0; attempt < 2; attempt++) {
    const stats = await segmentStatsModel(connection)
      .findOneAndUpdate({ _id }, { $inc: { memberCount: delta } }, { returnDocument: 'after' })
      .lean();
    if (stats) return stats.memberCount;
    if (!(await ensureSegmentStats(connection, workspaceId, segmentId))) return null;
  }
  return null;
}

/**
 * Adds to several segments' live member counts at once: one bulk of `$inc` (atomic where Cairn runs,
 * decision 010), then one read of the counts. A count read back may include another process's changes
 * made in between: it is the latest figure, which is what the day's chart shows. Segments whose counter
 * is missing get one first (as addToMemberCount does); a deleted segment is left out of the answer.
 */
export async function addToMemberCounts(
  connection: Connection,
  workspaceId: string,
  deltas: Map<string, number>,
): Promise<Map<string, number>> {
  const Stats = segmentStatsModel(connection);
  const segmentIds = [...deltas.keys()];
  const applied = await updateByIds(
    connection,
    Stats,
    segmentIds.map((segmentId) => ({
      _id: segmentKey(workspaceId, segmentId),
      update: { $inc: { memberCount: deltas.get(segmentId) ?? 0 } },
    })),
  );
  const counts = new Map<string, number>();
  const missing = segmentIds.filter((_, i) => !applied[i]);
  for (const segmentId of missing) {
    const members = await addToMemberCount(
      connection,
      workspaceId,
      segmentId,
      deltas.get(segmentId) ?? 0,
    );
    if (members !== null) counts.set(segmentId, members);
  }
  const counted = segmentIds.filter((_, i) => applied[i]);
  const docs = await findByIds(
    connection,
    Stats,
    counted.map((segmentId) => segmentKey(workspaceId, segmentId)),
    { memberCount: 1 },
  );
  counted.forEach((segmentId, i) => {
    const doc = docs[i];
    if (doc) counts.set(segmentId, doc.memberCount ?? 0);
  });
  return counts;
}
