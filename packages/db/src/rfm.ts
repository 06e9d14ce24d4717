import type { Connection } from 'mongoose';
import { computeRfmScores, type RfmInput, type RfmScores } from '@cairn/core';
import { forgetContacts } from './contact-cache.js';
import { updateIfUnchanged, withDocumentLocks } from './connection.js';
import { workspaceHasJourneys } from './journey-interest.js';
import { contactKey, contactModel } from './models/contact.js';
import { enqueueJourneyTriggers, profileChangedTrigger } from './models/journey-trigger.js';
import { readProfileSummary } from './profiles.js';
import { fileContactsForEvaluation } from './segments/due.js';
import { forEachWithLimit } from './segments/limit.js';

const DAY_MS = 86_400_000;
const MAX_WRITE_ATTEMPTS = 8;

export interface RecomputeRfmOptions {
  /** The scoring instant (recency is measured against it); tests and the workflow pass a fixed clock. */
  now?: number;
  /** Contacts read per query while scanning the workspace. */
  pageSize?: number;
  /** Contact writes in flight at once. */
  concurrency?: number;
}

export interface RecomputeRfmReport {
  /** Contacts with at least one order: the population the quintiles are taken over. */
  contactsScored: number;
  /** Contacts whose scores changed and were written. */
  contactsUpdated: number;
  /** Writes that lost a race with ingestion or segment evaluation and were retried. */
  conflictsRetried: number;
}

interface Scanned {
  input: RfmInput;
  previous: RfmScores | undefined;
}

function sameScores(
  a: RfmScores | undefined,
  b: { recency: number; frequency: number; monetary: number },
): boolean {
  return (
    a !== undefined &&
    a.recency === b.recency &&
    a.frequency === b.frequency &&
    a.monetary === b.monetary
  );
}

/** Reads every contact of the workspace that has ordered, page by page in `_id` order. */
async function scanBuyers(
  connection: Connection,
  workspaceId: string,
  now: number,
  pageSize: number,
): Promise<Scanned[]> {
  const Contacts = contactModel(connection);
  const buyers: Scanned[] = [];
  let afterId: string | null = null;
  for (;;) {
    // FerretDB scans the workspace either way; paging by _id keeps each reply small and the scan resumable.
    const filter: Record<string, unknown> = {
      workspaceId,
      ...(afterId === null ? {} : { _id: { $gt: afterId } }),
    };
    const page = await Contacts.find(filter, { contactId: 1, profile: 1, mergedInto: 1 })
      .sort({ _id: 1 })
      .limit(pageSize)
      .lean();
    for (const doc of page) {
      // A merged-away anonymous contact's orders now count under the identified contact.
      if (doc.mergedInto) continue;
      const profile = readProfileSummary(doc);
      const { orderCount, totalRevenue, lastOrderAt } = profile.purchases;
      if (orderCount <= 0 || lastOrderAt === undefined) continue;
      buyers.push({
        // Whole days, so two contacts who last ordered on the same day tie on recency.
        input: {
          contactId: doc.contactId,
          recencyDays: Math.max(0, Math.floor((now - lastOrderAt) / DAY_MS)),
          frequency: orderCount,
          monetary: totalRevenue,
        },
        previous: profile.rfm,
      });
    }
    if (page.length < pageSize) break;
    afterId = page[page.length - 1]!._id;
  }
  return buyers;
}

/**
 * Recomputes the RFM quintile scores (1–5 each, see `computeRfmScores`) of every contact in the workspace
 * who has ordered, and writes `profile.rfm` where the scores changed. Each changed contact is made due
 * at `now`, so segments on rfmRecency/rfmFrequency/rfmMonetary/rfmTotal catch up on the next sweep.
 */
export async function recomputeRfm(
  connection: Connection,
  workspaceId: string,
  options: RecomputeRfmOptions = {},
): Promise<RecomputeRfmReport> {
  const now = options.now ?? Date.now();
  const buyers = await scanBuyers(connection, workspaceId, now, options.pageSize ?? 500);
  const previous = new Map(buyers.map((b) => [b.input.contactId, b.previous]));
  const changed = computeRfmScores(buyers.map((b) => b.input)).filter(
    (row) => !sameScores(previous.get(row.contactId), row),
  );
  const report: RecomputeRfmReport = {
    contactsScored: buyers.length,
    contactsUpdated: 0,
    conflictsRetried: 0,
  };
  if (changed.length === 0) return report;

  // Filed before the writes (one upsert per minute bucket): a crash in between leaves at worst a stale
  // entry that the sweep skips, never a contact with new scores that no one re-evaluates.
  const FILE_BATCH = 1000;
  for (let i = 0; i < changed.length; i += FILE_BATCH) {
    await fileContactsForEvaluation(
      connection,
      workspaceId,
      changed.slice(i, i + FILE_BATCH).map((row) => ({ contactId: row.contactId, at: now })),
    );
  }

  const Contacts = contactModel(connection);
  const tellJourneys = await workspaceHasJourneys(connection, workspaceId);
  await forEachWithLimit(changed, options.concurrency ?? 8, async (row) => {
    const _id = contactKey(workspaceId, row.contactId);
    const rfm: RfmScores = {
      recency: row.recency,
      frequency: row.frequency,
      monetary: row.monetary,
      total: row.total,
      scoredAt: now,
    };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const doc = await Contacts.findById(_id, { rev: 1 }).lean();
      if (!doc) return;
      const revGuard = doc.rev === undefined ? { rev: { $exists: false } } : { rev: doc.rev };
      // Before the write, as a fold does: a journey waiting on the scores hears of the change once it is written.
      if (tellJourneys)
        await enqueueJourneyTriggers(connection, [
          profileChangedTrigger(workspaceId, row.contactId, (doc.rev ?? 0) + 1, now),
        ]);
      // Only profile.rfm is set: an order folded in meanwhile keeps its fold; its effect on the scores
      // shows in the next run, as the quintiles are taken over one consistent scan.
      const written = await withDocumentLocks([_id], () =>
        updateIfUnchanged(connection, Contacts, _id, revGuard, {
          $set: { 'profile.rfm': rfm, nextEvaluationAt: now },
          $inc: { rev: 1 },
        }),
      );
      if (written.matchedCount === 1) {
        forgetContacts(connection, [_id]);
        report.contactsUpdated++;
        return;
      }
      report.conflictsRetried++;
    }
    throw new Error(
      `contact ${row.contactId} in workspace ${workspaceId} kept changing while its RFM scores were written (${MAX_WRITE_ATTEMPTS} attempts); the next run retries`,
    );
  });
  return report;
}
