// Event ingestion (/v1), in-app messages, the event debugger, the fold lag, imports and health.
import { z } from 'zod';
import { DEBUGGER_LIMITS } from '@cairn/core';
import { FieldErrorSchema, limitQuery } from './common.js';

// ── requests ────────────────────────────────────────────────────────────────────────────────

export const InAppMessagesQuery = z.object({
  userId: z
    .string({ error: 'is required: the userId your app sends in identify calls' })
    .min(1, 'must not be empty')
    .max(500),
  limit: limitQuery(100),
});
export const InAppAckBody = z.object({
  userId: z.string().min(1, 'must not be empty').max(500).optional(),
});
export const DebuggerQuery = z.object({
  userId: z.string().max(200).optional(),
  event: z.string().max(200).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(DEBUGGER_LIMITS.accepted, {
      error: `must be at most ${DEBUGGER_LIMITS.accepted} (the debugger keeps no more)`,
    })
    .optional(),
});
export const ImportQuery = z.object({
  format: z.enum(['csv', 'ndjson'], { error: "must be 'csv' or 'ndjson'" }).optional(),
  // An import is history: its events start no event-triggered journey unless the import asks.
  startJourneys: z
    .enum(['true', 'false'], {
      error:
        "must be 'true' (imported events start event-triggered journeys, whatever their age) or 'false' (the default)",
    })
    .optional(),
});

// ── responses ───────────────────────────────────────────────────────────────────────────────

export const IngestResponse = z.strictObject({ success: z.literal(true) });
export const BatchResponse = z.strictObject({
  success: z.literal(true),
  accepted: z.number().int().describe('Valid events in the batch (new or already stored).'),
  duplicates: z.number().int().describe('Events already stored under the same messageId.'),
  rejected: z
    .array(z.strictObject({ index: z.number().int(), errors: z.array(FieldErrorSchema) }))
    .describe('Invalid items, by their index in `batch`, with their field errors.'),
});

export const InAppMessageSchema = z.strictObject({
  messageId: z.string(),
  journeyId: z.string(),
  nodeId: z.string(),
  title: z.string(),
  body: z.string(),
  cta: z.strictObject({ label: z.string(), url: z.string() }).optional(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
});
export const InAppMessagesResponse = z.strictObject({
  userId: z.string(),
  messages: z.array(InAppMessageSchema),
});
export const InAppAckResponse = z.strictObject({
  acknowledged: z.literal(true),
  messageId: z.string(),
});

const foldLag = {
  unfoldedEvents: z.number().int().describe('Events appended but not folded into profiles yet.'),
  foldLagMs: z.number().describe("The oldest unfolded event's age."),
  parkedEvents: z.number().int().describe('Events of folds parked for an operator.'),
};
export const ParkedFoldSchema = z.strictObject({
  id: z.string(),
  parkedAt: z.iso.datetime(),
  reason: z.string(),
  contactIds: z.array(z.string()),
  events: z.number().int(),
});
export const IngestionLagResponse = z.strictObject({
  ...foldLag,
  parked: z.array(ParkedFoldSchema).describe('Folds that could not be applied, newest first.'),
});
export const RetryParkedResponse = z.strictObject({
  retried: z.number().int().describe('Parked folds handed back to the sweeper.'),
});

export const DebuggerEventSchema = z.strictObject({
  receivedAt: z.iso.datetime(),
  type: z.string(),
  event: z.string(),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  messageId: z.string(),
  properties: z.unknown().optional(),
  propertiesPreview: z
    .string()
    .optional()
    .describe('Set instead of properties when they were too long to keep whole.'),
});
export const DebuggerRefusalSchema = z.strictObject({
  at: z.iso.datetime(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  title: z.string(),
  detail: z.string().optional(),
  errors: z.array(FieldErrorSchema),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  event: z.string().optional(),
  body: z.string().describe('The body as sent, cut at 2048 characters.'),
  truncated: z.boolean(),
});
export const DebuggerResponse = z.strictObject({
  events: z.array(DebuggerEventSchema),
  refused: z.array(DebuggerRefusalSchema),
  fold: z.strictObject(foldLag),
});

const importCounts = {
  importId: z.string(),
  processed: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
};
const rowErrors = z.array(
  z.strictObject({ row: z.number().int(), errors: z.array(FieldErrorSchema) }),
);
/** One line of the NDJSON an import answers: progress as it goes, then done (or failed). */
export const ImportLineSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('progress'), ...importCounts, folded: z.number().int() }),
  z.strictObject({
    type: z.literal('done'),
    ...importCounts,
    folded: z.number().int(),
    errors: rowErrors,
  }),
  z.strictObject({
    type: z.literal('failed'),
    ...importCounts,
    detail: z.string(),
    errors: rowErrors,
  }),
]);

export const LivenessResponse = z.strictObject({ status: z.literal('ok') });
export const ReadinessResponse = z.strictObject({
  status: z.enum(['ready', 'degraded']),
  checks: z
    .record(z.string(), z.enum(['up', 'down', 'restarting']))
    .describe('mongodb, temporal, and any process `npm start` is restarting.'),
  restarting: z
    .record(
      z.string(),
      z.strictObject({
        name: z.string().optional(),
        status: z.literal('restarting'),
        restarts: z.number().int().optional(),
        lastCrash: z
          .strictObject({ at: z.string(), exit: z.string(), reason: z.string() })
          .optional(),
        retryAt: z.string().optional(),
      }),
    )
    .optional(),
  ingestion: z.strictObject({
    unfoldedEvents: z.number().int().optional(),
    foldLagMs: z.number().optional(),
    queuedHere: z.number().int().describe('Events this process holds in memory, not folded yet.'),
    oldestQueuedHereMs: z.number(),
  }),
});

export type IngestionLag = z.output<typeof IngestionLagResponse>;
export type DebuggerEvent = z.output<typeof DebuggerEventSchema>;
export type DebuggerRefusal = z.output<typeof DebuggerRefusalSchema>;
export type DebuggerView = z.output<typeof DebuggerResponse>;
export type InAppMessage = z.output<typeof InAppMessageSchema>;
