import type { Connection } from 'mongoose';
import { upsertByIds, type UpsertById } from '../by-id.js';
import { mapWithLimit } from './limit.js';
import { segmentDueBucketModel } from './models.js';

/**
 * One due bucket per day (UTC), each entry `${dueAtMs}|${contactId}`: contacts' due instants follow their own
 * events (an order + 30 days), so they fall on thousands of distinct minutes and a bucket per minute made a
 * fold pass write one bucket per contact; per day it writes a few. The instant in the entry lets the sweeper
 * skip contacts due later today without reading them.
 */
export const DUE_BUCKET_MS = 24 * 3_600_000;
/** Entries per page: FerretDB rewrites a whole document on every update, so a page stays small. */
export const DUE_PAGE_SIZE = 200;
/** Marks documents in this format; older ones held bare contact ids in minute buckets. */
export const DUE_FORMAT = 2;

export function dueBucketStart(at: number): number {
  return Math.floor(at / DUE_BUCKET_MS) * DUE_BUCKET_MS;
}

export function dueBucketKey(workspaceId: string, bucketStart: number): string {
  return `${workspaceId}:${bucketStart}`;
}

/**
 * A bucket is a run of pages: page 0 has the bucket's key as `_id`, page n > 0 the key plus `:n`. Writers
 * fill a page up to about DUE_PAGE_SIZE entries, then go on to the next. Pages are removed only once no sweep
 * reads their bucket again, last first, so a reader walking pages 0, 1, ... until a missing one sees them all.
 */
export function duePageKey(workspaceId: string, bucketStart: number, page: number): string {
  return page === 0
    ? dueBucketKey(workspaceId, bucketStart)
    : `${dueBucketKey(workspaceId, bucketStart)}:${page}`;
}

function entryOf(contactId: string, at: number): string {
  return `${at}|${contactId}`;
}

/** An entry's instant and contact; a bare contact id (the older format) is due at its bucket's start. */
export function parseDueEntry(
  entry: string,
  bucketStart: number,
): { at: number; contactId: string } {
  const bar = entry.indexOf('|');
  const at = bar > 0 ? Number(entry.slice(0, bar)) : NaN;
  return Number.isFinite(at)
    ? { at, contactId: entry.slice(bar + 1) }
    : { at: bucketStart, contactId: entry };
}

type DueListener = (earliestAt: number) => void;
const dueListeners = new Set<DueListener>();

/**
 * Calls `listener` with the earliest instant of every filing this process makes, so a scheduler sleeping
 * until a later instant can wake earlier. Other processes' filings are not seen: hence its bounded sleep.
 */
export function watchDueFilings(listener: DueListener): () => void {
  dueListeners.add(listener);
  return () => dueListeners.delete(listener);
}

function announceFiling(entries: { at: number }[]): void {
  if (dueListeners.size === 0 || entries.length === 0) return;
  let earliest = Infinity;
  for (const e of entries) if (e.at < earliest) earliest = e.at;
  for (const listener of dueListeners) listener(earliest);
}

/** Per bucket, the page this process writes to and how many entries it has put there. */
const pageHints = new Map<string, { page: number; filled: number }>();

/** Where this process writes next in a bucket: its hint, or (first time) the first page that has room. */
async function pageWithRoom(connection: Connection, workspaceId: string, bucketStart: number) {
  const key = dueBucketKey(workspaceId, bucketStart);
  const hint = pageHints.get(key);
  if (hint && hint.filled < DUE_PAGE_SIZE) return hint;
  const Buckets = segmentDueBucketModel(connection);
  let page = hint ? hint.page + 1 : 0;
  for (;;) {
    const doc = await Buckets.findById(duePageKey(workspaceId, bucketStart, page), {
      contactIds: 1,
    }).lean();
    if (!doc || doc.contactIds.length < DUE_PAGE_SIZE) {
      if (pageHints.size > 10_000) pageHints.clear();
      const found = { page, filled: doc?.contactIds.length ?? 0 };
      pageHints.set(key, found);
      return found;
    }
    page++;
  }
}

/** The page writes that file `entries` in a bucket: pages chosen first (reads only without a hint). */
async function bucketWrites(
  connection: Connection,
  workspaceId: string,
  bucketStart: number,
  entries: string[],
): Promise<UpsertById[]> {
  const writes: UpsertById[] = [];
  let rest = [...new Set(entries)];
  while (rest.length > 0) {
    const hint = await pageWithRoom(connection, workspaceId, bucketStart);
    const take = rest.slice(0, Math.max(1, DUE_PAGE_SIZE - hint.filled));
    rest = rest.slice(take.length);
    // Two processes may fill the same page at once: upsertByIds retries the loser of the race to create it.
    writes.push({
      _id: duePageKey(workspaceId, bucketStart, hint.page),
      update: {
        $addToSet: { contactIds: { $each: take } },
        $setOnInsert: { workspaceId, bucketStart, format: DUE_FORMAT },
      },
    });
    hint.filled += take.length;
  }
  return writes;
}

/** Files a contact to be re-evaluated at `at`. Idempotent. */
export async function fileContactForEvaluation(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  at: number,
): Promise<void> {
  await upsertByIds(
    connection,
    segmentDueBucketModel(connection),
    await bucketWrites(connection, workspaceId, dueBucketStart(at), [entryOf(contactId, at)]),
  );
  announceFiling([{ at }]);
}

/** Files many contacts at once: one bulk of upserts, one per bucket page, not one per contact. */
export async function fileContactsForEvaluation(
  connection: Connection,
  workspaceId: string,
  entries: { contactId: string; at: number }[],
): Promise<void> {
  const byBucket = new Map<number, string[]>();
  for (const { contactId, at } of entries) {
    const start = dueBucketStart(at);
    byBucket.set(start, [...(byBucket.get(start) ?? []), entryOf(contactId, at)]);
  }
  const writes = await mapWithLimit([...byBucket], 4, ([bucketStart, list]) =>
    bucketWrites(connection, workspaceId, bucketStart, list),
  );
  await upsertByIds(connection, segmentDueBucketModel(connection), writes.flat());
  announceFiling(entries);
}
