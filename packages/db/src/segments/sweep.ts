// The sweep: reads the due buckets that due.ts files contacts into and re-evaluates the contacts whose instant
// has come. Apart from due.ts because re-evaluation itself files contacts there (for their next instant).
import type { Connection } from 'mongoose';
import { workspaceModel } from '../models/workspace.js';
import { upsertRacing } from '../connection.js';
import { forEachWithLimit } from './limit.js';
import {
  segmentDueBucketModel,
  segmentSweepCursorModel,
  type SegmentDueBucketDoc,
} from './models.js';
import { loadWorkspaceSegments } from './cache.js';
import {
  DUE_BUCKET_MS,
  DUE_FORMAT,
  dueBucketStart,
  duePageKey,
  fileContactsForEvaluation,
  parseDueEntry,
} from './due.js';
import { reevaluateContacts } from './reevaluate.js';

/** Beyond this many missed buckets, one query by bucketStart is cheaper than id lookups. */
const MAX_BUCKET_LOOKUPS = 60;
/** Due contacts re-evaluated together: reads and per-contact writes overlap, shared writes are made once. */
const SWEEP_CHUNK = 200;

export interface SweepResult {
  workspaces: number;
  bucketsRead: number;
  /** Contacts re-evaluated because a time window of theirs ended. */
  contactsEvaluated: number;
  /** Entries whose contact had moved to a later due time (or vanished). */
  contactsSkipped: number;
  entered: number;
  exited: number;
  /** The earliest instant still listed in the buckets read (later today), or null: when to sweep next. */
  nextDueAt: number | null;
}

export interface SweepOptions {
  /** The sweep instant; tests pass a controlled clock. Defaults to now. */
  now?: number | Date;
  /** Sweep one workspace only (default: every workspace). */
  workspaceId?: string;
  /** Due contacts re-evaluated together (default 200). */
  chunkSize?: number;
  /** Told of each contact whose memberships changed, when the change was stored (the bench times the lag). */
  onFlip?: (flip: { contactId: string; dueAt: number; storedAt: number }) => void;
}

/** Catch-up steps per contact in one sweep (each at its own due instant), then the rest waits for the next. */
const MAX_CATCH_UP_STEPS = 16;

/**
 * Re-evaluates every contact whose `nextEvaluationAt` has come, reading only the due buckets by `_id`.
 * Entries of today that are not due yet stay for a later run, which `nextDueAt` says when to make.
 */
export async function sweepDueContacts(
  connection: Connection,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const now =
    options.now === undefined
      ? Date.now()
      : typeof options.now === 'number'
        ? options.now
        : options.now.getTime();
  const workspaceIds = options.workspaceId
    ? [options.workspaceId]
    : (await workspaceModel(connection).find({}, { _id: 1 }).lean()).map((w) => w._id);
  const total: SweepResult = {
    workspaces: workspaceIds.length,
    bucketsRead: 0,
    contactsEvaluated: 0,
    contactsSkipped: 0,
    entered: 0,
    exited: 0,
    nextDueAt: null,
  };
  for (const workspaceId of workspaceIds) {
    const r = await sweepWorkspace(connection, workspaceId, now, options);
    total.bucketsRead += r.bucketsRead;
    total.contactsEvaluated += r.contactsEvaluated;
    total.contactsSkipped += r.contactsSkipped;
    total.entered += r.entered;
    total.exited += r.exited;
    if (r.nextDueAt !== null && (total.nextDueAt === null || r.nextDueAt < total.nextDueAt))
      total.nextDueAt = r.nextDueAt;
  }
  return total;
}

async function dueBuckets(
  connection: Connection,
  workspaceId: string,
  now: number,
): Promise<SegmentDueBucketDoc[]> {
  const Buckets = segmentDueBucketModel(connection);
  const nowBucket = dueBucketStart(now);
  const cursor = await segmentSweepCursorModel(connection).findById(workspaceId).lean();
  // Re-read one bucket before the cursor: an evaluation whose clock ran slightly behind ours may have filed there.
  const from =
    cursor && cursor.format === DUE_FORMAT ? cursor.sweptBefore - DUE_BUCKET_MS : undefined;
  if (from === undefined || (nowBucket - from) / DUE_BUCKET_MS > MAX_BUCKET_LOOKUPS) {
    if (cursor && cursor.format !== DUE_FORMAT) await refileOlderFormat(connection, workspaceId);
    return Buckets.find({ workspaceId, bucketStart: { $lte: now } })
      .sort({ bucketStart: 1, _id: 1 })
      .lean();
  }
  const starts: number[] = [];
  for (let start = from; start <= nowBucket; start += DUE_BUCKET_MS) starts.push(start);
  const found: SegmentDueBucketDoc[] = [];
  await forEachWithLimit(starts, 16, async (start) => {
    for (let page = 0; ; page++) {
      const doc = await Buckets.findById(duePageKey(workspaceId, start, page)).lean();
      if (!doc) break;
      found.push(doc);
    }
  });
  return found.sort((a, b) => a.bucketStart - b.bucketStart || (a._id < b._id ? -1 : 1));
}

/** Minute buckets of bare contact ids (before format 2) become entries of day buckets, once per workspace. */
async function refileOlderFormat(connection: Connection, workspaceId: string): Promise<void> {
  const Buckets = segmentDueBucketModel(connection);
  const older = await Buckets.find({ workspaceId, format: { $exists: false } }).lean();
  for (const bucket of older) {
    const entries = bucket.contactIds.map((e) => parseDueEntry(e, bucket.bucketStart));
    await Buckets.deleteOne({ _id: bucket._id });
    await fileContactsForEvaluation(connection, workspaceId, entries);
  }
}

async function sweepWorkspace(
  connection: Connection,
  workspaceId: string,
  now: number,
  options: SweepOptions,
): Promise<Omit<SweepResult, 'workspaces'>> {
  const result = {
    bucketsRead: 0,
    contactsEvaluated: 0,
    contactsSkipped: 0,
    entered: 0,
    exited: 0,
  };
  const buckets = await dueBuckets(connection, workspaceId, now);
  result.bucketsRead = buckets.length;
  const segments =
    buckets.length > 0 ? await loadWorkspaceSegments(connection, workspaceId) : undefined;
  const Buckets = segmentDueBucketModel(connection);
  let nextDueAt: number | null = null;
  // Due entries of every bucket read, evaluated a chunk at a time across buckets: the writes that are not one
  // contact's are then made once per chunk, however thinly the due instants spread over days.
  const due: { page: string; entry: string; contactId: string; at: number }[] = [];
  for (const bucket of buckets)
    for (const entry of bucket.contactIds) {
      const { at, contactId } = parseDueEntry(entry, bucket.bucketStart);
      if (at <= now) due.push({ page: bucket._id, entry, contactId, at });
      else if (nextDueAt === null || at < nextDueAt) nextDueAt = at;
    }
  const chunkSize = options.chunkSize ?? SWEEP_CHUNK;
  for (let i = 0; i < due.length; i += chunkSize) {
    const chunk = due.slice(i, i + chunkSize);
    const dueAt = new Map(chunk.map((d) => [d.contactId, d.at]));
    const evaluated = new Set<string>();
    // Evaluated at each contact's own due instant, not at this sweep's clock: two sweepers (two processes)
    // then write the same history and trigger ids, so the loser's writes are no-ops. A due instant that is
    // already past again (a long outage) is caught up step by step.
    let pending = [...dueAt.keys()];
    for (let step = 0; step < MAX_CATCH_UP_STEPS && pending.length > 0; step++) {
      const outcomes = await reevaluateContacts(connection, {
        workspaceId,
        contactIds: pending,
        now,
        reason: 'sweep',
        ...(segments ? { segments } : {}),
        onlyIfDueBy: now,
        atDueInstant: true,
      });
      const again: string[] = [];
      for (const contactId of pending) {
        const r = outcomes.get(contactId);
        if (!r?.evaluated) continue;
        evaluated.add(contactId);
        result.entered += r.entered.length;
        result.exited += r.exited.length;
        if (r.entered.length + r.exited.length > 0)
          options.onFlip?.({
            contactId,
            dueAt: r.evaluatedAt ?? (dueAt.get(contactId) as number),
            storedAt: Date.now(),
          });
        if (r.nextEvaluationAt !== null && r.nextEvaluationAt <= now) again.push(contactId);
      }
      pending = again;
    }
    const donePerPage = new Map<string, string[]>();
    for (const { page, entry, contactId } of chunk) {
      // Not evaluated: filed again for a later instant (which has its own entry) or for nothing, so stale.
      if (evaluated.has(contactId)) result.contactsEvaluated++;
      else result.contactsSkipped++;
      donePerPage.set(page, [...(donePerPage.get(page) ?? []), entry]);
    }
    // Remove only what was handled: an entry filed here meanwhile must survive.
    await forEachWithLimit([...donePerPage], 4, ([_id, contactIds]) =>
      Buckets.updateOne({ _id }, { $pullAll: { contactIds } }).then(() => undefined),
    );
  }
  // A bucket's pages go once no later sweep reads the bucket again (they read from one bucket before the
  // cursor), and then all at once, last page first, so a reader never meets a gap.
  const nextFrom = dueBucketStart(now) - DUE_BUCKET_MS;
  const bucketsDone = new Map<number, SegmentDueBucketDoc[]>();
  for (const bucket of buckets)
    if (bucket.bucketStart < nextFrom)
      bucketsDone.set(bucket.bucketStart, [...(bucketsDone.get(bucket.bucketStart) ?? []), bucket]);
  for (const pages of bucketsDone.values()) {
    const emptied = await Promise.all(
      pages.map((p) => Buckets.findById(p._id, { contactIds: 1 }).lean()),
    );
    if (emptied.some((p) => p && p.contactIds.length > 0)) continue;
    for (const p of [...pages].reverse())
      await Buckets.deleteOne({ _id: p._id, contactIds: { $size: 0 } });
  }
  await upsertRacing(() =>
    segmentSweepCursorModel(connection).updateOne(
      { _id: workspaceId },
      { $set: { sweptBefore: dueBucketStart(now), format: DUE_FORMAT } },
      { upsert: true },
    ),
  );
  return { ...result, nextDueAt };
}
