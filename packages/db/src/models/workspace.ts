import { Schema, type Connection, type Model } from 'mongoose';

export interface WorkspaceDoc {
  _id: string;
  /** URL-safe, unique across the installation. */
  slug: string;
  name: string;
  settings: { orderEvent: string; timezone: string };
  createdAt: Date;
  updatedAt: Date;
}

export const workspaceSchema = new Schema<WorkspaceDoc>(
  {
    _id: { type: String, required: true },
    slug: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    settings: {
      orderEvent: { type: String, default: 'Order Completed' },
      timezone: { type: String, default: 'UTC' },
    },
  },
  { timestamps: true, versionKey: false },
);

export function workspaceModel(connection: Connection): Model<WorkspaceDoc> {
  return (
    (connection.models.Workspace as Model<WorkspaceDoc> | undefined) ??
    connection.model<WorkspaceDoc>('Workspace', workspaceSchema, 'workspaces')
  );
}
