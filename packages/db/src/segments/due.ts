import type { Connection } from 'mongoose';
import { workspaceModel } from '../models/workspace.js';
import { upsertRacing } from '../connection.js';
import { forEachWithLimit } from './limit.js';
import { segmentDueBucketModel, segmentSweepCursorModel, type SegmentDueBucketDoc } from './models.js';
import { loadWorkspaceSegments } from './cache.js';
import { reevaluateContact } from './reevaluate.js';

/** One due bucket per minute: the sweeper reads about (interval / 1 min) + 1 buckets per run. */
export const DUE_BUCKET_MS = 60_000;
/** Beyond this many missed buckets (a week), one query by bucketStart is cheaper than id lookups. */
const MAX_BUCKET_LOOKUPS = 7 * 24 * 60;

export function dueBucketStart(at: number): number {
  return Math.floor(at / DUE_BUCKET_MS) * DUE_BUCKET_MS;
}

export function dueBucketKey(workspaceId: string, bucketStart: number): string {
  return `${workspaceId}:${bucketStart}`;
}

/** Files a contact to be re-evaluated at `at` (the minute bucket containing it). Idempotent. */
export async function fileContactForEvaluation(connection: Connection, workspaceId: string, contactId: string, at: number): Promise<void> {
  const bucketStart = dueBucketStart(at);
  // Many contacts share a minute (window edges fall on midnights): concurrent upserts race, so retry the loser.
  await upsertRacing(() =>
    segmentDueBucketModel(connection).updateOne(
      { _id: dueBucketKey(workspaceId, bucketStart) },
      { $addToSet: { contactIds: contactId }, $setOnInsert: { workspaceId, bucketStart } },
      { upsert: true },
    ),
  );
}

/** Files many contacts at once: one upsert per due bucket instead of one per contact. */
export async function fileContactsForEvaluation(connection: Connection, workspaceId: string, entries: { contactId: string; at: number }[]): Promise<void> {
  const byBucket = new Map<number, string[]>();
  for (const { contactId, at } of entries) {
    const start = dueBucketStart(at);
    byBucket.set(start, [...(byBucket.get(start) ?? []), contactId]);
  }
  await Promise.all(
    [...byBucket].map(([bucketStart, contactIds]) =>
      upsertRacing(() =>
        segmentDueBucketModel(connection).updateOne(
          { _id: dueBucketKey(workspaceId, bucketStart) },
          { $addToSet: { contactIds: { $each: contactIds } }, $setOnInsert: { workspaceId, bucketStart } },
          { upsert: true },
        ),
      ),
    ),
  );
}

export interface SweepResult {
  workspaces: number;
  bucketsRead: number;
  /** Contacts re-evaluated because a time window of theirs ended. */
  contactsEvaluated: number;
  /** Entries whose contact had moved to a later due time (or vanished). */
  contactsSkipped: number;
  entered: number;
  exited: number;
}

export interface SweepOptions {
  /** The sweep instant; tests pass a controlled clock. Defaults to now. */
  now?: number | Date;
  /** Sweep one workspace only (default: every workspace). */
  workspaceId?: string;
  concurrency?: number;
}

/**
 * Re-evaluates every contact whose `nextEvaluationAt` has come, reading only the due buckets by `_id`.
 * Contacts of the current, still-open minute that are not due yet stay in their bucket for the next run.
 */
export async function sweepDueContacts(connection: Connection, options: SweepOptions = {}): Promise<SweepResult> {
  const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const workspaceIds = options.workspaceId
    ? [options.workspaceId]
    : (await workspaceModel(connection).find({}, { _id: 1 }).lean()).map((w) => w._id);
  const total: SweepResult = { workspaces: workspaceIds.length, bucketsRead: 0, contactsEvaluated: 0, contactsSkipped: 0, entered: 0, exited: 0 };
  for (const workspaceId of workspaceIds) {
    const r = await sweepWorkspace(connection, workspaceId, now, options.concurrency ?? 8);
    total.bucketsRead += r.bucketsRead;
    total.contactsEvaluated += r.contactsEvaluated;
    total.contactsSkipped += r.contactsSkipped;
    total.entered += r.entered;
    total.exited += r.exited;
  }
  return total;
}

async function dueBuckets(connection: Connection, workspaceId: string, now: number): Promise<SegmentDueBucketDoc[]> {
  const Buckets = segmentDueBucketModel(connection);
  const nowBucket = dueBucketStart(now);
  const cursor = await segmentSweepCursorModel(connection).findById(workspaceId).lean();
  // Re-read one bucket before the cursor: an evaluation whose clock ran slightly behind ours may have filed there.
  const from = cursor ? cursor.sweptBefore - DUE_BUCKET_MS : undefined;
  if (from === undefined || (nowBucket - from) / DUE_BUCKET_MS > MAX_BUCKET_LOOKUPS) {
    return Buckets.find({ workspaceId, bucketStart: { $lte: now } }).sort({ bucketStart: 1 }).lean();
  }
  const ids: string[] = [];
  for (let start = from; start <= nowBucket; start += DUE_BUCKET_MS) ids.push(dueBucketKey(workspaceId, start));
  const found: SegmentDueBucketDoc[] = [];
  await forEachWithLimit(ids, 16, async (id) => {
    const bucket = await Buckets.findById(id).lean();
    if (bucket) found.push(bucket);
  });
  return found.sort((a, b) => a.bucketStart - b.bucketStart);
}

async function sweepWorkspace(connection: Connection, workspaceId: string, now: number, concurrency: number): Promise<Omit<SweepResult, 'workspaces'>> {
  const result = { bucketsRead: 0, contactsEvaluated: 0, contactsSkipped: 0, entered: 0, exited: 0 };
  const buckets = await dueBuckets(connection, workspaceId, now);
  result.bucketsRead = buckets.length;
  const segments = buckets.length > 0 ? await loadWorkspaceSegments(connection, workspaceId) : undefined;
  const Buckets = segmentDueBucketModel(connection);
  for (const bucket of buckets) {
    const done: string[] = [];
    await forEachWithLimit(bucket.contactIds, concurrency, async (contactId) => {
      const r = await reevaluateContact(connection, { workspaceId, contactId, now, reason: 'sweep', segments, onlyIfDueBy: now });
      if (r.evaluated) {
        result.contactsEvaluated++;
        result.entered += r.entered.length;
        result.exited += r.exited.length;
        done.push(contactId);
      } else if (r.nextEvaluationAt === null || r.nextEvaluationAt > bucket.bucketStart + DUE_BUCKET_MS - 1) {
        // Filed for a later minute (or for nothing): this entry is stale.
        result.contactsSkipped++;
        done.push(contactId);
      }
      // Otherwise it is due later within this same open minute: leave it for the next sweep.
    });
    // Remove only what was handled: a contact filed here meanwhile must survive.
    if (done.length > 0) await Buckets.updateOne({ _id: bucket._id }, { $pullAll: { contactIds: done } });
    await Buckets.deleteOne({ _id: bucket._id, contactIds: { $size: 0 } });
  }
  await upsertRacing(() => segmentSweepCursorModel(connection).updateOne({ _id: workspaceId }, { $set: { sweptBefore: dueBucketStart(now) } }, { upsert: true }));
  return result;
}
