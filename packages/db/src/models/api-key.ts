import { Schema, type Connection, type Model } from 'mongoose';

/** `write` keys ingest only (safe in a browser or app); `admin` keys manage a workspace. */
export type ApiKeyScope = 'write' | 'admin';

export interface ApiKeyDoc {
  /** The public key id, the part of the key before the secret; lookups are by _id. */
  _id: string;
  workspaceId: string;
  scope: ApiKeyScope;
  name: string;
  /** sha256 of the secret part; the secret itself is never stored. */
  secretHash: string;
  revokedAt?: Date | null;
  lastUsedAt?: Date | null;
  createdAt: Date;
}

export const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    scope: { type: String, required: true, enum: ['write', 'admin'] },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    revokedAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export function apiKeyModel(connection: Connection): Model<ApiKeyDoc> {
  return (
    (connection.models.ApiKey as Model<ApiKeyDoc> | undefined) ??
    connection.model<ApiKeyDoc>('ApiKey', apiKeySchema, 'api_keys')
  );
}
