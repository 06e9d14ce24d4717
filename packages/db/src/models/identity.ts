import { Schema, type Connection, type Model } from 'mongoose';

/** Links an anonymousId (or an aliased previousId) to the contact it now belongs to. */
export interface IdentityDoc {
  _id: string; // `${workspaceId}:${anonymousId}`
  workspaceId: string;
  anonymousId: string;
  contactId: string;
  createdAt: Date;
}

export const identitySchema = new Schema<IdentityDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    anonymousId: { type: String, required: true },
    contactId: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export function identityModel(connection: Connection): Model<IdentityDoc> {
  return (
    (connection.models.Identity as Model<IdentityDoc> | undefined) ??
    connection.model<IdentityDoc>('Identity', identitySchema, 'identities')
  );
}
