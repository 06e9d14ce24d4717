import type { InAppMessage } from '@cairn/core';
import { Schema, type Connection, type Model } from 'mongoose';

/** What the `inAppMessage@1` action stores. */
export type InAppMessageInput = InAppMessage;

/** The message as the action handed it over, its instants stored as epoch ms. */
export interface InAppMessageDoc extends Omit<InAppMessage, 'createdAt' | 'expiresAt'> {
  /** `${workspaceId}:${contactId}:${messageId}`: a retried store lands on the same document. */
  _id: string;
  workspaceId: string;
  contactId: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt?: number | null;
  /** Set when the app acknowledged (showed or dismissed) the message; acknowledged messages are not listed again. */
  ackedAt?: number | null;
}

export const inAppMessageSchema = new Schema<InAppMessageDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    messageId: { type: String, required: true },
    journeyId: { type: String, required: true },
    nodeId: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    cta: { type: new Schema({ label: String, url: String }, { _id: false }), default: undefined },
    createdAt: { type: Number, required: true },
    expiresAt: { type: Number, default: null },
    ackedAt: { type: Number, default: null },
  },
  { versionKey: false },
);
inAppMessageSchema.index({ workspaceId: 1, contactId: 1, createdAt: -1 });

export function inAppMessageModel(connection: Connection): Model<InAppMessageDoc> {
  return (
    (connection.models.InAppMessage as Model<InAppMessageDoc> | undefined) ??
    connection.model<InAppMessageDoc>('InAppMessage', inAppMessageSchema, 'in_app_messages')
  );
}

export function inAppMessageKey(workspaceId: string, contactId: string, messageId: string): string {
  return `${workspaceId}:${contactId}:${messageId}`;
}

const toMs = (iso: string | undefined): number | null => {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

/**
 * Stores a message for the contact's inbox, idempotently: a retried activity rewrites the same
 * document but never resets an acknowledgement the app already sent.
 */
export async function storeInAppMessage(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  message: InAppMessageInput,
): Promise<void> {
  const _id = inAppMessageKey(workspaceId, contactId, message.messageId);
  await inAppMessageModel(connection).updateOne(
    { _id },
    {
      $set: {
        workspaceId,
        contactId,
        messageId: message.messageId,
        journeyId: message.journeyId,
        nodeId: message.nodeId,
        title: message.title,
        body: message.body,
        ...(message.cta ? { cta: { label: message.cta.label, url: message.cta.url } } : {}),
        createdAt: toMs(message.createdAt) ?? Date.now(),
        expiresAt: toMs(message.expiresAt),
      },
      $setOnInsert: { ackedAt: null },
    },
    { upsert: true },
  );
}

/** What the app's inbox endpoint lists: the stored message, times back in ISO-8601. */
export type InAppMessageView = InAppMessage;

function view(doc: InAppMessageDoc): InAppMessageView {
  return {
    messageId: doc.messageId,
    journeyId: doc.journeyId,
    nodeId: doc.nodeId,
    title: doc.title,
    body: doc.body,
    ...(doc.cta?.label && doc.cta.url ? { cta: { label: doc.cta.label, url: doc.cta.url } } : {}),
    createdAt: new Date(doc.createdAt).toISOString(),
    ...(doc.expiresAt ? { expiresAt: new Date(doc.expiresAt).toISOString() } : {}),
  };
}

/** The contact's unacknowledged, unexpired messages, newest first. */
export async function listInAppMessages(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  options: { now?: number; limit?: number } = {},
): Promise<InAppMessageView[]> {
  const now = options.now ?? Date.now();
  const docs = await inAppMessageModel(connection)
    .find({ workspaceId, contactId, ackedAt: null })
    .sort({ createdAt: -1 })
    .limit(Math.min(Math.max(options.limit ?? 20, 1), 100))
    .lean();
  // Expiry is filtered here rather than in the query: FerretDB has no TTL index to delete them for us.
  return docs.filter((d) => !d.expiresAt || d.expiresAt > now).map(view);
}

/** Marks a message acknowledged; false when the contact has no such message. A second ack is a no-op. */
export async function ackInAppMessage(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  messageId: string,
  at = Date.now(),
): Promise<boolean> {
  const model = inAppMessageModel(connection);
  const _id = inAppMessageKey(workspaceId, contactId, messageId);
  const result = await model.updateOne({ _id, ackedAt: null }, { $set: { ackedAt: at } });
  if (result.matchedCount === 1) return true;
  return (await model.exists({ _id })) !== null;
}
