// Contacts, their consent and deliveries, and the event catalog that segment pickers read.
import { z } from 'zod';
import { EpochMs, IsoDateTime, JsonObject, limitQuery } from './common.js';

// ── requests ────────────────────────────────────────────────────────────────────────────────

export const ContactListQuery = z.object({
  q: z
    .string()
    .max(200)
    .optional()
    .describe(
      'The start of the contact id, email, name, first or last name, or of a later word of the name; case and accents ignored',
    ),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1, 'must be ≥ 1').max(200, 'must be ≤ 200').default(50),
});

const subscriptionState = z.enum(['subscribed', 'unsubscribed'], {
  error: "must be 'subscribed' or 'unsubscribed'",
});
export const SubscriptionsBody = z
  .strictObject(
    {
      email: subscriptionState.optional(),
      sms: subscriptionState.optional(),
      push: subscriptionState.optional(),
      inApp: subscriptionState.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? 'unknown channel; use email, sms, push or inApp'
          : 'must be an object such as { "email": "unsubscribed" }',
    },
  )
  .refine((v) => Object.keys(v).length > 0, {
    message: 'name at least one channel, e.g. { "email": "unsubscribed" }',
  });

export const DeliveriesQuery = z.object({
  limit: limitQuery(500),
  before: z.coerce.number({ error: 'must be epoch milliseconds' }).int().optional(),
});

// ── responses ───────────────────────────────────────────────────────────────────────────────

/** A contact in a list: who they are and when they were last seen (epoch ms). */
export const ContactSummarySchema = z.strictObject({
  id: z.string(),
  traits: JsonObject,
  anonymous: z.boolean().optional(),
  lastSeenAt: EpochMs.nullable(),
});
export const ContactPageResponse = z.strictObject({
  items: z.array(ContactSummarySchema),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` for the next page; null on the last.'),
});

/** One contact's latest run of one journey: where it stands and the steps it took. */
export const JourneyRunSchema = z.strictObject({
  journeyId: z.string(),
  name: z.string().optional().describe("The journey's name (absent once the journey is deleted)."),
  key: z.string().optional().describe('The event key, for journeys keyed on an event property.'),
  version: z.number().int(),
  workflowId: z.string(),
  runStartedId: z.string().optional(),
  status: z.enum(['active', 'completed', 'exited', 'converted', 'stopped', 'failed']),
  enteredAt: IsoDateTime,
  exitedAt: IsoDateTime.optional(),
  reason: z.string().optional().describe('Why the run ended, e.g. "goal" or "exitCondition".'),
  nodeId: z.string().optional().describe('The step the contact is at (or ended at).'),
  wakeUpAt: IsoDateTime.optional().describe(
    'While the contact waits at a delay or a wait with a deadline: when it moves on by itself, unless an event or a goal comes first.',
  ),
  steps: z.array(
    z.strictObject({ nodeId: z.string(), at: IsoDateTime, output: z.string().optional() }),
  ),
  seq: z.number().int(),
  enrolledBy: z.string(),
});

const subscriptionMap = z.record(z.string(), z.enum(['subscribed', 'unsubscribed']));

export const ContactDetailResponse = ContactSummarySchema.extend({
  tags: z.array(z.string()).optional(),
  subscriptions: subscriptionMap.optional(),
  profile: JsonObject.describe(
    'The behavioural profile: counts, first/last seen, purchases, affinities, engagement (docs/profile.md).',
  ),
  segments: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      since: EpochMs,
      version: z.number().int(),
    }),
  ),
  journeys: z.array(JourneyRunSchema),
  timeline: z.array(
    z.strictObject({
      at: EpochMs,
      type: z.string(),
      event: z.string(),
      properties: JsonObject,
      messageId: z.string(),
    }),
  ),
});
export const ContactDeletedResponse = z.strictObject({
  deleted: z.literal(true),
  events: z.number().int(),
  journeysStopped: z.number().int(),
});

export const SubscriptionsResponse = z.strictObject({
  contactId: z.string(),
  subscriptions: z.strictObject({
    email: subscriptionState,
    sms: subscriptionState,
    push: subscriptionState,
    inApp: subscriptionState,
  }),
});
export const DeliveriesResponse = z.strictObject({
  contactId: z.string(),
  deliveries: z.array(
    z.strictObject({
      idempotencyKey: z.string(),
      journeyId: z.string(),
      nodeId: z.string(),
      channel: z.string(),
      status: z.string().describe('e.g. "sent", "skipped", "failed".'),
      reason: z.string().optional(),
      at: IsoDateTime,
    }),
  ),
});

export const EventCatalogResponse = z.array(
  z.strictObject({
    event: z.string(),
    count: z.number().int(),
    lastSeenAt: EpochMs,
    properties: z.array(z.strictObject({ name: z.string(), type: z.string() })),
  }),
);
export const MetricCatalogResponse = z.array(z.strictObject({ name: z.string() }));

export type ContactSummary = z.output<typeof ContactSummarySchema>;
export type ContactDetail = z.output<typeof ContactDetailResponse>;
export type JourneyRun = z.output<typeof JourneyRunSchema>;
export type EventCatalogEntry = z.output<typeof EventCatalogResponse>[number];
export type MetricCatalogEntry = z.output<typeof MetricCatalogResponse>[number];
