import type { Connection } from 'mongoose';
import { contactModel } from '../models/contact.js';
import { loadWorkspaceSegments } from './cache.js';
import { segmentKey, segmentModel, segmentStatsModel } from './models.js';
import { recordDailyMemberCount, reevaluateContacts } from './reevaluate.js';
import { ensureSegmentStats } from './stats.js';

/** The one backfill workflow per segment: a newer version's backfill replaces a running one. */
export function segmentBackfillWorkflowId(workspaceId: string, segmentId: string): string {
  return `segment-backfill:${workspaceId}:${segmentId}`;
}

export interface BackfillPageInput {
  workspaceId: string;
  segmentId: string;
  /** The version this backfill was started for; a newer edit makes this run obsolete. */
  version: number;
  /** Continue after this contact `_id` (null: start from the first contact). */
  afterId: string | null;
  pageSize: number;
  now?: number;
  /** Sets the chunk re-evaluated together (16 × this; default 8). */
  concurrency?: number;
  /** Called after each chunk with the `_id` up to which every contact is done (the activity heartbeats it). */
  onProgress?: (progress: { lastId: string; processed: number }) => void;
}

export interface BackfillPageResult {
  processed: number;
  lastId: string | null;
  /** No contacts after this page. */
  done: boolean;
  /** The segment was edited again or archived: stop; the newer backfill takes over. */
  superseded: boolean;
}

function isCurrent(segment: { version: number; status: string } | null, version: number): boolean {
  return segment !== null && segment.version === version && segment.status === 'active';
}

/**
 * Re-evaluates one page of the workspace's contacts in `_id` order (all segments, so dependants of the
 * edited segment follow it) and stores the progress in the segment's figures (segment_stats).
 */
export async function backfillSegmentPage(
  connection: Connection,
  input: BackfillPageInput,
): Promise<BackfillPageResult> {
  const { workspaceId, segmentId, version } = input;
  const now = input.now ?? Date.now();
  const Stats = segmentStatsModel(connection);
  const _id = segmentKey(workspaceId, segmentId);
  const segment = await segmentModel(connection).findById(_id, { version: 1, status: 1 }).lean();
  if (!isCurrent(segment, version))
    return { processed: 0, lastId: input.afterId, done: true, superseded: true };
  if (input.afterId === null) {
    await ensureSegmentStats(connection, workspaceId, segmentId);
    const stats = await Stats.findById(_id, { backfill: 1 }).lean();
    if (stats?.backfill?.state !== 'running' || stats.backfill.version !== version) {
      const total = await contactModel(connection).countDocuments({ workspaceId });
      // Not over a newer version's backfill: an edit after this read resets to that version first.
      await Stats.updateOne(
        { _id, 'backfill.version': { $lte: version } },
        {
          $set: {
            backfill: {
              state: 'running',
              version,
              processed: 0,
              total,
              resumeAfter: null,
              startedAt: now,
              finishedAt: null,
              error: null,
            },
          },
        },
      );
    }
  }
  // Fresh, not cached: this process may not have seen the edit that started the backfill.
  const segments = await loadWorkspaceSegments(connection, workspaceId, { fresh: true });
  const lowest = `${workspaceId}:`;
  const highest = `${workspaceId};`; // ';' sorts right after ':', so this bounds the workspace's key range
  const page = await contactModel(connection)
    .find(
      { _id: { $gt: input.afterId ?? lowest, $lt: highest }, workspaceId },
      { _id: 1, contactId: 1 },
    )
    .sort({ _id: 1 })
    .limit(input.pageSize)
    .lean();
  let processed = 0;
  const chunkSize = (input.concurrency ?? 8) * 16;
  // In chunks, so that after each chunk every contact up to its last _id is done: an exact resume point.
  // Each chunk is re-evaluated together: shared writes (history, triggers, due pages) once per chunk.
  for (let start = 0; start < page.length; start += chunkSize) {
    const chunk = page.slice(start, start + chunkSize);
    await reevaluateContacts(connection, {
      workspaceId,
      contactIds: chunk.map((contact) => contact.contactId),
      now,
      reason: 'backfill',
      segments,
      countChanges: false,
    });
    processed += chunk.length;
    input.onProgress?.({ lastId: (chunk[chunk.length - 1] as { _id: string })._id, processed });
  }
  const lastId = page.length > 0 ? (page[page.length - 1] as { _id: string })._id : input.afterId;
  await Stats.updateOne(
    { _id, 'backfill.version': version },
    { $inc: { 'backfill.processed': processed }, $set: { 'backfill.resumeAfter': lastId } },
  );
  return { processed, lastId, done: page.length < input.pageSize, superseded: false };
}

/** Marks the backfill done and replaces the running member count with an exact one. */
export async function finishSegmentBackfill(
  connection: Connection,
  input: { workspaceId: string; segmentId: string; version: number; now?: number },
): Promise<{ memberCount: number }> {
  const { workspaceId, segmentId, version } = input;
  const now = input.now ?? Date.now();
  const _id = segmentKey(workspaceId, segmentId);
  const memberCount = await countSegmentMembers(connection, workspaceId, segmentId);
  if (
    !isCurrent(
      await segmentModel(connection).findById(_id, { version: 1, status: 1 }).lean(),
      version,
    )
  )
    return { memberCount };
  const updated = await segmentStatsModel(connection).updateOne(
    { _id, 'backfill.version': version },
    { $set: { memberCount, 'backfill.state': 'done', 'backfill.finishedAt': now } },
  );
  if (updated.matchedCount === 1)
    await recordDailyMemberCount(connection, workspaceId, segmentId, now, memberCount);
  return { memberCount };
}

/** Records why a backfill stopped, so the segment list shows it instead of "running" forever. */
export async function failSegmentBackfill(
  connection: Connection,
  input: { workspaceId: string; segmentId: string; version: number; error: string },
): Promise<void> {
  await segmentStatsModel(connection).updateOne(
    { _id: segmentKey(input.workspaceId, input.segmentId), 'backfill.version': input.version },
    { $set: { 'backfill.state': 'failed', 'backfill.error': input.error.slice(0, 500) } },
  );
}

/** Notes on the segment why its backfill (of `version`) did not start; it stays pending until saved again. */
export async function noteBackfillNotStarted(
  connection: Connection,
  input: { workspaceId: string; segmentId: string; version: number; error: string },
): Promise<void> {
  await segmentStatsModel(connection).updateOne(
    { _id: segmentKey(input.workspaceId, input.segmentId), 'backfill.version': input.version },
    { $set: { 'backfill.error': input.error } },
  );
}

export async function countSegmentMembers(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<number> {
  return contactModel(connection).countDocuments({
    workspaceId,
    [`segments.${segmentId}`]: { $exists: true },
  });
}
