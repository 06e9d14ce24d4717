import type { Connection } from 'mongoose';
import { forgetContacts } from '../contact-cache.js';
import { updateIfUnchanged, withDocumentLocks } from '../connection.js';
import { contactKey, contactModel } from '../models/contact.js';

export type SubscriptionState = 'subscribed' | 'unsubscribed';
export const SUBSCRIPTION_CHANNELS = ['email', 'sms', 'push', 'inApp'] as const;
export type SubscriptionChannelName = (typeof SUBSCRIPTION_CHANNELS)[number];
export type Subscriptions = Partial<Record<SubscriptionChannelName, SubscriptionState>>;

/** A contact with no recorded choice for a channel is subscribed to it (opt-out model). */
export function isSubscribedTo(
  subscriptions: Record<string, unknown> | undefined,
  channel: string,
): boolean {
  return subscriptions?.[channel] !== 'unsubscribed';
}

/** Every known channel with its effective state, so clients never have to know the default. */
export function effectiveSubscriptions(
  stored: Record<string, unknown> | undefined,
): Record<SubscriptionChannelName, SubscriptionState> {
  const out = {} as Record<SubscriptionChannelName, SubscriptionState>;
  for (const channel of SUBSCRIPTION_CHANNELS)
    out[channel] = isSubscribedTo(stored, channel) ? 'subscribed' : 'unsubscribed';
  return out;
}

export async function getSubscriptions(
  connection: Connection,
  workspaceId: string,
  contactId: string,
): Promise<Record<SubscriptionChannelName, SubscriptionState> | undefined> {
  const contact = await contactModel(connection)
    .findById(contactKey(workspaceId, contactId), { subscriptions: 1 })
    .lean();
  return contact ? effectiveSubscriptions(contact.subscriptions) : undefined;
}

/**
 * Merges `changes` into the contact's subscriptions with a write conditional on the revision it read,
 * retrying when ingestion folded an event in between (no transactions on FerretDB).
 * Returns undefined when the contact does not exist.
 */
export async function setSubscriptions(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  changes: Subscriptions,
): Promise<Record<SubscriptionChannelName, SubscriptionState> | undefined> {
  const contacts = contactModel(connection);
  const _id = contactKey(workspaceId, contactId);
  for (let attempt = 0; attempt < 20; attempt++) {
    const contact = await contacts.findById(_id, { subscriptions: 1, rev: 1 }).lean();
    if (!contact) return undefined;
    const next = { ...(contact.subscriptions ?? {}), ...changes };
    const unchanged = Object.entries(changes).every(
      ([channel, state]) => contact.subscriptions?.[channel] === state,
    );
    if (unchanged) return effectiveSubscriptions(next);
    // A contact written by a raw upsert may have no rev yet; match that state exactly too.
    const revGuard = typeof contact.rev === 'number' ? contact.rev : { $exists: false };
    const result = await withDocumentLocks([_id], () =>
      updateIfUnchanged(
        connection,
        contacts,
        _id,
        { rev: revGuard },
        { $set: { subscriptions: next, updatedAt: new Date() }, $inc: { rev: 1 } },
        { timestamps: false },
      ),
    );
    if (result.matchedCount === 1) {
      forgetContacts(connection, [_id]);
      return effectiveSubscriptions(next);
    }
  }
  throw new Error(
    `setSubscriptions: contact ${contactId} kept changing; gave up after 20 attempts`,
  );
}
