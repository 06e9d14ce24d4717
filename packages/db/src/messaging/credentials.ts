import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '../connection.js';

/**
 * Secrets that actions read at run time (`ctx.credentials.get(name)`): SMTP passwords, API tokens,
 * webhook signing secrets. Values are encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from
 * CAIRN_SECRET_KEY; each record has its own random IV and names the key that sealed it, so the secret
 * can be rotated by passing the old key after the new one until every record has been re-saved.
 */
export interface CredentialDoc {
  /** `${workspaceId}:${name}`: the worker reads by name, an _id lookup. */
  _id: string;
  workspaceId: string;
  name: string;
  /** What kind of secret, e.g. `smtp`, `webhookSigning`, `bearerToken`; free text for custom actions. */
  type: string;
  /** The value names (never the values), so the UI can show what a credential holds. */
  fields: string[];
  sealed: { alg: 'aes-256-gcm'; keyId: string; iv: string; tag: string; data: string };
  createdAt: Date;
  updatedAt: Date;
}

export const credentialSchema = new Schema<CredentialDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    name: { type: String, required: true },
    type: { type: String, required: true },
    fields: { type: [String], default: [] },
    sealed: {
      alg: { type: String, required: true, enum: ['aes-256-gcm'] },
      keyId: { type: String, required: true },
      iv: { type: String, required: true },
      tag: { type: String, required: true },
      data: { type: String, required: true },
    },
  },
  { timestamps: true, versionKey: false },
);

export function credentialModel(connection: Connection): Model<CredentialDoc> {
  return (
    (connection.models.Credential as Model<CredentialDoc> | undefined) ??
    connection.model<CredentialDoc>('Credential', credentialSchema, 'credentials')
  );
}

export function credentialKey(workspaceId: string, name: string): string {
  return `${workspaceId}:${name}`;
}

/** The current secret first, then older ones still accepted for reading during a rotation. */
export type SecretKeys = string | readonly string[];

interface DerivedKey {
  id: string;
  key: Buffer;
}

const derived = new Map<string, DerivedKey>();

function deriveKey(secret: string): DerivedKey {
  if (secret.length < 32)
    throw new Error('credentials: CAIRN_SECRET_KEY must be at least 32 characters');
  const hit = derived.get(secret);
  if (hit) return hit;
  const key = Buffer.from(
    hkdfSync('sha256', secret, 'cairn', 'cairn/credentials/aes-256-gcm/v1', 32),
  );
  // The id identifies the key without revealing it: a hash of the derived key, not of the secret.
  const id = createHash('sha256')
    .update('cairn/credentials/key-id')
    .update(key)
    .digest('base64url')
    .slice(0, 12);
  const entry = { id, key };
  derived.set(secret, entry);
  return entry;
}

function keysOf(secretKeys: SecretKeys): DerivedKey[] {
  const list = typeof secretKeys === 'string' ? [secretKeys] : [...secretKeys];
  if (list.length === 0) throw new Error('credentials: no secret key given; set CAIRN_SECRET_KEY');
  return list.map(deriveKey);
}

/** The record's identity is authenticated too, so a sealed value copied onto another record fails to open. */
const aadFor = (workspaceId: string, name: string) =>
  Buffer.from(`cairn-credential:${workspaceId}:${name}`);

export function sealCredentialValues(
  secretKeys: SecretKeys,
  workspaceId: string,
  name: string,
  values: Record<string, string>,
): CredentialDoc['sealed'] {
  const [current] = keysOf(secretKeys) as [DerivedKey];
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(aadFor(workspaceId, name));
  const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
  return {
    alg: 'aes-256-gcm',
    keyId: current.id,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

export function openCredentialValues(
  secretKeys: SecretKeys,
  workspaceId: string,
  name: string,
  sealed: CredentialDoc['sealed'],
): Record<string, string> {
  const key = keysOf(secretKeys).find((k) => k.id === sealed.keyId);
  if (!key) {
    throw new CredentialError(
      `credential "${name}" was sealed with key ${sealed.keyId}, which is not among the configured keys; pass the previous CAIRN_SECRET_KEY too or save the credential again`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(aadFor(workspaceId, name));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(sealed.data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(plain) as Record<string, string>;
  } catch {
    throw new CredentialError(
      `credential "${name}" could not be decrypted: it was altered or belongs to another record`,
    );
  }
}

export interface CredentialSummary {
  name: string;
  type: string;
  fields: string[];
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

function summary(doc: CredentialDoc): CredentialSummary {
  return {
    name: doc.name,
    type: doc.type,
    fields: doc.fields,
    keyId: doc.sealed.keyId,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/**
 * Creates or replaces a credential (by name). `mode: 'create'` refuses an existing name, so two
 * people naming a secret the same way notice instead of overwriting each other.
 */
export async function saveCredential(
  connection: Connection,
  secretKeys: SecretKeys,
  workspaceId: string,
  input: { name: string; type: string; values: Record<string, string> },
  mode: 'create' | 'replace' = 'create',
): Promise<{ created: boolean; credential: CredentialSummary } | { conflict: true }> {
  const _id = credentialKey(workspaceId, input.name);
  const sealed = sealCredentialValues(secretKeys, workspaceId, input.name, input.values);
  const fields = Object.keys(input.values).sort();
  const model = credentialModel(connection);
  if (mode === 'create') {
    try {
      const doc = (
        await model.create({ _id, workspaceId, name: input.name, type: input.type, fields, sealed })
      ).toObject();
      return { created: true, credential: summary(doc) };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { conflict: true };
      throw error;
    }
  }
  const now = new Date();
  const result = await model.updateOne(
    { _id },
    {
      $set: { workspaceId, name: input.name, type: input.type, fields, sealed, updatedAt: now },
      $setOnInsert: { createdAt: now },
    },
    { upsert: true, timestamps: false },
  );
  const doc = await model.findById(_id).lean();
  return { created: result.upsertedCount === 1, credential: summary(doc as CredentialDoc) };
}

export async function listCredentials(
  connection: Connection,
  workspaceId: string,
): Promise<CredentialSummary[]> {
  const docs = await credentialModel(connection).find({ workspaceId }).sort({ name: 1 }).lean();
  return docs.map(summary);
}

export async function describeCredential(
  connection: Connection,
  workspaceId: string,
  name: string,
): Promise<CredentialSummary | undefined> {
  const doc = await credentialModel(connection).findById(credentialKey(workspaceId, name)).lean();
  return doc && doc.workspaceId === workspaceId ? summary(doc) : undefined;
}

export async function deleteCredential(
  connection: Connection,
  workspaceId: string,
  name: string,
): Promise<boolean> {
  const result = await credentialModel(connection).deleteOne({
    _id: credentialKey(workspaceId, name),
    workspaceId,
  });
  return result.deletedCount === 1;
}

/**
 * The decrypted values, for the worker's `ctx.credentials.get(name)`. Throws CredentialError naming
 * the credential when it does not exist or cannot be opened; never includes a value in a message.
 */
export async function readCredential(
  connection: Connection,
  secretKeys: SecretKeys,
  workspaceId: string,
  name: string,
): Promise<Record<string, string>> {
  const doc = await credentialModel(connection).findById(credentialKey(workspaceId, name)).lean();
  if (!doc || doc.workspaceId !== workspaceId) {
    throw new CredentialError(
      `credential "${name}" does not exist in this workspace; create it under Settings → Credentials (POST /api/v1/credentials)`,
    );
  }
  return openCredentialValues(secretKeys, workspaceId, name, doc.sealed);
}

/**
 * Finishes a key rotation: re-seals every credential not yet under the current key (the first of
 * `secretKeys`). Safe to run again; a record saved meanwhile is left alone (conditional on its seal).
 */
export async function resealCredentials(
  connection: Connection,
  secretKeys: SecretKeys,
  workspaceId?: string,
): Promise<{ resealed: number }> {
  const [current] = keysOf(secretKeys) as [DerivedKey];
  const model = credentialModel(connection);
  const docs = await model
    .find({ ...(workspaceId ? { workspaceId } : {}), 'sealed.keyId': { $ne: current.id } })
    .lean();
  let resealed = 0;
  for (const doc of docs) {
    const values = openCredentialValues(secretKeys, doc.workspaceId, doc.name, doc.sealed);
    const sealed = sealCredentialValues(secretKeys, doc.workspaceId, doc.name, values);
    const result = await model.updateOne(
      { _id: doc._id, 'sealed.iv': doc.sealed.iv },
      { $set: { sealed } },
      { timestamps: false },
    );
    resealed += result.modifiedCount;
  }
  return { resealed };
}
