// Identity merges: an anonymous (or aliased) contact's history moves into the identified contact.
import type { Connection } from 'mongoose';
import { type CairnEvent, type ProfileSettings } from '@cairn/core';
import { findByIds } from '../by-id.js';
import {
  ANONYMOUS_PREFIX,
  contactKey,
  contactModel,
  recentEventIdsOf,
  type ContactDoc,
} from '../models/contact.js';
import { removeFromDirectory } from '../contact-directory.js';
import { eventKey, eventModel, type EventDoc } from '../models/event.js';
import { identityModel } from '../models/identity.js';
import { deleteActivities } from '../profiles.js';
import { forEachWithLimit } from '../segments/limit.js';
import { WRITES_IN_FLIGHT, RECENT_EVENT_IDS, type FoldCandidate, eventFromDoc } from './shared.js';
import { foldIntoContact } from './fold-contact.js';

/**
 * The stored events of a contact. Its applied messageIds are complete while fewer than the remembered
 * maximum, and then each event is one `_id` read; otherwise (a long history) a query by contact.
 */
async function historyOf(
  connection: Connection,
  workspaceId: string,
  contact: Pick<ContactDoc, 'contactId' | 'recentIds' | 'recentEventIds'>,
): Promise<CairnEvent[]> {
  const Events = eventModel(connection);
  const recent = recentEventIdsOf(contact);
  if (recent.length >= RECENT_EVENT_IDS) {
    return (await Events.find({ workspaceId, contactId: contact.contactId }).lean()).map((doc) =>
      eventFromDoc(doc),
    );
  }
  const docs: EventDoc[] = [];
  const ids = recent.map((messageId) => eventKey(workspaceId, messageId));
  for (const doc of await findByIds(connection, Events, ids)) if (doc) docs.push(doc);
  return docs.map((doc) => eventFromDoc(doc));
}

/**
 * Moves an anonymous (or aliased) contact's history into the identified one. Its events keep their
 * stored contactId; the survivor lists it in `mergedFrom`, and timelines and deletes read both. (On
 * FerretDB v1 rewriting them would scan the whole events collection once per merge.)
 */
export async function mergeContacts(
  connection: Connection,
  workspaceId: string,
  fromContactId: string,
  intoContactId: string,
  settings: Partial<ProfileSettings>,
  now: number,
  fileDue = true,
): Promise<boolean> {
  const Contacts = contactModel(connection);
  const from = await Contacts.findById(contactKey(workspaceId, fromContactId)).lean();
  if (!from || from.mergedInto) return false;
  const history = await historyOf(connection, workspaceId, from);
  await foldIntoContact(
    connection,
    workspaceId,
    intoContactId,
    history.map((event) => ({ event, eligible: true })),
    settings,
    now,
    [fromContactId, ...(from.mergedFrom ?? [])],
    fileDue,
  );
  // Identities only ever point at identified contacts, so an anonymous one has none to move.
  if (!fromContactId.startsWith(ANONYMOUS_PREFIX)) {
    await identityModel(connection).updateMany(
      { workspaceId, contactId: fromContactId },
      { $set: { contactId: intoContactId } },
    );
  }
  await Contacts.deleteOne({ _id: from._id });
  await deleteActivities(connection, [from._id]);
  await removeFromDirectory(connection, workspaceId, [
    { contactId: fromContactId, stale: from.searchEntries ?? [] },
  ]);
  return true;
}

interface MergePlan {
  /** Survivor → the history it takes over (tagged with the merged contact) and the ids it records as merged. */
  byInto: Map<string, { candidates: FoldCandidate[]; mergedFrom: string[] }>;
  /** The merged contacts to remove once their survivors are written. */
  merged: { from: ContactDoc; into: string }[];
}

/** Reads the contacts to merge and their histories, all side by side. */
export async function planMerges(
  connection: Connection,
  workspaceId: string,
  merges: Map<string, string>,
): Promise<MergePlan> {
  const Contacts = contactModel(connection);
  const pairs = [...merges];
  const docs = await findByIds(
    connection,
    Contacts,
    pairs.map(([from]) => contactKey(workspaceId, from)),
  );
  const plan: MergePlan = { byInto: new Map(), merged: [] };
  await forEachWithLimit(pairs, 8, async ([from, into], i) => {
    const doc = docs[i];
    if (!doc || doc.mergedInto) return;
    const history = await historyOf(connection, workspaceId, doc);
    const entry = plan.byInto.get(into) ?? { candidates: [], mergedFrom: [] };
    entry.candidates.push(...history.map((event) => ({ event, eligible: true, mergedFrom: from })));
    entry.mergedFrom.push(from, ...(doc.mergedFrom ?? []));
    plan.byInto.set(into, entry);
    plan.merged.push({ from: doc, into });
  });
  return plan;
}

/** Removes merged contacts (their survivors list them in `mergedFrom`) and points their identities on. */
export async function finishMerges(
  connection: Connection,
  workspaceId: string,
  merged: MergePlan['merged'],
): Promise<void> {
  await forEachWithLimit(merged, WRITES_IN_FLIGHT, async ({ from, into }) => {
    // Identities only ever point at identified contacts, so an anonymous one has none to move.
    if (!from.contactId.startsWith(ANONYMOUS_PREFIX)) {
      await identityModel(connection).updateMany(
        { workspaceId, contactId: from.contactId },
        { $set: { contactId: into } },
      );
    }
    await contactModel(connection).deleteOne({ _id: from._id });
  });
  await deleteActivities(
    connection,
    merged.map((m) => m.from._id),
  );
  await removeFromDirectory(
    connection,
    workspaceId,
    merged.map((m) => ({ contactId: m.from.contactId, stale: m.from.searchEntries ?? [] })),
  );
}
