import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '../connection.js';

export type DeliveryChannel = 'email' | 'inApp' | 'webhook' | 'sms' | 'push' | (string & {});
export type DeliveryStatus = 'sent' | 'skipped' | 'failed';

/** One message a journey step tried to deliver: what the contact's delivery log and support answers read. */
export interface DeliveryDoc {
  /** The step's idempotency key: a retried step finds its first record instead of writing a second. */
  _id: string;
  workspaceId: string;
  contactId: string;
  journeyId: string;
  nodeId: string;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  /** Why it was skipped or failed, in words a marketer can act on ("unsubscribed from email"). */
  reason?: string;
  /** Epoch ms. */
  at: number;
}

export const deliverySchema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    journeyId: { type: String, required: true },
    nodeId: { type: String, required: true },
    channel: { type: String, required: true },
    status: { type: String, required: true, enum: ['sent', 'skipped', 'failed'] },
    reason: String,
    at: { type: Number, required: true },
  },
  { versionKey: false },
);
deliverySchema.index({ workspaceId: 1, contactId: 1, at: -1 });

export function deliveryModel(connection: Connection): Model<DeliveryDoc> {
  return (
    (connection.models.Delivery as Model<DeliveryDoc> | undefined) ??
    connection.model<DeliveryDoc>('Delivery', deliverySchema, 'deliveries')
  );
}

export interface DeliveryInput {
  idempotencyKey: string;
  workspaceId: string;
  contactId: string;
  journeyId: string;
  nodeId: string;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  reason?: string;
  at?: number | Date;
}

/**
 * Writes the delivery once per idempotency key. A retried activity calls it again with the same key
 * and gets `recorded: false` plus the first record, so the log never shows one send twice.
 */
export async function recordDelivery(
  connection: Connection,
  input: DeliveryInput,
): Promise<{ recorded: boolean; delivery: DeliveryDoc }> {
  const at =
    input.at === undefined
      ? Date.now()
      : typeof input.at === 'number'
        ? input.at
        : input.at.getTime();
  const doc: DeliveryDoc = {
    _id: input.idempotencyKey,
    workspaceId: input.workspaceId,
    contactId: input.contactId,
    journeyId: input.journeyId,
    nodeId: input.nodeId,
    channel: input.channel,
    status: input.status,
    ...(input.reason ? { reason: input.reason } : {}),
    at,
  };
  try {
    await deliveryModel(connection).create(doc);
    return { recorded: true, delivery: doc };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const first = await deliveryModel(connection).findById(input.idempotencyKey).lean();
    return { recorded: false, delivery: first ?? doc };
  }
}

/** The contact's deliveries, newest first. */
export async function listDeliveries(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  options: { limit?: number; before?: number } = {},
): Promise<DeliveryDoc[]> {
  const filter: Record<string, unknown> = { workspaceId, contactId };
  if (options.before !== undefined) filter.at = { $lt: options.before };
  return deliveryModel(connection)
    .find(filter)
    .sort({ at: -1, _id: 1 })
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500))
    .lean();
}

/**
 * Messages sent to the contact at or after `since` (epoch ms), across all journeys: what a frequency cap
 * counts. `excluding` leaves out the step asking, so a retried step does not count itself.
 */
export async function countSentMessages(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  options: { since: number; excluding?: string },
): Promise<number> {
  const filter: Record<string, unknown> = {
    workspaceId,
    contactId,
    status: 'sent',
    at: { $gte: options.since },
  };
  if (options.excluding !== undefined) filter._id = { $ne: options.excluding };
  return deliveryModel(connection).countDocuments(filter);
}
