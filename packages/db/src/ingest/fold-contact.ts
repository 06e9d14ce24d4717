// Stage 3 for one contact at a time (a lost race, a merge chain, a parked page): read, fold, guarded write.
import type { Connection } from 'mongoose';
import {
  emptyProfile,
  foldEvents,
  type CairnEvent,
  type ContactProfile,
  type ProfileSettings,
} from '@cairn/core';
import { forgetContacts } from '../contact-cache.js';
import { findByIds } from '../by-id.js';
import { insertNew, updateIfUnchanged, withDocumentLocks } from '../connection.js';
import { encodeDocumentKeys } from '../keys.js';
import {
  ANONYMOUS_PREFIX,
  contactKey,
  contactModel,
  recentEventIdsOf,
  type ContactDoc,
} from '../models/contact.js';
import { fileInDirectory, removeFromDirectory } from '../contact-directory.js';
import { pendingFoldModel } from '../models/event.js';
import { journeyInterestOf } from '../journey-interest.js';
import { enqueueJourneyTriggers, profileChangedTrigger } from '../models/journey-trigger.js';
import { loadProfile, storedProfileParts, writeActivities } from '../profiles.js';
import { fileContactForEvaluation } from '../segments/due.js';
import { reevaluateContact } from '../segments/reevaluate.js';
import { RECENT_EVENT_IDS, MAX_WRITE_ATTEMPTS, type FoldCandidate } from './shared.js';

/**
 * The evaluation stage for contacts folded one at a time (the careful path, merges): the same
 * `reevaluateContact` that trait updates and the sweep call, so every way an event arrives evaluates
 * segments alike. Pages folded in bulk evaluate inline (foldBatchLocked) and skip it.
 */
export async function evaluateSegments(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  now: number,
): Promise<void> {
  await reevaluateContact(connection, { workspaceId, contactId, now, reason: 'event' });
}

/**
 * The markers a contact's last fold applied, plus earlier ones still pending (a fold that committed and
 * died before deleting its marker). The sweeper skips a marker a contact lists, so a marker is folded into
 * each contact once however many events the contact received since; a marker is kept in the list for as
 * long as it exists.
 */
export async function stillPendingMarkers(
  connection: Connection,
  docs: Pick<ContactDoc, 'lastFoldMarkers'>[],
): Promise<Set<string>> {
  const ids = [...new Set(docs.flatMap((d) => d.lastFoldMarkers ?? []))];
  const Markers = pendingFoldModel(connection);
  const found = await findByIds(connection, Markers, ids, { _id: 1 });
  return new Set(found.filter((m): m is NonNullable<typeof m> => m !== null).map((m) => m._id));
}

/** A contact seen for the first time: an empty profile at revision 0. */
export function newContactDoc(workspaceId: string, contactId: string) {
  return {
    _id: contactKey(workspaceId, contactId),
    workspaceId,
    contactId,
    anonymous: contactId.startsWith(ANONYMOUS_PREFIX),
    traits: {},
    tags: [],
    profile: storedProfileParts(emptyProfile(contactId)).summary,
    recentIds: '[]',
    // Filed in the directory from its first write on (an empty list names no page yet).
    searchEntries: [] as string[],
    foldRev: 0,
    rev: 0,
    segments: {},
    nextEvaluationAt: null,
    subscriptions: {},
  };
}

/** What a fold changes on the contact document besides segments: the summary and the fold bookkeeping. */
export function foldedFields(
  doc: Pick<ContactDoc, 'recentIds' | 'recentEventIds' | 'foldRev' | 'lastFoldMarkers'>,
  profile: ContactProfile,
  events: CairnEvent[],
  markers: Iterable<string>,
  pending: Set<string>,
) {
  const { summary, activityEvents } = storedProfileParts(profile);
  const ids = events.map((e) => e.messageId);
  const lastFoldMarkers = [
    ...new Set([...markers, ...(doc.lastFoldMarkers ?? []).filter((m) => pending.has(m))]),
  ];
  return {
    set: {
      profile: summary,
      traits: encodeDocumentKeys(profile.traits),
      // The last fold's ids are always the tail of the remembered ones (lastFoldCount says how many).
      recentIds: JSON.stringify(
        [...recentEventIdsOf(doc), ...ids].slice(-Math.max(RECENT_EVENT_IDS, ids.length)),
      ),
      foldRev: (doc.foldRev ?? 0) + 1,
      lastFoldCount: ids.length,
      lastFoldMarkers,
    },
    activityEvents,
  };
}

/**
 * Folds events into one contact's profile with optimistic concurrency: read the contact, fold what it
 * has not seen, write conditionally on the revision read, retry on conflict.
 */
export async function foldIntoContact(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  candidates: FoldCandidate[],
  settings: Partial<ProfileSettings>,
  now: number,
  /** Contact ids whose history this fold takes over (a merge); remembered so their events stay findable. */
  mergedFrom: string[] = [],
  /** False when a fold of this contact that evaluates its segments follows at once (a merge before its batch). */
  fileDue = true,
): Promise<CairnEvent[]> {
  const Contacts = contactModel(connection);
  const _id = contactKey(workspaceId, contactId);
  // This path writes without remembering: the next fold reads the contact afresh.
  forgetContacts(connection, [_id]);
  return withDocumentLocks([_id], async () => {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const doc = await Contacts.findById(_id).lean();
      if (!doc) {
        await insertNew(
          (docs) => Contacts.insertMany(docs),
          [newContactDoc(workspaceId, contactId)],
        );
        continue;
      }
      // A merge records the merged contact in the same write that folds its history: seen there, it is done.
      if (mergedFrom.length > 0 && (doc.mergedFrom ?? []).includes(mergedFrom[0] as string))
        return [];
      const { events: toFold, markers } = unapplied(doc, candidates);
      const newlyMerged = mergedFrom.filter((id) => !(doc.mergedFrom ?? []).includes(id));
      const alreadyMerged = newlyMerged.length === 0;
      if (toFold.length === 0 && alreadyMerged) return [];
      const profile = foldEvents(await loadProfile(connection, doc), toFold, settings);

      // Triggers before state: if we crash after this, the pending marker makes the fold happen again,
      // and the trigger ids are deterministic, so nothing is lost and nothing doubles.
      const interest = await journeyInterestOf(connection, workspaceId);
      if (interest.any) {
        await enqueueJourneyTriggers(connection, [
          ...triggersFor(workspaceId, contactId, toFold, interest.events),
          profileChangedTrigger(workspaceId, contactId, doc.rev + 1, now),
        ]);
      }

      // Due now, and filed so: if the process dies before segments are evaluated, the sweeper still comes.
      if (fileDue) await fileContactForEvaluation(connection, workspaceId, contactId, now);
      // Search entries before the write that names them (contact-directory.ts).
      const directory = (
        await fileInDirectory(connection, workspaceId, [
          { contactId, before: doc, traits: profile.traits },
        ])
      ).get(contactId);
      const folded = foldedFields(
        doc,
        profile,
        toFold,
        markers,
        await stillPendingMarkers(connection, [doc]),
      );
      const result = await updateIfUnchanged(
        connection,
        Contacts,
        _id,
        { rev: doc.rev },
        {
          $set: {
            ...folded.set,
            rev: doc.rev + 1,
            ...(alreadyMerged ? {} : { mergedFrom: [...(doc.mergedFrom ?? []), ...newlyMerged] }),
            ...(directory ? { searchEntries: directory.searchEntries } : {}),
            // Segment answers may have changed: the contact is due for evaluation now.
            nextEvaluationAt: now,
            updatedAt: new Date(now),
          },
          // Older forms: the remembered ids as a list, the last fold's ids apart (now both in `recentIds`).
          $unset: { recentEventIds: '', lastFoldIds: '' },
        },
      );
      if (result.matchedCount === 1) {
        await writeActivities(connection, [
          { workspaceId, contactId, foldRev: folded.set.foldRev, events: folded.activityEvents },
        ]);
        if (directory?.stale.length)
          await removeFromDirectory(connection, workspaceId, [
            { contactId, stale: directory.stale },
          ]);
        return toFold;
      }
    }
    throw new Error(`contact ${contactId}: too many concurrent updates; retry the request`);
  });
}

export async function runPerContact<T>(
  items: [string, T][],
  concurrency: number,
  work: (contactId: string, item: T) => Promise<void>,
) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const [contactId, item] = items[next++] as [string, T];
      await work(contactId, item);
    }
  });
  await Promise.all(workers);
}

/** Events a contact has not applied yet, in timestamp order (duplicates within the batch dropped). */
export function unapplied(
  doc: Pick<ContactDoc, 'recentIds' | 'recentEventIds' | 'lastFoldIds' | 'lastFoldMarkers'>,
  candidates: FoldCandidate[],
): { events: CairnEvent[]; markers: Set<string> } {
  const recent = new Set([...recentEventIdsOf(doc), ...(doc.lastFoldIds ?? [])]);
  const folded = new Set(doc.lastFoldMarkers ?? []);
  const seen = new Set<string>();
  const out: CairnEvent[] = [];
  const markers = new Set<string>();
  for (const c of candidates) {
    const id = c.event.messageId;
    if (
      !c.eligible ||
      recent.has(id) ||
      seen.has(id) ||
      (c.marker !== undefined && folded.has(c.marker))
    )
      continue;
    seen.add(id);
    out.push(c.event);
    if (c.marker !== undefined) markers.add(c.marker);
  }
  return { events: out.sort((a, b) => a.timestamp - b.timestamp), markers };
}

export function triggersFor(
  workspaceId: string,
  contactId: string,
  events: CairnEvent[],
  heard: Set<string>,
) {
  return events
    .filter((e) => e.type !== 'identify' && e.type !== 'alias' && e.type !== 'group')
    .filter((e) => heard.has(e.event))
    .map((e) => ({
      workspaceId,
      contactId,
      kind: 'event' as const,
      messageId: e.messageId,
      event: e.event,
      properties: encodeDocumentKeys(e.properties),
      at: e.timestamp,
      receivedAt: e.receivedAt,
      ...(e.startsJourneys !== undefined ? { startsJourneys: e.startsJourneys } : {}),
    }));
}
