// Segments: definitions, members, history and explanations.
import { z } from 'zod';
import { SegmentDefinitionSchema } from '@cairn/core';
import { EpochMs, IsoDateTime, JsonObject, limitQuery } from './common.js';

// ── requests ────────────────────────────────────────────────────────────────────────────────

// The routes take `definition` loosely and validate it with the domain schema afterwards, so the
// error names each field; the document shows the domain schema (see SegmentCreateDoc below).
const definitionField = z.custom<unknown>((v) => v !== undefined, {
  message: 'is required: a condition group such as { "type": "all", "conditions": [ ... ] }',
});
const segmentName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
const description = z.string().max(2000, 'must be at most 2000 characters');

export const SegmentCreateBody = z.object({
  id: z.string().optional(),
  name: segmentName,
  description: description.optional(),
  definition: definitionField,
});
export const SegmentUpdateBody = z.object({
  name: segmentName.optional(),
  description: description.optional(),
  definition: z.unknown().optional(),
});
export const SegmentPreviewBody = z.object({
  definition: definitionField,
  sampleSize: z.number().int().min(0).max(100).optional(),
});
export const SegmentMembersQuery = z.object({
  cursor: z.string().optional(),
  limit: limitQuery(500),
});
export const SegmentMembersExportQuery = z.object({
  traits: z
    .string()
    .regex(/^[^,]+(,[^,]+)*$/, 'must be trait names separated by commas, e.g. email,plan')
    .optional()
    .describe('Trait columns, in order (default: email,firstName,lastName,name,phone).'),
});
export const SegmentHistoryQuery = z.object({ days: limitQuery(400) });

/** What a client must send: the bodies above with the domain schema in place of the loose field. */
export const SegmentCreateDoc = SegmentCreateBody.extend({ definition: SegmentDefinitionSchema });
export const SegmentUpdateDoc = SegmentUpdateBody.extend({
  definition: SegmentDefinitionSchema.optional(),
});
export const SegmentPreviewDoc = SegmentPreviewBody.extend({ definition: SegmentDefinitionSchema });

// ── responses ───────────────────────────────────────────────────────────────────────────────

export const SegmentBackfillSchema = z
  .strictObject({
    state: z.enum(['pending', 'running', 'done', 'failed']),
    version: z.number().int(),
    processed: z.number().int(),
    total: z.number().int(),
    resumeAfter: z.string().nullable().optional(),
    startedAt: EpochMs.nullable().optional(),
    finishedAt: EpochMs.nullable().optional(),
    error: z.string().nullable().optional(),
  })
  .describe('Progress of the re-evaluation of every contact after a create or an edit.');

export const SegmentSummarySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  memberCount: z.number().int(),
  version: z.number().int(),
  backfill: SegmentBackfillSchema.optional(),
});
export const SegmentListResponse = z.array(SegmentSummarySchema);
export const SegmentDetailResponse = SegmentSummarySchema.extend({
  definition: SegmentDefinitionSchema,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export const SegmentTemplatesResponse = z.array(
  z.strictObject({
    id: z.string(),
    family: z.enum([
      'purchaseBehaviour',
      'occasionAndTiming',
      'benefitsSought',
      'loyalty',
      'engagement',
    ]),
    name: z.string(),
    description: z.string(),
    definition: SegmentDefinitionSchema,
  }),
);
export const SegmentPreviewResponse = z.strictObject({
  count: z.number().int().describe('Contacts that match now.'),
  total: z.number().int().describe('Contacts in the workspace.'),
  sample: z.array(z.strictObject({ id: z.string(), traits: JsonObject })),
});
export const SegmentMembersResponse = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.string(),
      traits: JsonObject,
      since: EpochMs,
      version: z.number().int(),
      lastSeenAt: EpochMs.optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});
export const SegmentHistoryResponse = z.array(
  z.strictObject({ day: z.string().describe('UTC day, YYYY-MM-DD.'), members: z.number().int() }),
);

export interface ConditionExplanationShape {
  path: string;
  sentence: string;
  matches: boolean;
  nextChangeAt: number | null;
  children?: ConditionExplanationShape[] | undefined;
}
/** One sentence per condition, nested like the definition's groups. */
export const ConditionExplanationSchema: z.ZodType<ConditionExplanationShape> = z.lazy(() =>
  z.strictObject({
    path: z.string().describe('JSON path of the condition in the definition, "" for the root.'),
    sentence: z.string(),
    matches: z.boolean(),
    nextChangeAt: EpochMs.nullable().describe('When the answer can next change, if ever.'),
    children: z.array(ConditionExplanationSchema).optional(),
  }),
);
export const SegmentExplanationResponse = z.strictObject({
  segmentId: z.string(),
  contactId: z.string(),
  member: z.boolean().describe('Stored membership (what journeys saw).'),
  matchesNow: z.boolean().describe('What an evaluation right now answers.'),
  explanation: ConditionExplanationSchema,
});
export const ContactSegmentHistoryResponse = z.array(
  z.strictObject({
    segmentId: z.string(),
    kind: z.enum(['entered', 'exited']),
    version: z.number().int(),
    at: EpochMs,
    reason: z.string().describe("What prompted the evaluation: 'event', 'sweep', 'backfill', ..."),
  }),
);

export type SegmentSummary = z.output<typeof SegmentSummarySchema>;
export type SegmentDetail = z.output<typeof SegmentDetailResponse>;
export type SegmentPreview = z.output<typeof SegmentPreviewResponse>;
export type SegmentMember = z.output<typeof SegmentMembersResponse>['items'][number];
export type SegmentExplanation = z.output<typeof SegmentExplanationResponse>;
