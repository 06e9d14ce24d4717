import { z } from 'zod';

// Payloads of the Segment HTTP Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/).
// Objects are loose: Segment clients send extra top-level fields and we keep them.

const id = z.union([z.string().min(1), z.number().transform(String)]);
const instant = z.union([
  z
    .string()
    .refine(
      (s) => !Number.isNaN(Date.parse(s)),
      'must be an ISO-8601 date, e.g. 2024-05-01T12:00:00.000Z',
    ),
  z.number().finite(),
]);
const record = z.record(z.string(), z.unknown());

const common = {
  messageId: z.string().min(1).optional(),
  userId: id.optional(),
  anonymousId: id.optional(),
  context: record.optional(),
  integrations: record.optional(),
  timestamp: instant.optional(),
  originalTimestamp: instant.optional(),
  sentAt: instant.optional(),
  receivedAt: instant.optional(),
};

function needsIdentity(v: {
  userId?: string | undefined;
  anonymousId?: string | undefined;
}): boolean {
  return v.userId !== undefined || v.anonymousId !== undefined;
}
const identityIssue = { message: 'must have userId or anonymousId', path: ['userId'] };

export const IdentifyPayloadSchema = z
  .looseObject({ ...common, type: z.literal('identify'), traits: record.optional() })
  .refine(needsIdentity, identityIssue);
export const TrackPayloadSchema = z
  .looseObject({
    ...common,
    type: z.literal('track'),
    event: z
      .string({ error: 'must name the event, e.g. "Order Completed"' })
      .min(1, 'must name the event'),
    properties: record.optional(),
  })
  .refine(needsIdentity, identityIssue);
export const PagePayloadSchema = z
  .looseObject({
    ...common,
    type: z.literal('page'),
    name: z.string().optional(),
    category: z.string().optional(),
    properties: record.optional(),
  })
  .refine(needsIdentity, identityIssue);
export const ScreenPayloadSchema = z
  .looseObject({
    ...common,
    type: z.literal('screen'),
    name: z.string().optional(),
    category: z.string().optional(),
    properties: record.optional(),
  })
  .refine(needsIdentity, identityIssue);
export const GroupPayloadSchema = z
  .looseObject({ ...common, type: z.literal('group'), groupId: id, traits: record.optional() })
  .refine(needsIdentity, identityIssue);
export const AliasPayloadSchema = z.looseObject({
  ...common,
  type: z.literal('alias'),
  previousId: id,
  userId: id,
});

export const EventPayloadSchema = z.discriminatedUnion('type', [
  IdentifyPayloadSchema,
  TrackPayloadSchema,
  PagePayloadSchema,
  ScreenPayloadSchema,
  GroupPayloadSchema,
  AliasPayloadSchema,
]);
export type EventPayload = z.infer<typeof EventPayloadSchema>;
export type IdentifyPayload = z.infer<typeof IdentifyPayloadSchema>;
export type TrackPayload = z.infer<typeof TrackPayloadSchema>;

/** `POST /v1/batch`: items are validated one by one (see validateBatch) so one bad item does not sink the rest. */
export const BatchPayloadSchema = z.looseObject({
  batch: z.array(z.unknown(), { error: 'must be a list of events' }),
  context: record.optional(),
  integrations: record.optional(),
  sentAt: instant.optional(),
});
export type BatchPayload = z.infer<typeof BatchPayloadSchema>;

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The event as Cairn stores and folds it. Timestamps are epoch milliseconds (UTC). */
export interface CairnEvent {
  messageId: string;
  type: EventType;
  userId?: string;
  anonymousId?: string;
  /** The track name; 'Page Viewed', 'Screen Viewed', 'Identify', 'Group' or 'Alias' for the other calls. */
  event: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  /** When it happened, corrected for the device's clock skew. */
  timestamp: number;
  receivedAt: number;
  /** Set by an import: false = history (starts no event-triggered journey), true = asked to start them whatever its age. */
  startsJourneys?: boolean;
  groupId?: string;
  previousId?: string;
}
