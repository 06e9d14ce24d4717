import { Schema, type Connection, type Model } from 'mongoose';
import { insertNew } from '../connection.js';

/**
 * The outbox between behaviour and journeys. Ingestion (matching events) and segment evaluation
 * (entered / exited) write triggers here in the same step that changes the profile; the worker's
 * dispatcher starts or signals journey workflows and then deletes them. If Temporal is down, triggers
 * simply wait here: nothing is lost and ingestion keeps accepting.
 */
export type JourneyTriggerKind = 'segmentEntered' | 'segmentExited' | 'event';

export interface JourneyTriggerDoc {
  /** Deterministic, so writing the same trigger twice is a no-op (duplicate key). */
  _id: string;
  workspaceId: string;
  contactId: string;
  kind: JourneyTriggerKind;
  segmentId?: string;
  segmentVersion?: number;
  /** For `event` triggers: the stored event's messageId, name, properties and timestamp. */
  messageId?: string;
  event?: string;
  properties?: Record<string, unknown>;
  at: number;
  /** For `event` triggers: when the event was received, and an import's choice (see CairnEvent.startsJourneys). */
  receivedAt?: number;
  startsJourneys?: boolean;
  attempts: number;
  lastError?: string;
  createdAt: Date;
}

export const journeyTriggerSchema = new Schema<JourneyTriggerDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['segmentEntered', 'segmentExited', 'event'] },
    segmentId: String,
    segmentVersion: Number,
    messageId: String,
    event: String,
    properties: { type: Schema.Types.Mixed },
    at: { type: Number, required: true },
    receivedAt: Number,
    startsJourneys: Boolean,
    attempts: { type: Number, default: 0 },
    lastError: String,
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
);

export function journeyTriggerKey(t: Pick<JourneyTriggerDoc, 'workspaceId' | 'contactId' | 'kind' | 'segmentId' | 'messageId' | 'at'>): string {
  const ref = t.kind === 'event' ? t.messageId : `${t.segmentId}:${t.at}`;
  return `${t.workspaceId}:${t.kind}:${t.contactId}:${ref}`;
}

export function journeyTriggerModel(connection: Connection): Model<JourneyTriggerDoc> {
  return (
    (connection.models.JourneyTrigger as Model<JourneyTriggerDoc> | undefined) ??
    connection.model<JourneyTriggerDoc>('JourneyTrigger', journeyTriggerSchema, 'journey_triggers')
  );
}

/** Writes triggers idempotently: duplicates (same _id) are ignored. */
export async function enqueueJourneyTriggers(connection: Connection, triggers: Omit<JourneyTriggerDoc, '_id' | 'attempts' | 'createdAt'>[]): Promise<void> {
  if (triggers.length === 0) return;
  const docs = triggers.map((t) => ({ ...t, _id: journeyTriggerKey(t), attempts: 0, createdAt: new Date() }));
  await insertNew((list) => journeyTriggerModel(connection).insertMany(list, { ordered: false }), docs);
}

/** The oldest waiting triggers, at most `limit`. */
export async function nextJourneyTriggers(connection: Connection, limit: number): Promise<JourneyTriggerDoc[]> {
  return journeyTriggerModel(connection).find({}).sort({ at: 1 }).limit(limit).lean<JourneyTriggerDoc[]>();
}

/** Removes a trigger the dispatcher has acted on. */
export async function completeJourneyTrigger(connection: Connection, triggerId: string): Promise<void> {
  await journeyTriggerModel(connection).deleteOne({ _id: triggerId });
}

/** Counts a failed attempt and keeps its error (cut to 500 characters) on the trigger, which stays queued. */
export async function recordJourneyTriggerFailure(connection: Connection, triggerId: string, error: string): Promise<void> {
  await journeyTriggerModel(connection).updateOne({ _id: triggerId }, { $inc: { attempts: 1 }, $set: { lastError: error.slice(0, 500) } });
}
