// Message templates: Liquid content, versions, previews and test sends.
import { z } from 'zod';
import { IsoDateTime } from './common.js';

// ── requests ────────────────────────────────────────────────────────────────────────────────

const liquid = (what: string) =>
  z.string().min(1, `must not be empty; write the ${what} (Liquid allowed)`).max(500_000);
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty; name the template, e.g. "Welcome email"')
  .max(200);

const emailTemplate = z.object({
  name,
  channel: z.literal('email'),
  subject: liquid('subject line'),
  html: liquid('HTML body'),
  text: z.string().max(500_000).optional(),
});
const inAppTemplate = z.object({
  name,
  channel: z.literal('inApp'),
  title: liquid('title').max(2000),
  body: liquid('message body'),
});
export const TemplateBody = z.discriminatedUnion('channel', [emailTemplate, inAppTemplate], {
  error: "must be 'email' or 'inApp'",
});
export const TemplateUpdateBody = z.intersection(
  TemplateBody,
  z.object({ baseVersion: z.number().int().min(1).optional() }),
);

const sampleContact = z.object({
  id: z.string().min(1).default('sample-contact'),
  traits: z.record(z.string(), z.unknown()).default({}),
  profile: z.record(z.string(), z.unknown()).default({}),
});
const previewFields = {
  template: TemplateBody.optional(),
  templateId: z.string().min(1).optional(),
  version: z.number().int().min(1).optional(),
  contactId: z.string().min(1).optional(),
  sampleContact: sampleContact.optional(),
};
type PreviewFields = {
  template?: z.infer<typeof TemplateBody> | undefined;
  templateId?: string | undefined;
  version?: number | undefined;
  contactId?: string | undefined;
  sampleContact?: z.infer<typeof sampleContact> | undefined;
};
const oneSourceOneContact = <T extends z.ZodType<PreviewFields>>(schema: T) =>
  schema
    .refine((v) => (v.template === undefined) !== (v.templateId === undefined), {
      message: 'send either template (the content) or templateId (a saved template), not both',
      path: ['template'],
    })
    .refine((v) => v.contactId === undefined || v.sampleContact === undefined, {
      message: 'send either contactId or sampleContact, not both',
      path: ['contactId'],
    });
export const TemplatePreviewBody = oneSourceOneContact(z.object(previewFields)).meta({
  examples: [{ templateId: 'tpl_1a2b3c4d5e6f7a8b', version: 2, contactId: 'user-1' }],
});
export const TemplateTestSendBody = oneSourceOneContact(
  z.object({
    ...previewFields,
    to: z
      .email({ error: 'must be an email address to send the test to, e.g. "me@acme.test"' })
      .max(320),
  }),
).meta({
  examples: [
    {
      template: {
        name: 'Win-back',
        channel: 'email',
        subject: 'We miss you, {{ contact.traits.firstName }}',
        html: '<p>Hello {{ contact.traits.firstName }}</p>',
      },
      sampleContact: { traits: { firstName: 'Ana' } },
      to: 'me@acme.test',
    },
  ],
});
export const TemplateListQuery = z.object({
  channel: z.enum(['email', 'inApp'], { error: "must be 'email' or 'inApp'" }).optional(),
});

// ── responses ───────────────────────────────────────────────────────────────────────────────

/** Liquid content of a template: email uses subject/html/text, in-app title/body. */
export const TemplateContentSchema = z.strictObject({
  name: z.string(),
  channel: z.enum(['email', 'inApp']),
  subject: z.string().optional(),
  html: z.string().optional(),
  text: z.string().optional(),
  title: z.string().optional(),
  body: z.string().optional(),
});
export const MessageTemplateSchema = TemplateContentSchema.extend({
  id: z.string(),
  version: z.number().int(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export const TemplateListResponse = z.strictObject({ templates: z.array(MessageTemplateSchema) });
export const TemplateVersionResponse = TemplateContentSchema.extend({
  id: z.string(),
  version: z.number().int(),
  savedAt: IsoDateTime,
});
export const TemplateVersionsResponse = z.strictObject({
  id: z.string(),
  versions: z.array(z.strictObject({ version: z.number().int(), savedAt: IsoDateTime })),
});

const rendered = z
  .strictObject({
    subject: z.string().optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    title: z.string().optional(),
    body: z.string().optional(),
  })
  .describe('Each field of the content, rendered.');
export const TemplatePreviewResponse = z.strictObject({
  channel: z.enum(['email', 'inApp']),
  templateId: z.string().optional().describe('Set when a saved template was rendered.'),
  version: z.number().int().optional(),
  contactId: z.string(),
  rendered,
});
export const TemplateTestSendResponse = z.strictObject({
  sent: z.literal(true),
  to: z.string(),
  templateId: z.string().optional(),
  version: z.number().int().optional(),
  contactId: z.string(),
  rendered,
});

export type MessageTemplateContent = z.output<typeof TemplateContentSchema>;
export type MessageTemplate = z.output<typeof MessageTemplateSchema>;
export type MessageTemplateVersion = z.output<typeof TemplateVersionResponse>;
export type RenderedTemplate = z.output<typeof TemplatePreviewResponse>;
