// Sign-in, users, API keys, the audit log, the workspace and the instance admin's workspaces.
import { z } from 'zod';
import { AffinityDefinitionSchema, isValidTimeZone, ROLES } from '@cairn/core';
import { IsoDateTime, limitQuery } from './common.js';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .email('must be an email address, e.g. "ana@example.com"')
  .max(254);
const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(200, 'must be at most 200 characters');
export const RoleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

// ── requests ────────────────────────────────────────────────────────────────────────────────

export const SignInBody = z.object({
  workspaceId: z.string().min(1).optional(),
  email: z.string().min(1, 'is required'),
  password: z.string().min(1, 'is required'),
});
export const CreateUserBody = z.object({
  email,
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  role: RoleSchema,
  password: password.optional(),
});
export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
    password: password.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, {
    message: 'send at least one of name, role, disabled, password',
  });
export const KeyScopeSchema = z.enum(['write', 'admin'], {
  error: "must be 'write' (send events only) or 'admin' (management API)",
});
export const CreateKeyBody = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty; say what uses the key, e.g. "Checkout server"')
    .max(200),
  scope: KeyScopeSchema,
});
export const AuditQuery = z.object({
  resourceType: z.string().max(50).optional(),
  resourceId: z.string().max(300).optional(),
  actor: z.string().max(300).optional(),
  before: z.string().max(400).optional(),
  limit: limitQuery(500),
});

// CR and LF would let a display name inject mail headers.
const oneLine = (what: string) =>
  z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .refine((v) => !/[\r\n]/.test(v), `${what} must be one line`);
const timezone = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone, e.g. "Europe/Paris" or "UTC"');

export const SenderBody = z.strictObject({
  name: oneLine('the sender name').optional(),
  address: z
    .string()
    .trim()
    .email('must be an email address, e.g. "hello@acme.test"')
    .max(254, 'must be at most 254 characters'),
  credential: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must name a stored credential, e.g. "smtp-main"')
    .optional(),
});
export const WorkspaceSettingsBody = z.strictObject({
  name: oneLine('the workspace name').pipe(z.string().min(1, 'must not be empty')).optional(),
  timezone: timezone.optional(),
  sender: SenderBody.nullable().optional(),
});
export const CreateWorkspaceBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty, e.g. "Acme"').max(200),
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and -, e.g. "acme"')
    .optional(),
  timezone: timezone.optional(),
  admin: z
    .strictObject({
      email: z.string().trim().toLowerCase().email('must be an email address').max(254),
      name: z.string().trim().min(1).max(200).optional(),
      password: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
    })
    .optional(),
});

// ── responses ───────────────────────────────────────────────────────────────────────────────

/** A user as the API shows one: never the password hash. */
export const UserSchema = z.strictObject({
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export const UserListResponse = z.strictObject({ users: z.array(UserSchema) });
export const UserCreatedResponse = z.strictObject({
  user: UserSchema,
  password: z.string().optional().describe('A generated password, answered once; never echoed.'),
});
export const UserUpdatedResponse = z.strictObject({ user: UserSchema });

export const SessionResponse = z.strictObject({
  token: z.string().describe('Send it as Authorization: Bearer <token>.'),
  user: UserSchema.extend({ workspaceId: z.string() }),
  expiresAt: IsoDateTime,
});

/** A key as the API shows one: never its secret. */
export const ApiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  scope: z.enum(['write', 'admin']),
  createdAt: IsoDateTime,
  revokedAt: IsoDateTime.nullable(),
  lastUsedAt: IsoDateTime.nullable(),
});
export const ApiKeyListResponse = z.strictObject({ keys: z.array(ApiKeySchema) });
export const ApiKeyCreatedResponse = ApiKeySchema.extend({
  key: z.string().describe('The full key, answered once: only its hash is stored.'),
});

const userActor = z.strictObject({
  type: z.literal('user'),
  id: z.string(),
  email: z.string(),
  name: z.string().optional(),
});
const keyActor = z.strictObject({
  type: z.literal('key'),
  id: z.string(),
  name: z.string().optional(),
});
/** Who did something: a signed-in user, or an API key. */
export const AuditActorSchema = z.discriminatedUnion('type', [userActor, keyActor]);
/** Who is asking, with the role the workspace gives them (an admin key acts as admin). */
export const PrincipalSchema = z.discriminatedUnion('type', [
  userActor.extend({ role: RoleSchema }),
  keyActor.extend({ role: RoleSchema }),
]);
export const AuditEntrySchema = z.strictObject({
  id: z.string(),
  at: IsoDateTime,
  actor: AuditActorSchema,
  action: z.string().describe('e.g. "journey.published".'),
  resource: z.strictObject({ type: z.string(), id: z.string(), name: z.string().optional() }),
  changes: z.array(z.strictObject({ path: z.string(), before: z.unknown(), after: z.unknown() })),
});
export const AuditPageResponse = z.strictObject({
  entries: z.array(AuditEntrySchema),
  next: z.string().optional().describe('Pass as `before` for the next (older) page.'),
});

export const WorkspaceSenderSchema = z.strictObject({
  name: z.string().optional(),
  address: z.string(),
  credential: z.string().optional(),
});
export const WorkspaceSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  settings: z.strictObject({
    orderEvent: z.string().optional(),
    timezone: z.string().optional(),
    affinities: z.array(AffinityDefinitionSchema).optional(),
    sender: WorkspaceSenderSchema.nullable(),
  }),
});
export const MeResponse = z.strictObject({
  workspace: WorkspaceSchema,
  principal: PrincipalSchema,
});
export const WorkspaceResponse = z.strictObject({ workspace: WorkspaceSchema });
export const WorkspaceListResponse = z.strictObject({ workspaces: z.array(WorkspaceSchema) });
export const WorkspaceCreatedResponse = z.strictObject({
  workspace: WorkspaceSchema,
  writeKey: z.string(),
  adminKey: z.string(),
  admin: z
    .strictObject({
      user: UserSchema,
      password: z.string().optional().describe('A generated password, answered once.'),
    })
    .optional(),
});

export type Role = z.output<typeof RoleSchema>;
export type User = z.output<typeof UserSchema>;
export type ApiKey = z.output<typeof ApiKeySchema>;
export type AuditEntry = z.output<typeof AuditEntrySchema>;
export type Workspace = z.output<typeof WorkspaceSchema>;
export type WorkspaceSender = z.output<typeof WorkspaceSenderSchema>;
export type Me = z.output<typeof MeResponse>;
export type Principal = z.output<typeof PrincipalSchema>;
