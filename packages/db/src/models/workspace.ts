import { Schema, type Connection, type Model } from 'mongoose';
import type { AffinityDefinition } from '@cairn/core';

/** The default sender: a display name, an address, and optionally the SMTP credential to send through. */
export interface WorkspaceSender {
  name?: string;
  address: string;
  /** Name of a stored credential of type "smtp"; absent: the worker's SMTP_* settings. */
  credential?: string;
}

export interface WorkspaceDoc {
  _id: string;
  /** URL-safe, unique across the installation. */
  slug: string;
  name: string;
  settings: {
    orderEvent: string;
    timezone: string;
    /** What the fold counts as affinities beyond product categories (absent on older workspaces). */
    affinities?: AffinityDefinition[];
    /** Who workspace emails come from when a step leaves `from` empty (absent: CAIRN_EMAIL_FROM). */
    sender?: WorkspaceSender | null;
  };
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
      affinities: {
        type: [
          {
            _id: false,
            name: { type: String, required: true },
            event: { type: String, required: true },
            property: { type: String, required: true },
          },
        ],
        default: undefined,
      },
      sender: {
        type: new Schema(
          {
            name: { type: String },
            address: { type: String, required: true },
            credential: { type: String },
          },
          { _id: false },
        ),
        default: undefined,
      },
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
