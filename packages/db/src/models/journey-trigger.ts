import { Schema, type Connection, type Model } from 'mongoose';
import { createCoalescer, type Coalescer } from '../coalesce.js';
import { capabilitiesOf, insertNew } from '../connection.js';
import { forEachMemberPage } from '../segments/member-pages.js';

/**
 * The outbox between behaviour and journeys. Ingestion (matching events), segment evaluation
 * (entered / exited) and every profile change (profileChanged) write triggers here in the same step that
 * changes the profile; the worker's
 * dispatcher starts or signals journey workflows and then deletes them. If Temporal is down, triggers
 * simply wait here: nothing is lost and ingestion keeps accepting.
 */
export type JourneyTriggerKind = 'segmentEntered' | 'segmentExited' | 'event' | 'profileChanged';

export interface JourneyTriggerDoc {
  /** Deterministic, so writing the same trigger twice is a no-op (duplicate key). */
  _id: string;
  workspaceId: string;
  contactId: string;
  kind: JourneyTriggerKind;
  segmentId?: string;
  segmentVersion?: number;
  /** The membership change's revision (SegmentMembershipState.rev): a run ignores a change older than one it saw. */
  segmentRev?: number;
  /** Only this journey: a segment's existing members enrolled when it is published (no other journey hears it). */
  journeyId?: string;
  /** For `event` triggers: the stored event's messageId, name, properties and timestamp. */
  messageId?: string;
  event?: string;
  properties?: Record<string, unknown>;
  at: number;
  /** For `event` triggers: when the event was received, and an import's choice (see CairnEvent.startsJourneys). */
  receivedAt?: number;
  startsJourneys?: boolean;
  /** For `profileChanged` triggers: the contact's revision once the change is written (signalled no earlier). */
  contactRev?: number;
  attempts: number;
  lastError?: string;
  createdAt: Date;
}

export const journeyTriggerSchema = new Schema<JourneyTriggerDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    kind: {
      type: String,
      required: true,
      enum: ['segmentEntered', 'segmentExited', 'event', 'profileChanged'],
    },
    segmentId: String,
    segmentVersion: Number,
    segmentRev: Number,
    journeyId: String,
    messageId: String,
    event: String,
    properties: { type: Schema.Types.Mixed },
    at: { type: Number, required: true },
    receivedAt: Number,
    startsJourneys: Boolean,
    contactRev: Number,
    attempts: { type: Number, default: 0 },
    lastError: String,
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
);

export function journeyTriggerKey(
  t: Pick<
    JourneyTriggerDoc,
    | 'workspaceId'
    | 'contactId'
    | 'kind'
    | 'segmentId'
    | 'messageId'
    | 'at'
    | 'journeyId'
    | 'contactRev'
  >,
): string {
  const ref =
    t.kind === 'event'
      ? t.messageId
      : t.kind === 'profileChanged'
        ? `rev${t.contactRev}`
        : `${t.segmentId}:${t.at}`;
  return `${t.workspaceId}:${t.kind}:${t.contactId}:${ref}${t.journeyId !== undefined ? `:journey:${t.journeyId}` : ''}`;
}

export function journeyTriggerModel(connection: Connection): Model<JourneyTriggerDoc> {
  return (
    (connection.models.JourneyTrigger as Model<JourneyTriggerDoc> | undefined) ??
    connection.model<JourneyTriggerDoc>('JourneyTrigger', journeyTriggerSchema, 'journey_triggers')
  );
}

const queuedListeners = new WeakMap<Connection, Set<() => void>>();

/**
 * Calls `listener` each time this process writes journey triggers through `connection`, so a dispatcher in
 * the same process starts on them at once instead of at its next poll. Returns the unsubscribe function.
 */
export function onJourneyTriggersQueued(connection: Connection, listener: () => void): () => void {
  const listeners = queuedListeners.get(connection) ?? new Set();
  queuedListeners.set(connection, listeners);
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Writes triggers idempotently: duplicates (same _id) are ignored. */
export async function enqueueJourneyTriggers(
  connection: Connection,
  triggers: Omit<JourneyTriggerDoc, '_id' | 'attempts' | 'createdAt'>[],
): Promise<void> {
  if (triggers.length === 0) return;
  const docs = triggers.map((t) => ({
    ...t,
    _id: journeyTriggerKey(t),
    attempts: 0,
    createdAt: new Date(),
  }));
  await insertNew(
    // Built whole above: inserted as they are, without mongoose's per-document casting and validation.
    (list) => journeyTriggerModel(connection).insertMany(list, { ordered: false, lean: true }),
    docs,
  );
  for (const listener of queuedListeners.get(connection) ?? []) {
    try {
      listener();
    } catch {
      // A wake-up is a hint: the triggers are stored and the dispatcher's poll finds them anyway.
    }
  }
}

/**
 * The trigger that tells a contact's running journeys its profile changed, written before the change (with the
 * revision the change writes): a retry of the same change writes the same trigger, a new change a new one.
 */
export function profileChangedTrigger(
  workspaceId: string,
  contactId: string,
  contactRev: number,
  at: number,
): Omit<JourneyTriggerDoc, '_id' | 'attempts' | 'createdAt'> {
  return { workspaceId, contactId, kind: 'profileChanged', contactRev, at };
}

/** The oldest waiting triggers, at most `limit`. */
export async function nextJourneyTriggers(
  connection: Connection,
  limit: number,
): Promise<JourneyTriggerDoc[]> {
  return journeyTriggerModel(connection)
    .find({})
    .sort({ at: 1 })
    .limit(limit)
    .lean<JourneyTriggerDoc[]>();
}

const completions = new WeakMap<Connection, Coalescer<string[]>>();

/**
 * Removes a trigger the dispatcher has acted on. Completions that arrive while a removal is in flight go
 * together in the next one (one bulk of `_id` deletes), so a burst of enrolments costs the outbox a
 * write per round, not one per trigger.
 */
export async function completeJourneyTrigger(
  connection: Connection,
  triggerId: string,
): Promise<void> {
  let coalescer = completions.get(connection);
  if (!coalescer) {
    const model = journeyTriggerModel(connection);
    coalescer = createCoalescer<string[]>(
      (into, next) => void into.push(...next),
      async (_key, ids) => {
        const size = capabilitiesOf(connection)?.maxBulkUpdates ?? 40;
        for (let i = 0; i < ids.length; i += size)
          await model.bulkWrite(
            ids.slice(i, i + size).map((_id) => ({ deleteOne: { filter: { _id } } })),
            { ordered: false },
          );
      },
    );
    completions.set(connection, coalescer);
  }
  await coalescer.apply('completed', [triggerId]);
}

/** Counts a failed attempt and keeps its error (cut to 500 characters) on the trigger, which stays queued. */
export async function recordJourneyTriggerFailure(
  connection: Connection,
  triggerId: string,
  error: string,
): Promise<void> {
  await journeyTriggerModel(connection).updateOne(
    { _id: triggerId },
    { $inc: { attempts: 1 }, $set: { lastError: error.slice(0, 500) } },
  );
}

/**
 * Queues a segment-entry trigger for `journeyId` alone for every current member of `segmentId`, a page at a
 * time, so a journey published with "existing members enter too" starts them through the same dispatcher,
 * re-entry rules and start pacing as new entrants. Returns how many were queued.
 */
export async function enqueueSegmentMembersForJourney(
  connection: Connection,
  input: {
    workspaceId: string;
    segmentId: string;
    journeyId: string;
    at: number;
    pageSize?: number;
  },
): Promise<number> {
  const { workspaceId, segmentId, journeyId, at } = input;
  const pageSize = input.pageSize ?? 500;
  let queued = 0;
  // The segment's member pages, each an `_id` read: no scan of the contacts per page.
  await forEachMemberPage(connection, workspaceId, segmentId, pageSize, async (page) => {
    await enqueueJourneyTriggers(
      connection,
      page.map((c) => ({
        workspaceId,
        contactId: c.id,
        kind: 'segmentEntered' as const,
        segmentId,
        journeyId,
        at,
      })),
    );
    queued += page.length;
  });
  return queued;
}
