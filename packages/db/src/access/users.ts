import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../connection.js';
import { ROLES, sessionModel, userKey, userModel, type Role, type UserDoc } from './models.js';
import { hashPassword, verifyPassword } from './passwords.js';

/** What the API shows of a user: never the password hash. */
export interface UserView {
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function userView(doc: UserDoc): UserView {
  return {
    email: doc.email,
    name: doc.name,
    role: doc.role,
    disabled: doc.disabled,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** True when `role` may do what `needed` may: roles are ordered viewer < editor < publisher < admin. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(
  connection: Connection,
  workspaceId: string,
  input: { email: string; name: string; role: Role; password: string },
): Promise<{ user: UserView } | { exists: true }> {
  const email = normalizeEmail(input.email);
  try {
    const doc = await userModel(connection).create({
      _id: userKey(workspaceId, email),
      workspaceId,
      email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      disabled: false,
    });
    return { user: userView(doc.toObject()) };
  } catch (error) {
    if (isDuplicateKeyError(error)) return { exists: true };
    throw error;
  }
}

export async function findUser(
  connection: Connection,
  workspaceId: string,
  email: string,
): Promise<UserDoc | null> {
  return userModel(connection).findById(userKey(workspaceId, email)).lean();
}

export async function listUsers(connection: Connection, workspaceId: string): Promise<UserView[]> {
  const docs = await userModel(connection).find({ workspaceId }).sort({ email: 1 }).lean();
  return docs.map(userView);
}

export interface UserUpdate {
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
}

/** Applies the update and returns the user before and after (for the audit log); null when there is no such user. */
export async function updateUser(
  connection: Connection,
  workspaceId: string,
  email: string,
  update: UserUpdate,
): Promise<{ before: UserDoc; after: UserDoc } | null> {
  const $set: Partial<UserDoc> = {};
  if (update.name !== undefined) $set.name = update.name;
  if (update.role !== undefined) $set.role = update.role;
  if (update.disabled !== undefined) $set.disabled = update.disabled;
  if (update.password !== undefined) $set.passwordHash = await hashPassword(update.password);
  const before = await userModel(connection)
    .findOneAndUpdate({ _id: userKey(workspaceId, email) }, { $set }, { returnDocument: 'before' })
    .lean();
  if (!before) return null;
  const after = await userModel(connection).findById(before._id).lean();
  if (!after) return null;
  // A new password or a disabled account ends every open session of that user.
  if (update.password !== undefined || update.disabled === true) {
    await sessionModel(connection).updateMany(
      { workspaceId, email: before.email, revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
  }
  return { before, after };
}

/** Removes a user and ends their sessions; the removed user document (for the audit log), or null. */
export async function deleteUser(
  connection: Connection,
  workspaceId: string,
  email: string,
): Promise<UserDoc | null> {
  const removed = await userModel(connection)
    .findOneAndDelete({ _id: userKey(workspaceId, normalizeEmail(email)) })
    .lean();
  if (!removed) return null;
  await sessionModel(connection).updateMany(
    { workspaceId, email: removed.email, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  return removed;
}

function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
// A real hash of nothing anyone knows: an unknown email costs the same scrypt time as a wrong password.
let decoyHash: Promise<string> | undefined;

export interface SignedIn {
  token: string;
  user: UserView & { workspaceId: string };
  expiresAt: Date;
}

/**
 * Checks an email and password and opens a session. Without a workspace id the email is looked up
 * across workspaces (sign-in is rare; the scan is fine) and the first matching password wins.
 * Undefined for an unknown email, a wrong password or a disabled user alike, so callers answer the same.
 */
export async function signIn(
  connection: Connection,
  input: { workspaceId?: string; email: string; password: string },
  options: { now?: Date; ttlMs?: number } = {},
): Promise<SignedIn | undefined> {
  const email = normalizeEmail(input.email);
  const candidates = input.workspaceId
    ? [await findUser(connection, input.workspaceId, email)].filter((u): u is UserDoc => u !== null)
    : await userModel(connection).find({ email }).limit(20).lean();
  let user: UserDoc | undefined;
  for (const candidate of candidates) {
    if ((await verifyPassword(input.password, candidate.passwordHash)) && !candidate.disabled) {
      user = candidate;
      break;
    }
  }
  if (candidates.length === 0)
    await verifyPassword(
      input.password,
      await (decoyHash ??= hashPassword(randomBytes(16).toString('hex'))),
    );
  if (!user) return undefined;
  const now = options.now ?? new Date();
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
  const secret = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + (options.ttlMs ?? SESSION_TTL_MS));
  await sessionModel(connection).create({
    _id: id,
    workspaceId: user.workspaceId,
    email: user.email,
    secretHash: sha256(secret),
    expiresAt,
  });
  await purgeExpiredSessions(connection, now);
  return {
    token: `cus_${id}_${secret}`,
    user: { ...userView(user), workspaceId: user.workspaceId },
    expiresAt,
  };
}

const PURGE_EVERY_MS = 10 * 60 * 1000;
const lastPurge = new WeakMap<Connection, number>();

/**
 * Deletes sessions past their expiry (revoked ones included: they are refused either way, and the audit
 * log, not the session, records who did what). FerretDB v1 has no TTL index, so sign-in does it, at most
 * every 10 minutes per connection. Returns how many were deleted (0 when skipped).
 */
export async function purgeExpiredSessions(
  connection: Connection,
  now = new Date(),
): Promise<number> {
  const last = lastPurge.get(connection);
  if (last !== undefined && now.getTime() - last >= 0 && now.getTime() - last < PURGE_EVERY_MS)
    return 0;
  lastPurge.set(connection, now.getTime());
  const result = await sessionModel(connection).deleteMany({ expiresAt: { $lte: now } });
  return result.deletedCount;
}

export interface VerifiedSession {
  sessionId: string;
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
}

export function isSessionToken(presented: string): boolean {
  return presented.trim().startsWith('cus_');
}

/**
 * Checks a session token in constant time, and the user behind it on every call, so a role change
 * or a disabled account takes effect at once. Undefined when unknown, expired, revoked or disabled.
 */
export async function verifySession(
  connection: Connection,
  presented: string,
  now = new Date(),
): Promise<VerifiedSession | undefined> {
  const match = /^cus_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,})$/.exec(presented.trim());
  if (!match) return undefined;
  const [, id = '', secret = ''] = match;
  const session = await sessionModel(connection).findById(id).lean();
  const expected = Buffer.from(session?.secretHash ?? sha256('x'.repeat(32)), 'hex');
  const actual = Buffer.from(sha256(secret), 'hex');
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (!session || !same || session.revokedAt || session.expiresAt.getTime() <= now.getTime())
    return undefined;
  const user = await findUser(connection, session.workspaceId, session.email);
  if (!user || user.disabled) return undefined;
  return {
    sessionId: session._id,
    workspaceId: user.workspaceId,
    email: user.email,
    name: user.name,
    role: user.role,
  };
}

export async function revokeSession(connection: Connection, sessionId: string): Promise<boolean> {
  const result = await sessionModel(connection).updateOne(
    { _id: sessionId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  return result.matchedCount === 1;
}
