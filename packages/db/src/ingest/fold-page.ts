// Stage 3 and 4 for a page of contacts: one read, folds and segment answers in memory, bulk writes.
import type { Connection } from 'mongoose';
import {
  foldEvents,
  type CairnEvent,
  type ContactProfile,
  type ProfileSettings,
} from '@cairn/core';
import { contactCache, type CachedContact } from '../contact-cache.js';
import { traced } from '../fold-trace.js';
import { findByIds, updateByIds } from '../by-id.js';
import { insertNew, withDocumentLocks } from '../connection.js';
import { contactKey, contactModel, type ContactDoc } from '../models/contact.js';
import { fileInDirectory, removeFromDirectory } from '../contact-directory.js';
import { journeyInterestOf } from '../journey-interest.js';
import { enqueueJourneyTriggers, profileChangedTrigger } from '../models/journey-trigger.js';
import { loadProfiles, writeActivities } from '../profiles.js';
import { loadWorkspaceSegments } from '../segments/cache.js';
import { fileContactsForEvaluation } from '../segments/due.js';
import {
  evaluateMemberships,
  type MembershipChange,
  type MembershipOutcome,
} from '../segments/membership.js';
import { countMembershipChanges, recordMembershipChangesMany } from '../segments/reevaluate.js';
import { fileNewMembers, removeFormerMembers, type MemberExit } from '../segments/member-pages.js';
import type { FoldCandidate } from './shared.js';
import {
  foldedFields,
  foldIntoContact,
  newContactDoc,
  stillPendingMarkers,
  triggersFor,
  unapplied,
} from './fold-contact.js';

/**
 * Folds a whole batch in a constant number of round trips: one read of all its contacts, one insert
 * of missing ones, one insert of journey triggers, one bulk of conditional writes. Contacts whose
 * write lost a race fall back to the one-contact path, which retries.
 */
export async function foldBatchLocked(
  connection: Connection,
  workspaceId: string,
  byContact: Map<string, FoldCandidate[]>,
  settings: Partial<ProfileSettings>,
  now: number,
  evaluatedInline: Set<string>,
  retry: string[],
  /** Contacts taking over others' histories in this fold: contact id → the ids merged in. */
  merging: Map<string, string[]>,
): Promise<Map<string, CairnEvent[]>> {
  const Contacts = contactModel(connection);
  const cache = contactCache(connection);
  const ids = [...byContact.keys()];
  // Contacts this process wrote a moment ago are not read back (contact-cache.ts): their writes below
  // are guarded by the revision and creation instant remembered, which fails if anyone wrote since.
  const remembered = new Map<string, CachedContact>();
  for (const id of ids) {
    const entry = cache.get(contactKey(workspaceId, id));
    if (entry) remembered.set(id, entry);
  }
  const keys = ids.filter((id) => !remembered.has(id)).map((id) => contactKey(workspaceId, id));
  // By `_id`: one `$in` query where the engine serves it from the index, else one lookup each.
  const byIds = async (wanted: string[]) =>
    (await findByIds(connection, Contacts, wanted)).filter(
      (d): d is NonNullable<typeof d> => d !== null,
    );
  const found = new Map<string, ContactDoc>(
    (await traced('readContacts', keys.length, () => byIds(keys))).map((d) => [d.contactId, d]),
  );
  for (const [id, entry] of remembered) found.set(id, entry.doc);
  // A contact seen for the first time is folded in memory and inserted once, whole.
  const fresh = new Set(ids.filter((id) => !found.has(id)));
  for (const contactId of fresh)
    found.set(contactId, {
      ...newContactDoc(workspaceId, contactId),
      createdAt: new Date(now),
      updatedAt: new Date(now),
    });

  // Segments are evaluated on the folded profile and written in the same update: one write per contact.
  const segments = await loadWorkspaceSegments(connection, workspaceId);
  const planned: {
    contactId: string;
    doc: ContactDoc;
    events: CairnEvent[];
    profile: ContactProfile;
    outcome: MembershipOutcome;
  }[] = [];
  const toFold: { contactId: string; doc: ContactDoc; events: CairnEvent[] }[] = [];
  const markersOf = new Map<string, Set<string>>();
  const newlyMergedOf = new Map<string, string[]>();
  for (const [contactId, all] of byContact) {
    const doc = found.get(contactId);
    if (!doc) continue;
    // A merge records the merged contacts in the same write that folds their history: listed there, it is done.
    const merged = new Set(doc.mergedFrom ?? []);
    const newlyMerged = (merging.get(contactId) ?? []).filter((id) => !merged.has(id));
    if (newlyMerged.length) newlyMergedOf.set(contactId, newlyMerged);
    const candidates = all.filter((c) => c.mergedFrom === undefined || !merged.has(c.mergedFrom));
    const { events, markers } = unapplied(doc, candidates);
    markersOf.set(contactId, markers);
    if (events.length) toFold.push({ contactId, doc, events });
  }
  const toLoad = toFold.filter((f) => !remembered.has(f.contactId));
  const loaded = await traced('loadActivity', toLoad.length, () =>
    loadProfiles(
      connection,
      toLoad.map((f) => f.doc),
    ),
  );
  const profileOf = new Map(toLoad.map((f, i) => [f.contactId, loaded[i] as ContactProfile]));
  for (const [id, entry] of remembered) profileOf.set(id, entry.profile);
  for (const { contactId, doc, events } of toFold) {
    const profile = foldEvents(profileOf.get(contactId) as ContactProfile, events, settings);
    const outcome = evaluateMemberships({
      contactId,
      profile,
      current: doc.segments ?? {},
      segments: segments.ordered,
      now,
      profileSettings: segments.profileSettings,
      timeZone: segments.timeZone,
      // The contact's write below stores revision rev + 1, guarded by the one read.
      rev: doc.rev + 1,
    });
    planned.push({ contactId, doc, events, profile, outcome });
  }
  const result = new Map<string, CairnEvent[]>();
  if (planned.length === 0) return result;

  // Everything the contact's write names or implies is filed before it (a crash in between leaves entries
  // a re-fold writes again with the same ids). These writes touch different collections and none reads
  // another's, so they go to the engine together: a page waits for the slowest, not for their sum.
  const interest = await journeyInterestOf(connection, workspaceId);
  const [directory, pending] = await Promise.all([
    // Search entries for contacts whose searchable traits changed.
    traced('directory', planned.length, () =>
      fileInDirectory(
        connection,
        workspaceId,
        planned.map((p) => ({
          contactId: p.contactId,
          ...(fresh.has(p.contactId) ? {} : { before: p.doc }),
          traits: p.profile.traits,
        })),
      ),
    ),
    traced('pendingMarkers', planned.length, () =>
      stillPendingMarkers(
        connection,
        planned.map((p) => p.doc),
      ),
    ),
    // Triggers before state (see foldIntoContact).
    interest.any
      ? traced('triggers', planned.length, () =>
          enqueueJourneyTriggers(
            connection,
            planned.flatMap((p) => [
              ...triggersFor(workspaceId, p.contactId, p.events, interest.events),
              // A contact seen for the first time has no journey run to tell.
              ...(fresh.has(p.contactId)
                ? []
                : [profileChangedTrigger(workspaceId, p.contactId, p.doc.rev + 1, now)]),
            ]),
          ),
        )
      : undefined,
    // Membership history and segment triggers, member pages and due buckets (as reevaluateContact files them).
    traced('membershipHistory', planned.length, () =>
      recordMembershipChangesMany(
        connection,
        planned.map((p) => ({
          workspaceId,
          contactId: p.contactId,
          now,
          reason: 'event',
          entered: p.outcome.entered,
          exited: p.outcome.exited,
        })),
      ),
    ),
    traced('memberPages', planned.length, () =>
      fileNewMembers(
        connection,
        workspaceId,
        planned
          .filter((p) => p.outcome.entered.length > 0)
          .map((p) => ({
            contactId: p.contactId,
            segments: p.outcome.segments,
            entered: p.outcome.entered,
          })),
      ),
    ),
    traced('dueBuckets', planned.length, () =>
      fileContactsForEvaluation(
        connection,
        workspaceId,
        planned.flatMap((p) => {
          const at = p.outcome.nextEvaluationAt;
          return at === null || at === p.doc.nextEvaluationAt
            ? []
            : [{ contactId: p.contactId, at }];
        }),
      ),
    ),
  ]);
  const folded = new Map(
    planned.map((p) => [
      p.contactId,
      foldedFields(p.doc, p.profile, p.events, markersOf.get(p.contactId) ?? [], pending),
    ]),
  );
  // What each contact's write sets: also what this process then remembers of it (contact-cache.ts).
  const fieldsFor = (p: (typeof planned)[number]) => ({
    ...folded.get(p.contactId)!.set,
    rev: p.doc.rev + 1,
    segments: p.outcome.segments,
    nextEvaluationAt: p.outcome.nextEvaluationAt,
    ...(directory.has(p.contactId)
      ? { searchEntries: directory.get(p.contactId)!.searchEntries }
      : {}),
    ...(newlyMergedOf.has(p.contactId)
      ? {
          mergedFrom: [
            ...(p.doc.mergedFrom ?? []),
            ...(newlyMergedOf.get(p.contactId) as string[]),
          ],
        }
      : {}),
    updatedAt: new Date(now),
  });
  const written = new Map(planned.map((p) => [p.contactId, fieldsFor(p)]));
  const fieldsOf = (p: (typeof planned)[number]) => written.get(p.contactId)!;
  const won = new Set<string>();

  // New contacts: one insert of the folded documents; one another process created meanwhile goes the careful way.
  // Existing ones: one update per contact guarded by the revision it read, as bulk writes that commit once
  // where the engine does that (by-id.ts), else single guarded updates a few in flight. Both at once.
  const created = planned.filter((p) => fresh.has(p.contactId));
  const existing = planned.filter((p) => !fresh.has(p.contactId));
  const [inserted, applied] = await Promise.all([
    traced('insertContacts', created.length, () =>
      insertNew(
        (docs) => Contacts.insertMany(docs, { ordered: false, lean: true }),
        created.map((p) => ({ ...p.doc, ...fieldsOf(p) })),
      ),
    ),
    traced('updateContacts', existing.length, () =>
      updateByIds(
        connection,
        Contacts,
        existing.map((p) => ({
          _id: p.doc._id,
          // A remembered contact is also matched on its creation: one deleted and created again since
          // (by another process) may have climbed back to the same revision.
          guard: remembered.has(p.contactId)
            ? { rev: p.doc.rev, createdAt: p.doc.createdAt }
            : { rev: p.doc.rev },
          update: { $set: fieldsOf(p), $unset: { recentEventIds: '', lastFoldIds: '' } },
        })),
      ),
    ),
  ]);
  created.forEach((p, i) => inserted[i] && won.add(p.contactId));
  existing.forEach((p, i) => applied[i] && won.add(p.contactId));

  const activities: Parameters<typeof writeActivities>[1] = [];
  const entered: MembershipChange[] = [];
  const exited: MembershipChange[] = [];
  const formerMembers: MemberExit[] = [];
  const staleEntries: { contactId: string; stale: string[] }[] = [];
  for (const p of planned) {
    const key = contactKey(workspaceId, p.contactId);
    if (won.has(p.contactId)) {
      const { recentEventIds: _ids, lastFoldIds: _last, ...kept } = p.doc;
      cache.set(key, { doc: { ...kept, ...fieldsOf(p) }, profile: p.profile });
      const stale = directory.get(p.contactId)?.stale ?? [];
      if (stale.length) staleEntries.push({ contactId: p.contactId, stale });
      for (const c of p.outcome.exited)
        formerMembers.push({
          contactId: p.contactId,
          segmentId: c.segmentId,
          page: p.doc.segments?.[c.segmentId]?.page,
        });
      const f = folded.get(p.contactId)!;
      activities.push({
        workspaceId,
        contactId: p.contactId,
        foldRev: f.set.foldRev,
        events: f.activityEvents,
        first: fresh.has(p.contactId),
      });
      result.set(p.contactId, p.events);
      evaluatedInline.add(p.contactId);
      entered.push(...p.outcome.entered);
      exited.push(...p.outcome.exited);
    } else {
      // Lost a race with another writer: redo this contact on the careful path (after the locks go).
      cache.forget([key]);
      retry.push(p.contactId);
    }
  }
  // After the contact documents (the commit point): a crash in between leaves activities one fold behind,
  // and entries to pull that readers already skip. Different documents again, so together.
  await Promise.all([
    traced('writeActivity', activities.length, () => writeActivities(connection, activities)),
    traced('memberPages', formerMembers.length, () =>
      removeFormerMembers(connection, workspaceId, formerMembers),
    ),
    traced('directory', staleEntries.length, () =>
      removeFromDirectory(connection, workspaceId, staleEntries),
    ),
    // One counter update per segment for the whole page, not one per contact.
    traced('countChanges', entered.length + exited.length, () =>
      countMembershipChanges(connection, workspaceId, [{ at: now, entered, exited }]),
    ),
  ]);
  return result;
}

/**
 * Folds a whole batch with the batch's contacts locked in this process; contacts that lost a race with
 * another process are then folded one by one on the careful path.
 */
export async function foldBatch(
  connection: Connection,
  workspaceId: string,
  byContact: Map<string, FoldCandidate[]>,
  settings: Partial<ProfileSettings>,
  now: number,
  evaluatedInline: Set<string>,
  merging: Map<string, string[]> = new Map(),
): Promise<Map<string, CairnEvent[]>> {
  const retry: string[] = [];
  const keys = [...byContact.keys()].map((id) => contactKey(workspaceId, id));
  const result = await traced('foldPage', keys.length, () =>
    withDocumentLocks(keys, () =>
      foldBatchLocked(
        connection,
        workspaceId,
        byContact,
        settings,
        now,
        evaluatedInline,
        retry,
        merging,
      ),
    ),
  );
  for (const contactId of retry) {
    const applied = await foldIntoContact(
      connection,
      workspaceId,
      contactId,
      byContact.get(contactId) ?? [],
      settings,
      now,
      merging.get(contactId) ?? [],
    );
    if (applied.length) result.set(contactId, applied);
  }
  return result;
}
