// Per-workspace, per-channel send rate limits, and the slots that enforce them (docs/channels.md, decision 025).
import { Schema, type Connection, type Model } from 'mongoose';
import { sendWindowMs, type SendRateLimit, type SendRateLimits } from '@cairn/core';
import { insertNew, isDuplicateKeyError, withDocumentLocks } from '../connection.js';

/** The workspace's limits, one document keyed by the workspace id. */
export interface SendLimitsDoc {
  _id: string;
  /** channel → limit (channel names are plain words: SendRateLimitsSchema) */
  limits: Record<string, SendRateLimit>;
  updatedAt: Date;
}

const sendLimitsSchema = new Schema<SendLimitsDoc>(
  {
    _id: { type: String, required: true },
    limits: { type: Schema.Types.Mixed, default: {} },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false, minimize: false },
);

export function sendLimitsModel(connection: Connection): Model<SendLimitsDoc> {
  return (
    (connection.models.SendLimits as Model<SendLimitsDoc> | undefined) ??
    connection.model<SendLimitsDoc>('SendLimits', sendLimitsSchema, 'send_limits')
  );
}

/**
 * A taken slot (`kind: 'slot'`, one per send, `_id` = window + index), or which window a send holds a slot
 * in (`kind: 'reservation'`, `_id` = its idempotency key), so that its retry finds it again.
 */
export interface SendSlotDoc {
  _id: string;
  workspaceId: string;
  channel: string;
  kind: 'slot' | 'reservation';
  windowStart: Date;
  windowEnd: Date;
  /** The send that holds the slot (its idempotency key). */
  key: string;
  /** Reservations: the send had to wait once, and was counted as throttled. */
  counted?: boolean;
}

const sendSlotSchema = new Schema<SendSlotDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    channel: { type: String, required: true },
    kind: { type: String, required: true, enum: ['slot', 'reservation'] },
    windowStart: { type: Date, required: true },
    windowEnd: { type: Date, required: true },
    key: { type: String, required: true },
    counted: Boolean,
  },
  { versionKey: false },
);
sendSlotSchema.index({ workspaceId: 1, channel: 1, windowEnd: 1 });

export function sendSlotModel(connection: Connection): Model<SendSlotDoc> {
  return (
    (connection.models.SendSlot as Model<SendSlotDoc> | undefined) ??
    connection.model<SendSlotDoc>('SendSlot', sendSlotSchema, 'send_slots')
  );
}

/** How long a process keeps a workspace's limits before reading them again. */
export const SEND_LIMITS_CACHE_MS = 2_000;
const limitsCache = new Map<string, { at: number; limits: SendRateLimits }>();

export async function getSendLimits(
  connection: Connection,
  workspaceId: string,
): Promise<SendRateLimits> {
  const doc = await sendLimitsModel(connection).findById(workspaceId).lean();
  return Object.fromEntries(
    Object.entries(doc?.limits ?? {}).map(([channel, limit]) => [
      channel,
      { messages: limit.messages, per: { amount: limit.per.amount, unit: limit.per.unit } },
    ]),
  );
}

/** Replaces the workspace's limits (a channel left out has none). */
export async function setSendLimits(
  connection: Connection,
  workspaceId: string,
  limits: SendRateLimits,
): Promise<void> {
  await sendLimitsModel(connection).updateOne(
    { _id: workspaceId },
    { $set: { limits } },
    { upsert: true },
  );
  limitsCache.delete(`${connection.id}:${workspaceId}`);
}

/** The channel's limit as this process last read it (at most SEND_LIMITS_CACHE_MS old); undefined: no limit. */
export async function sendLimitOf(
  connection: Connection,
  workspaceId: string,
  channel: string,
): Promise<SendRateLimit | undefined> {
  const cacheKey = `${connection.id}:${workspaceId}`;
  let cached = limitsCache.get(cacheKey);
  if (!cached || Date.now() - cached.at > SEND_LIMITS_CACHE_MS) {
    cached = { at: Date.now(), limits: await getSendLimits(connection, workspaceId) };
    if (limitsCache.size > 10_000) limitsCache.clear();
    limitsCache.set(cacheKey, cached);
  }
  return cached.limits[channel];
}

export type SendSlot =
  | { sendNow: true }
  /** Every slot up to `sendAt` is taken: the send holds one from then on. `firstTime`: this send was not throttled before. */
  | { sendNow: false; sendAt: number; firstTime: boolean };

/** Where this process last found the first free slot of a channel: saves probing the full windows again. */
const nextFree = new Map<string, { window: number; index: number }>();

/** More windows ahead than this means a backlog of limit × this many sends: a stuck limit, not a queue. */
const MAX_WINDOWS_AHEAD = 100_000;

/**
 * Takes one send slot of the channel: in the current window when one is free (send now), else in the first
 * later window with room (send then). Which window is kept under the send's idempotency key, so its retries
 * in that window find it and take no second slot. A slot is a document inserted with a unique `_id`, window and index, so
 * no two sends ever hold the same one on any engine, atomic updates or not; slots fill each window from
 * index 0 up, which lets the first free one be found by a binary search of `_id` lookups.
 */
export async function reserveSendSlot(
  connection: Connection,
  input: {
    workspaceId: string;
    channel: string;
    /** The send's idempotency key. */
    key: string;
    limit: SendRateLimit;
    now: number;
  },
): Promise<SendSlot> {
  const { workspaceId, channel, key, limit, now } = input;
  const windowMs = sendWindowMs(limit);
  const current = Math.floor(now / windowMs) * windowMs;
  const Slots = sendSlotModel(connection);
  const reservationId = `r:${workspaceId}:${channel}:${key}`;
  const held = await Slots.findById(reservationId).lean();
  const heldStart = held?.windowStart.getTime();
  if (held && heldStart !== undefined && held.windowEnd.getTime() > now) {
    if (heldStart <= now) return { sendNow: true };
    return { sendNow: false, sendAt: heldStart, firstTime: false };
  }

  const prefix = `s:${workspaceId}:${channel}:${windowMs}:`;
  const slotId = (window: number, index: number) => `${prefix}${window}:${index}`;
  const taken = async (window: number, index: number) =>
    (await Slots.exists({ _id: slotId(window, index) })) !== null;
  const hintKey = `${connection.id}:${prefix}`;

  // One reservation of a channel at a time per process: contention is then only between processes.
  const { window, index } = await withDocumentLocks([hintKey], async () => {
    const hint = nextFree.get(hintKey);
    let w = hint && hint.window >= current ? hint.window : current;
    let low = hint && hint.window === w ? hint.index : 0;
    for (let scanned = 0; scanned < MAX_WINDOWS_AHEAD; scanned++) {
      if (low < limit.messages && !(await taken(w, limit.messages - 1))) {
        // Taken slots are a prefix of the window (each is inserted only after its predecessor was seen taken).
        let high = limit.messages - 1;
        while (low < high) {
          const mid = Math.floor((low + high) / 2);
          if (await taken(w, mid)) low = mid + 1;
          else high = mid;
        }
        for (; low < limit.messages; low++) {
          const [inserted] = await insertNew(
            (docs) => Slots.insertMany(docs, { ordered: false }),
            [
              {
                _id: slotId(w, low),
                workspaceId,
                channel,
                kind: 'slot' as const,
                windowStart: new Date(w),
                windowEnd: new Date(w + windowMs),
                key,
              },
            ],
          );
          if (inserted) {
            nextFree.set(hintKey, { window: w, index: low + 1 });
            return { window: w, index: low };
          }
        }
      }
      w += windowMs;
      low = 0;
    }
    throw new Error(
      `send limit of ${channel}: no free slot in the next ${MAX_WINDOWS_AHEAD} windows`,
    );
  });

  // The first send of a window clears the slots of windows that are over (no TTL index on FerretDB).
  if (index === 0) await forgetPastSlots(connection, workspaceId, channel, now);
  const throttled = window !== current;
  // Kept for a send in this window too: its retry (the provider did not answer) reuses the slot.
  const reservation: SendSlotDoc = {
    _id: reservationId,
    workspaceId,
    channel,
    kind: 'reservation',
    windowStart: new Date(window),
    windowEnd: new Date(window + windowMs),
    key,
    counted: throttled || held?.counted === true,
  };
  // Only this send's attempts write its reservation, one attempt at a time.
  try {
    await Slots.replaceOne({ _id: reservationId }, reservation, { upsert: true });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    await Slots.replaceOne({ _id: reservationId }, reservation);
  }
  if (!throttled) return { sendNow: true };
  return { sendNow: false, sendAt: window, firstTime: !held?.counted };
}

async function forgetPastSlots(
  connection: Connection,
  workspaceId: string,
  channel: string,
  now: number,
) {
  try {
    await sendSlotModel(connection).deleteMany({
      workspaceId,
      channel,
      windowEnd: { $lte: new Date(now) },
    });
  } catch {
    // Housekeeping: the next window's first send tries again.
  }
}
