// The event catalog as the designer's pickers read it.
import type { Connection } from 'mongoose';
import { decodeDocumentKeys } from './keys.js';
import { eventSchemaModel } from './models/event-schema.js';

export interface EventCatalogEntry {
  event: string;
  count: number;
  lastSeenAt: number;
  properties: { name: string; type: string }[];
}

/** The workspace's event names, most sent first (at most `limit`), with their property types. */
export async function listEventCatalog(
  connection: Connection,
  workspaceId: string,
  limit = 500,
): Promise<EventCatalogEntry[]> {
  const docs = await eventSchemaModel(connection)
    .find({ workspaceId })
    .sort({ count: -1 })
    .limit(limit)
    .lean();
  return docs.map((d) => ({
    event: d.event,
    count: d.count,
    lastSeenAt: d.lastSeenAt,
    properties: Object.entries(decodeDocumentKeys(d.properties ?? {})).map(([name, type]) => ({
      name,
      type,
    })),
  }));
}
