import { Schema, type Connection, type Model } from 'mongoose';
import { ROLES, type Role } from '@cairn/core';

// The roles are domain (the wire contract names them too); the model stores them.
export { ROLES, type Role };

export interface UserDoc {
  /** `${workspaceId}:${email}`: sign-in and every check is one `_id` lookup. */
  _id: string;
  workspaceId: string;
  /** Lower-cased; unique per workspace (the `_id` guarantees it). */
  email: string;
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (base64url); the password itself is never stored. */
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    email: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, required: true, enum: ROLES },
    passwordHash: { type: String, required: true },
    disabled: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false },
);

export function userModel(connection: Connection): Model<UserDoc> {
  return (
    (connection.models.User as Model<UserDoc> | undefined) ??
    connection.model<UserDoc>('User', userSchema, 'users')
  );
}

export function userKey(workspaceId: string, email: string): string {
  return `${workspaceId}:${email.trim().toLowerCase()}`;
}

export interface SessionDoc {
  /** The public session id, the part of the token before the secret. */
  _id: string;
  workspaceId: string;
  email: string;
  /** sha256 of the secret part of the token. */
  secretHash: string;
  expiresAt: Date;
  revokedAt?: Date | null;
  createdAt: Date;
}

// FerretDB has no TTL indexes: expired sessions are refused on read and deleted at sign-in (purgeExpiredSessions).
export const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    email: { type: String, required: true },
    secretHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export function sessionModel(connection: Connection): Model<SessionDoc> {
  return (
    (connection.models.Session as Model<SessionDoc> | undefined) ??
    connection.model<SessionDoc>('Session', sessionSchema, 'sessions')
  );
}

export type AuditActor =
  | { type: 'user'; id: string; email: string; name?: string }
  | { type: 'key'; id: string; name?: string };

export interface AuditChange {
  /** `definition.conditions[0].value`, `nodes[wait-1].config.delay`: the same path form as field errors. */
  path: string;
  before: unknown;
  after: unknown;
}

export interface AuditEntryDoc {
  /** `${workspaceId}:${at as ms, zero-padded}:${random}`: unique and in time order. */
  _id: string;
  workspaceId: string;
  at: Date;
  actor: AuditActor;
  /** `<resource>.<verb>`, e.g. `journey.published`, `segment.updated`, `credential.deleted`. */
  action: string;
  resource: { type: string; id: string; name?: string };
  changes: AuditChange[];
}

// Append-only: nothing in the code base updates or deletes an entry.
export const auditEntrySchema: Schema<AuditEntryDoc> = new Schema<AuditEntryDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { type: Schema.Types.Mixed, required: true },
    action: { type: String, required: true },
    resource: { type: Schema.Types.Mixed, required: true },
    changes: { type: Schema.Types.Mixed, default: () => [] },
  },
  { versionKey: false },
);
auditEntrySchema.index({ workspaceId: 1, at: -1 });

export function auditEntryModel(connection: Connection): Model<AuditEntryDoc> {
  return (
    (connection.models.AuditEntry as Model<AuditEntryDoc> | undefined) ??
    connection.model<AuditEntryDoc>('AuditEntry', auditEntrySchema, 'audit_entries')
  );
}
