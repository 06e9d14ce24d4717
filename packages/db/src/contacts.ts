// The contacts repository: what the API and the worker ask of a contact, by intention.
import type { Connection } from 'mongoose';
import { forgetContacts } from './contact-cache.js';
import { updateIfUnchanged } from './connection.js';
import { decodeDocumentKeys, encodeDocumentKeys } from './keys.js';
import {
  contactKey,
  contactModel,
  type ContactDoc,
  type SegmentMembershipState,
} from './models/contact.js';
import { eventModel } from './models/event.js';
import { identityModel } from './models/identity.js';
import { contactJourneysModel } from './models/journey-run.js';
import { deleteActivities } from './profiles.js';
import { workspaceHasJourneys } from './journey-interest.js';
import { enqueueJourneyTriggers, profileChangedTrigger } from './models/journey-trigger.js';
import { fileContactForEvaluation } from './segments/due.js';
import {
  decodeSearchCursor,
  fileInDirectory,
  removeFromDirectory,
  searchContactDirectory,
} from './contact-directory.js';
import { reevaluateContact } from './segments/reevaluate.js';

/** Top-level parts of a contact a caller may ask for (the rest is left on the server). */
export type ContactPart = Exclude<keyof ContactDoc, '_id'>;

/** One contact, whole or only `parts` of it (plus `_id`); null when the workspace has no such contact. */
export async function findContact(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  parts?: readonly ContactPart[],
): Promise<ContactDoc | null> {
  const projection = parts ? Object.fromEntries(parts.map((part) => [part, 1])) : undefined;
  return contactModel(connection)
    .findById(contactKey(workspaceId, contactId), projection)
    .lean<ContactDoc>();
}

export async function contactExists(
  connection: Connection,
  workspaceId: string,
  contactId: string,
): Promise<boolean> {
  return (
    (await contactModel(connection).exists({ _id: contactKey(workspaceId, contactId) })) !== null
  );
}

/** The contact's revision (bumped by every write of its document); undefined when there is no such contact. */
export async function contactRevision(
  connection: Connection,
  workspaceId: string,
  contactId: string,
): Promise<number | undefined> {
  const doc = await findContact(connection, workspaceId, contactId, ['rev']);
  return doc ? (doc.rev ?? 0) : undefined;
}

/**
 * The contact's stored membership of `segmentId` (null when not a member) and the contact's revision: a
 * change whose revision is above it has not been written yet.
 */
export async function segmentMembership(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  segmentId: string,
): Promise<{ membership: SegmentMembershipState | null; contactRev: number }> {
  const doc = await findContact(connection, workspaceId, contactId, ['segments', 'rev']);
  const segments = doc?.segments ?? {};
  return {
    membership: Object.prototype.hasOwnProperty.call(segments, segmentId)
      ? (segments[segmentId] ?? null)
      : null,
    contactRev: doc?.rev ?? -1,
  };
}

export interface ContactPageQuery {
  /**
   * The start of the id, email, name, first or last name, or of a later word of the name, ignoring case
   * and accents; an exact contact id comes first.
   */
  search?: string;
  /** The `nextCursor` of the previous page (without a search, the last contactId of that page). */
  after?: string;
  limit: number;
}

export interface ContactPage {
  contacts: ContactDoc[];
  /** The contactId to pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A cursor passed to a search that no search handed out (the caller answers 400 naming `cursor`). */
export class ContactCursorError extends Error {
  constructor() {
    super('The cursor is not one this search handed out.');
    this.name = 'ContactCursorError';
  }
}

/**
 * A page of the workspace's contacts (merged-away contacts left out): with a search, read from the contact
 * directory by `_id` (contact-directory.ts); without one, in `_id` order.
 */
export async function listContacts(
  connection: Connection,
  workspaceId: string,
  query: ContactPageQuery,
): Promise<ContactPage> {
  if (query.search && query.search.trim()) {
    const cursor = query.after === undefined ? undefined : decodeSearchCursor(query.after);
    if (cursor === null) throw new ContactCursorError();
    return searchContactDirectory(connection, workspaceId, query.search, {
      limit: query.limit,
      ...(cursor ? { cursor } : {}),
    });
  }
  const filter: Record<string, unknown> = { workspaceId, mergedInto: { $exists: false } };
  if (query.after) filter._id = { $gt: contactKey(workspaceId, query.after) };
  const docs = await contactModel(connection)
    .find(filter)
    .sort({ _id: 1 })
    .limit(query.limit + 1)
    .lean<ContactDoc[]>();
  const contacts = docs.slice(0, query.limit);
  return {
    contacts,
    nextCursor:
      docs.length > query.limit ? (contacts[contacts.length - 1]?.contactId ?? null) : null,
  };
}

/**
 * Erases a person: their events (and those of contacts merged into them), identities, journey runs, the
 * contact and its activity document, the contact late so an interrupted erasure can be run again. Returns how many events went.
 */
export async function eraseContact(
  connection: Connection,
  workspaceId: string,
  contact: Pick<ContactDoc, 'contactId' | 'mergedFrom'>,
): Promise<{ events: number }> {
  const { contactId } = contact;
  const filed = await findContact(connection, workspaceId, contactId, ['searchEntries']);
  const events = await eventModel(connection).deleteMany({
    workspaceId,
    contactId: { $in: [contactId, ...(contact.mergedFrom ?? [])] },
  });
  await identityModel(connection).deleteMany({ workspaceId, contactId });
  await contactJourneysModel(connection).deleteOne({ _id: contactKey(workspaceId, contactId) });
  await contactModel(connection).deleteOne({ _id: contactKey(workspaceId, contactId) });
  await deleteActivities(connection, [contactKey(workspaceId, contactId)]);
  await removeFromDirectory(connection, workspaceId, [
    { contactId, stale: filed?.searchEntries ?? [] },
  ]);
  return { events: events.deletedCount };
}

/** The contact's traits, tags and profile traits as read, for a change computed from them. */
export interface ContactTraitsState {
  traits: Record<string, unknown>;
  tags: string[];
  profileTraits: Record<string, unknown>;
}

export type ContactTraitsOutcome = 'updated' | 'missing' | 'conflict';

/**
 * Sets traits and tags computed by `change` from what was read, conditional on the revision read: a
 * concurrent fold or update makes it read and compute again (up to `attempts` times), never overwrite.
 * Like a fold, the change then re-evaluates the contact's segments and tells its running journeys.
 */
export async function updateContactTraits(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  change: (current: ContactTraitsState) => ContactTraitsState | Promise<ContactTraitsState>,
  attempts = 20,
  now = Date.now(),
): Promise<ContactTraitsOutcome> {
  const contacts = contactModel(connection);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const doc = await contacts
      .findById(contactKey(workspaceId, contactId), {
        traits: 1,
        tags: 1,
        rev: 1,
        searchEntries: 1,
        'profile.traits': 1,
      })
      .lean();
    if (!doc) return 'missing';
    const next = await change({
      traits: decodeDocumentKeys(doc.traits ?? {}),
      tags: doc.tags ?? [],
      profileTraits: decodeDocumentKeys(
        (doc.profile as { traits?: Record<string, unknown> } | undefined)?.traits ?? {},
      ),
    });
    // Before the write, as a fold does: the signal goes no earlier than the write, and the due entry
    // brings the sweeper if this process dies before the evaluation below.
    if (await workspaceHasJourneys(connection, workspaceId))
      await enqueueJourneyTriggers(connection, [
        profileChangedTrigger(workspaceId, contactId, (doc.rev ?? 0) + 1, now),
      ]);
    await fileContactForEvaluation(connection, workspaceId, contactId, now);
    // Search entries before the write that names them (contact-directory.ts).
    const directory = (
      await fileInDirectory(connection, workspaceId, [
        { contactId, before: doc, traits: next.traits },
      ])
    ).get(contactId);
    // The engine's adapter decides how the revision guard is checked (in the filter, or read just before).
    const result = await updateIfUnchanged(
      connection,
      contacts,
      doc._id,
      { rev: doc.rev },
      {
        $set: {
          traits: encodeDocumentKeys(next.traits),
          tags: next.tags,
          'profile.traits': encodeDocumentKeys(next.profileTraits),
          nextEvaluationAt: now,
          ...(directory ? { searchEntries: directory.searchEntries } : {}),
        },
        $inc: { rev: 1 },
      },
    );
    if (result.modifiedCount === 1 || result.matchedCount === 1) {
      forgetContacts(connection, [doc._id]);
      if (directory?.stale.length)
        await removeFromDirectory(connection, workspaceId, [{ contactId, stale: directory.stale }]);
      // The same evaluation a fold runs, so a trait set by a journey step moves memberships at once.
      await reevaluateContact(connection, { workspaceId, contactId, now, reason: 'traits' });
      return 'updated';
    }
  }
  return 'conflict';
}

/**
 * Streams the contacts of a workspace that hold any of `traits`, with their traits decoded, in pages of
 * `pageSize` (date-triggered journeys read the dates and the `timezone` trait from here).
 */
export async function forEachContactWithTraits(
  connection: Connection,
  workspaceId: string,
  traits: string[],
  onPage: (page: { contactId: string; traits: Record<string, unknown> }[]) => Promise<void>,
  pageSize = 500,
): Promise<void> {
  if (traits.length === 0) return;
  const cursor = contactModel(connection)
    .find(
      {
        workspaceId,
        // Trait names are stored encoded (keys.ts): ask for the stored key.
        $or: traits.map((t) => ({
          [`traits.${Object.keys(encodeDocumentKeys({ [t]: 0 }))[0]}`]: { $exists: true },
        })),
      },
      { contactId: 1, traits: 1 },
    )
    .lean()
    .cursor({ batchSize: pageSize });
  let page: { contactId: string; traits: Record<string, unknown> }[] = [];
  for await (const doc of cursor) {
    page.push({ contactId: doc.contactId, traits: decodeDocumentKeys(doc.traits ?? {}) });
    if (page.length >= pageSize) {
      await onPage(page);
      page = [];
    }
  }
  if (page.length > 0) await onPage(page);
}
