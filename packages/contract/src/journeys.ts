// Journeys: drafts, versions, publishing, enrolment, stats, the funnel and simulation. Over 400 lines
// because the simulation answer (the interpreter's run state) is described field by field, with the rest.
import { z } from 'zod';
import { JourneyDefinitionSchema, JourneyPropertyFilterSchema } from '@cairn/core';
import { IsoDateTime, JsonObject } from './common.js';

/** The `format` of an exported journey file. */
export const JOURNEY_EXPORT_FORMAT = 'cairn.journey/v1';

// ── requests ────────────────────────────────────────────────────────────────────────────────

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

// `definition` is taken loosely and parsed afterwards with the domain schema, so errors name its paths.
export const JourneyCreateBody = z.object({ name, definition: z.unknown() });
export const JourneyUpdateBody = z.object({ name: name.optional(), definition: z.unknown() });
export const JourneyValidateBody = z.object({ definition: z.unknown() });
export const JourneyPublishBody = z.object({
  enrollExisting: z
    .boolean({ error: 'must be true or false' })
    .optional()
    .describe(
      'Segment-entry journeys only: also enrol the contacts already in the segment (default false: only contacts who enter from now on)',
    ),
});
export const JourneyEnrollBody = z.object({
  contactId: z.string().min(1, 'must name the contact to enrol, e.g. "user-42"'),
});
export const JourneyFromTemplateBody = z.object({
  templateId: z
    .string()
    .min(
      1,
      'must name a template; GET /api/v1/journeys/templates lists them, e.g. "ecommerce-purchase-frequency"',
    ),
  name: name.optional(),
  // Numbers are accepted as written (a heavy-buyer threshold of 7); the template reads them as text.
  parameters: z
    .record(z.string(), z.union([z.string(), z.number()], { error: 'must be text or a number' }))
    .optional(),
});
export const JourneyImportBody = z.union([
  z.object({ format: z.literal(JOURNEY_EXPORT_FORMAT), name, definition: z.unknown() }),
  z.object({ name: name.optional(), definition: z.unknown() }),
]);

/** What a client must send: the bodies above with the domain schema in place of the loose field. */
export const JourneyCreateDoc = JourneyCreateBody.extend({ definition: JourneyDefinitionSchema });
export const JourneyUpdateDoc = JourneyUpdateBody.extend({ definition: JourneyDefinitionSchema });
export const JourneyValidateDoc = JourneyValidateBody.extend({
  definition: JourneyDefinitionSchema,
});

const utcDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, {
    message: 'must be a UTC date as YYYY-MM-DD, e.g. 2026-12-01',
    abort: true,
  })
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(d).toISOString().startsWith(d),
    'is not a calendar date: use YYYY-MM-DD, e.g. 2026-02-28',
  );
export const JourneyFunnelQuery = z.object({
  from: utcDate.optional().describe('First UTC day counted (default: 29 days before `to`).'),
  to: utcDate.optional().describe('Last UTC day counted, inclusive (default: today).'),
});
export const JOURNEY_RUN_STATUSES = [
  'active',
  'completed',
  'exited',
  'converted',
  'stopped',
  'failed',
] as const;
export const JourneyRunsExportQuery = z.object({
  status: z
    .enum(JOURNEY_RUN_STATUSES, {
      error:
        'must be one of active, completed, exited, converted, stopped, failed (leave it out for every run)',
    })
    .optional()
    .describe('Only runs in this state, e.g. converted.'),
});

const Instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });
/** When a scripted step happens: an instant, or days after the start (fractions allowed). */
const When = z.union([
  z.object({ at: Instant }).strict(),
  z.object({ afterDays: z.number().min(0).max(400) }).strict(),
]);
export const JourneySimulateBody = z
  .object({
    version: z
      .union([z.literal('draft'), z.number().int().min(1)])
      .optional()
      .describe(
        'Which graph to run: a published version number, or "draft". Default: the published one, else the draft.',
      ),
    contactId: z
      .string()
      .min(1)
      .optional()
      .describe('A stored contact: the run starts from their profile and segment memberships.'),
    contact: z
      .object({
        traits: z.record(z.string(), z.unknown()).default({}),
        segments: z
          .array(z.string())
          .default([])
          .describe('Segment ids the contact is in at the start.'),
        timezone: z
          .string()
          .optional()
          .describe('IANA zone, e.g. "Europe/Paris", for quiet hours and time-of-day waits.'),
      })
      .strict()
      .optional()
      .describe('A made-up contact, when no stored one is named.'),
    startAt: Instant.optional().describe('The virtual clock at entry. Default: now.'),
    days: z
      .number()
      .min(0)
      .max(400)
      .default(30)
      .describe('How far the clock runs after the start.'),
    events: z
      .array(
        z.intersection(
          When,
          z.object({
            event: z.string().min(1),
            properties: z.record(z.string(), z.unknown()).default({}),
          }),
        ),
      )
      .max(1_000)
      .default([])
      .describe(
        'What the contact does during the run; each event also updates the profile conditions read.',
      ),
    segmentChanges: z
      .array(z.intersection(When, z.object({ segmentId: z.string().min(1), member: z.boolean() })))
      .max(1_000)
      .default([]),
    actionOutputs: z
      .record(z.string(), z.union([z.string(), z.array(z.string()).min(1)]))
      .optional()
      .describe(
        'Output each action node takes, by node id (e.g. a webhook that fails): one, or one per visit.',
      ),
  })
  .strict()
  .refine((b) => !(b.contactId && b.contact), {
    message: 'name a stored contact (contactId) or describe one (contact), not both',
    path: ['contact'],
  })
  .meta({
    examples: [
      {
        version: 'draft',
        contact: { traits: { firstName: 'Ana', plan: 'pro' }, timezone: 'Europe/Paris' },
        startAt: '2026-01-15T09:00:00.000Z',
        days: 30,
        events: [{ afterDays: 2, event: 'Order Completed', properties: { revenue: 40 } }],
      },
    ],
  });

// ── responses ───────────────────────────────────────────────────────────────────────────────

export const JourneyStatusSchema = z.enum(['draft', 'published', 'paused', 'archived']);

export const JourneySummarySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: JourneyStatusSchema,
  publishedVersion: z.number().int().optional(),
  entry: z
    .strictObject({
      state: z.enum(['scheduled', 'open', 'ended']),
      startsAt: z.string().optional(),
      endsAt: z.string().optional(),
    })
    .optional()
    .describe("The published version's entry dates, when it has any, and where today stands."),
  updatedAt: IsoDateTime,
  stats: z.strictObject({
    entered: z.number().int(),
    active: z.number().int(),
    converted: z.number().int(),
  }),
});
export const JourneyListResponse = z.array(JourneySummarySchema);

export const JourneyDetailResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: JourneyStatusSchema,
  draft: JourneyDefinitionSchema,
  publishedVersion: z.number().int().optional(),
  versions: z.array(z.strictObject({ version: z.number().int(), publishedAt: IsoDateTime })),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});

export const JourneyTemplatesResponse = z.array(
  z.strictObject({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    vertical: z.enum(['streaming', 'ecommerce', 'saas']),
    parameters: z.array(
      z.strictObject({
        key: z.string().describe('Written as `{{key}}` inside the definition.'),
        label: z.string(),
        kind: z.enum(['segment', 'template', 'event', 'text']),
        default: z.string().optional(),
      }),
    ),
    definition: JourneyDefinitionSchema,
  }),
);

export const JourneyProblemSchema = z.strictObject({
  path: z.string(),
  nodeId: z.string().optional(),
  message: z.string(),
});
export const JourneyValidateResponse = z.strictObject({
  errors: z.array(JourneyProblemSchema).describe('Empty when the journey can be published.'),
});

export const JourneyPublishPreviewResponse = z.strictObject({
  enrollExisting: z.discriminatedUnion('applies', [
    z.strictObject({ applies: z.literal(false) }),
    z.strictObject({
      applies: z.literal(true),
      default: z.boolean(),
      segmentId: z.string(),
      segmentName: z.string(),
      members: z.number().int(),
    }),
  ]),
});
export const JourneyPublishResponse = z.strictObject({
  version: z.number().int(),
  existingMembers: z
    .strictObject({ segmentId: z.string(), queued: z.number().int() })
    .optional()
    .describe('With enrollExisting: the segment members queued for enrolment.'),
});
export const JourneyTransitionResponse = z.strictObject({
  id: z.string(),
  status: JourneyStatusSchema,
  signalled: z.number().int().describe('Running contacts told of the change.'),
  signalError: z.string().optional(),
});
export const JourneyVersionResponse = z.strictObject({
  version: z.number().int(),
  publishedAt: IsoDateTime,
  definition: JourneyDefinitionSchema,
});

export const NodeStatsSchema = z.strictObject({
  entered: z.number().int(),
  waiting: z.number().int(),
  outputs: z.record(z.string(), z.number().int()),
  converted: z.number().int(),
  sent: z.number().int().optional(),
  capped: z.number().int().optional().describe('Sends the frequency cap skipped.'),
  throttled: z
    .number()
    .int()
    .optional()
    .describe("Sends that waited for a later window of the channel's send limit."),
  opened: z.number().int().optional(),
  clicked: z.number().int().optional(),
});
const holdoutGroup = z.strictObject({
  contacts: z.number().int(),
  converted: z.number().int(),
  rate: z.number().nullable(),
});
export const HoldoutComparisonSchema = z.strictObject({
  journey: holdoutGroup,
  holdout: holdoutGroup,
  lift: z.number().nullable().describe('(journey rate − holdout rate) / holdout rate.'),
});
export const JourneyStatsResponse = z.strictObject({
  nodes: z.record(z.string(), NodeStatsSchema),
  series: z.array(
    z.strictObject({
      day: z.string(),
      enrolled: z.number().int(),
      converted: z.number().int(),
    }),
  ),
  holdout: HoldoutComparisonSchema,
});

export const JourneyFunnelResponse = z.strictObject({
  journeyId: z.string(),
  version: z.number().int().optional(),
  from: z.string(),
  to: z.string(),
  timeZone: z.literal('UTC'),
  entered: z.number().int(),
  heldOut: z.number().int(),
  converted: z.number().int(),
  steps: z
    .array(
      z.strictObject({
        nodeId: z.string(),
        kind: z.string().optional(),
        label: z.string().optional(),
        reached: z.number().int(),
        removed: z.literal(true).optional(),
      }),
    )
    .describe('In graph order; steps of earlier versions come last with `removed`.'),
  exits: z.array(z.strictObject({ reason: z.string(), runs: z.number().int() })),
  days: z.array(
    z.strictObject({
      day: z.string(),
      entered: z.number().int(),
      converted: z.number().int(),
      exited: z.number().int(),
    }),
  ),
});

export const JourneyEnrollResponse = z.strictObject({
  workflowId: z.string(),
  version: z.number().int(),
});
export const JourneyExportResponse = z.strictObject({
  format: z.literal(JOURNEY_EXPORT_FORMAT),
  name: z.string(),
  definition: JourneyDefinitionSchema,
  exportedAt: IsoDateTime,
});

/** What a waiting contact waits for; each wait has the instant at which it wakes. */
export const WaitingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('timer'), until: IsoDateTime }),
  z.strictObject({
    type: z.literal('event'),
    event: z.string(),
    filters: z.array(JourneyPropertyFilterSchema).optional(),
    deadline: IsoDateTime,
  }),
  z.strictObject({ type: z.literal('condition'), deadline: IsoDateTime }),
  z.strictObject({ type: z.literal('profileDate'), deadline: IsoDateTime, recheckAt: IsoDateTime }),
  z.strictObject({ type: z.literal('quietHours'), until: IsoDateTime }),
  z.strictObject({ type: z.literal('frequencyCap'), until: IsoDateTime }),
  z.strictObject({ type: z.literal('holdout'), until: IsoDateTime }),
]);
const simulatedAction = z.strictObject({
  at: IsoDateTime,
  nodeId: z.string(),
  action: z.strictObject({ type: z.string(), version: z.number().int() }),
  config: JsonObject,
  stepKey: z.string(),
  isMessage: z.boolean(),
});
export const JourneySimulateResponse = z.strictObject({
  journeyId: z.string(),
  version: z.union([z.number().int(), z.literal('draft')]),
  contactId: z.string(),
  startAt: IsoDateTime,
  until: IsoDateTime,
  path: z.array(z.string()).describe('The node ids walked, in order: the trigger first.'),
  timeline: z.array(
    z.strictObject({
      at: IsoDateTime,
      nodeId: z.string(),
      kind: z.string().describe('The node kind, or "event" for a scripted event.'),
      what: z.string(),
      output: z.string().optional(),
    }),
  ),
  messages: z.array(simulatedAction).describe('Message actions that would be sent, in order.'),
  actions: z.array(simulatedAction).describe('Every action run, messages included.'),
  state: z
    .strictObject({
      nodeId: z.string(),
      status: z.enum(['running', 'waiting', 'completed', 'exited', 'converted']),
      enteredAt: IsoDateTime,
      nodeEnteredAt: IsoDateTime,
      waiting: WaitingSchema.optional().describe('What the contact waits for, and until when.'),
      pendingAction: z.strictObject({ nodeId: z.string(), stepKey: z.string() }).optional(),
      completion: z
        .strictObject({
          reason: z.enum(['exit', 'goal', 'exitEvent', 'segmentExit', 'holdout']),
          at: IsoDateTime,
        })
        .optional(),
      steps: z.array(
        z.strictObject({ nodeId: z.string(), at: IsoDateTime, output: z.string().optional() }),
      ),
      counters: z.strictObject({
        visits: z.record(z.string(), z.number().int()),
        conversions: z.number().int(),
        goalsReached: z.array(z.string()),
        messagesSentAt: z.array(IsoDateTime),
      }),
    })
    .describe('Where the run stands when the clock stops.'),
});

export type JourneyStatus = z.output<typeof JourneyStatusSchema>;
export type JourneySummary = z.output<typeof JourneySummarySchema>;
export type JourneyDetail = z.output<typeof JourneyDetailResponse>;
export type NodeStats = z.output<typeof NodeStatsSchema>;
export type HoldoutComparison = z.output<typeof HoldoutComparisonSchema>;
export type JourneyStats = z.output<typeof JourneyStatsResponse>;
export type JourneyFunnel = z.output<typeof JourneyFunnelResponse>;
export type JourneyProblem = z.output<typeof JourneyProblemSchema>;
export type JourneySimulation = z.output<typeof JourneySimulateResponse>;
