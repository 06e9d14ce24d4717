export {
  ROLES,
  userModel,
  userKey,
  sessionModel,
  auditEntryModel,
  type Role,
  type UserDoc,
  type SessionDoc,
  type AuditActor,
  type AuditChange,
  type AuditEntryDoc,
} from './models.js';
export { hashPassword, verifyPassword, generatePassword } from './passwords.js';
export { diffDocuments, REDACTED, type DiffOptions } from './diff.js';
export {
  createUser,
  findUser,
  listUsers,
  updateUser,
  deleteUser,
  userView,
  roleAtLeast,
  normalizeEmail,
  signIn,
  verifySession,
  revokeSession,
  purgeExpiredSessions,
  isSessionToken,
  SESSION_TTL_MS,
  type UserView,
  type UserUpdate,
  type SignedIn,
  type VerifiedSession,
} from './users.js';
export {
  recordAudit,
  listAudit,
  type AuditEntryInput,
  type AuditEntryView,
  type AuditQuery,
} from './audit.js';
export {
  listApiKeys,
  findApiKey,
  apiKeyView,
  recordKeyUse,
  KEY_USE_RESOLUTION_MS,
  type ApiKeyView,
} from './api-keys.js';
