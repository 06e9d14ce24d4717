import type { Connection } from 'mongoose';
import { apiKeyModel, type ApiKeyDoc } from '../models/api-key.js';

/** What the API shows of a key: never its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  scope: ApiKeyDoc['scope'];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export function apiKeyView(doc: ApiKeyDoc): ApiKeyView {
  return {
    id: doc._id,
    name: doc.name,
    scope: doc.scope,
    createdAt: doc.createdAt,
    revokedAt: doc.revokedAt ?? null,
    lastUsedAt: doc.lastUsedAt ?? null,
  };
}

export async function listApiKeys(
  connection: Connection,
  workspaceId: string,
): Promise<ApiKeyView[]> {
  const docs = await apiKeyModel(connection).find({ workspaceId }).sort({ createdAt: 1 }).lean();
  return docs.map(apiKeyView);
}

export async function findApiKey(
  connection: Connection,
  workspaceId: string,
  keyId: string,
): Promise<ApiKeyView | undefined> {
  const doc = await apiKeyModel(connection).findOne({ _id: keyId, workspaceId }).lean();
  return doc ? apiKeyView(doc) : undefined;
}

/** A key's "last used" moves at most this often: one write per key per minute, whatever the traffic. */
export const KEY_USE_RESOLUTION_MS = 60_000;

/**
 * Records that a key was used at `at`, unless its recorded use is less than a minute old. Filtered by
 * _id (the one lookup FerretDB pushes down), so the write is cheap; returns whether it wrote.
 */
export async function recordKeyUse(
  connection: Connection,
  keyId: string,
  at: Date = new Date(),
): Promise<boolean> {
  const result = await apiKeyModel(connection).updateOne(
    {
      _id: keyId,
      $or: [
        { lastUsedAt: null },
        { lastUsedAt: { $lt: new Date(at.getTime() - KEY_USE_RESOLUTION_MS) } },
      ],
    },
    { $set: { lastUsedAt: at } },
  );
  return result.modifiedCount === 1;
}
