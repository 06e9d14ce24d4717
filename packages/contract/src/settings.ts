// Workspace settings the workers read (affinities, send limits), credentials and the action catalog.
import { z } from 'zod';
import {
  AffinityDefinitionSchema,
  AffinityDefinitionsSchema,
  SendRateLimitSchema,
  SendRateLimitsSchema,
} from '@cairn/core';
import { IsoDateTime, JsonObject } from './common.js';

// ── requests ────────────────────────────────────────────────────────────────────────────────

export const AffinitiesBody = z.strictObject({ affinities: AffinityDefinitionsSchema });
export const SendLimitsBody = z.strictObject({ limits: SendRateLimitsSchema });

const credentialName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,99}$/,
    'must start with a letter and use only letters, digits, - and _ (at most 100), e.g. "smtp-main"',
  );
const credentialValues = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'value names use letters, digits and _'),
    z.string().max(16_384, 'must be at most 16 KB'),
  )
  .refine((v) => Object.keys(v).length > 0, 'must hold at least one value, e.g. { "token": "..." }')
  .refine((v) => Object.keys(v).length <= 50, 'must hold at most 50 values');
const credentialType = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'must be a short word such as "smtp", "bearerToken" or "webhookSigning"',
  );
export const CredentialNameParam = credentialName;
export const CredentialCreateBody = z.object({
  name: credentialName,
  type: credentialType,
  values: credentialValues,
});
export const CredentialReplaceBody = z.object({ type: credentialType, values: credentialValues });
export const CredentialTestSendBody = z.strictObject({
  to: z.string().trim().email('must be an email address, e.g. "you@acme.test"').max(254),
});

// ── responses ───────────────────────────────────────────────────────────────────────────────

export const AffinitySettingsResponse = z.strictObject({
  affinities: z.array(AffinityDefinitionSchema),
  appliesFrom: z.string().describe('A new definition counts the events folded after it.'),
  settledWithinSeconds: z.number().describe('Every process uses a change within this long.'),
});
export const SendLimitSettingsResponse = z.strictObject({
  limits: z.record(z.string(), SendRateLimitSchema),
  settledWithinSeconds: z.number().describe('Every worker uses a change within this long.'),
});

/** A credential as the API shows one: type and field names, never values. */
export const CredentialSummarySchema = z.strictObject({
  name: z.string(),
  type: z.string(),
  fields: z.array(z.string()),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export const CredentialListResponse = z.strictObject({
  credentials: z.array(CredentialSummarySchema),
});
export const CredentialTestSendResponse = z.strictObject({
  server: z.string().describe('host:port of the SMTP server.'),
  from: z.string(),
  to: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  response: z.string().describe("The server's reply, e.g. 250 OK."),
  messageId: z.string(),
});

/** What the designer shows of an action: JSON only, no handler code. */
export const ActionManifestSchema = z.strictObject({
  type: z.string(),
  version: z.number().int(),
  title: z.string(),
  description: z.string(),
  category: z.enum(['message', 'data', 'flow', 'integration']),
  icon: z.string(),
  outputs: z.array(z.strictObject({ name: z.string(), label: z.string().optional() })),
  credentials: z.array(z.strictObject({ name: z.string(), description: z.string() })),
  uiHints: JsonObject,
  configJsonSchema: JsonObject.describe('JSON Schema (draft-07) of the step settings.'),
});
export const ActionCatalogResponse = z.array(ActionManifestSchema);

export type AffinitySettings = z.output<typeof AffinitySettingsResponse>;
export type SendLimitSettings = z.output<typeof SendLimitSettingsResponse>;
export type CredentialSummary = z.output<typeof CredentialSummarySchema>;
export type CredentialTestSend = z.output<typeof CredentialTestSendResponse>;
export type ActionManifest = z.output<typeof ActionManifestSchema>;
