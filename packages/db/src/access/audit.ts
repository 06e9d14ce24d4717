import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { decodeDocumentKeys, encodeDocumentKeys } from '../keys.js';
import {
  auditEntryModel,
  type AuditActor,
  type AuditChange,
  type AuditEntryDoc,
} from './models.js';

export interface AuditEntryInput {
  workspaceId: string;
  actor: AuditActor;
  action: string;
  resource: { type: string; id: string; name?: string };
  changes: AuditChange[];
  at?: Date;
}

export interface AuditEntryView {
  id: string;
  at: Date;
  actor: AuditActor;
  action: string;
  resource: { type: string; id: string; name?: string };
  changes: AuditChange[];
}

/** Appends one entry. Ids sort by time, so "newest first" is a sort on `_id` alone. */
export async function recordAudit(
  connection: Connection,
  input: AuditEntryInput,
): Promise<AuditEntryView> {
  const at = input.at ?? new Date();
  const _id = `${input.workspaceId}:${String(at.getTime()).padStart(15, '0')}:${randomBytes(4).toString('hex')}`;
  const resource = {
    type: input.resource.type,
    id: input.resource.id,
    ...(input.resource.name !== undefined ? { name: input.resource.name } : {}),
  };
  // Changed values come from customers' data (event names with dots, for one): store them key-encoded.
  await auditEntryModel(connection).create({
    _id,
    workspaceId: input.workspaceId,
    at,
    actor: input.actor,
    action: input.action,
    resource,
    changes: encodeDocumentKeys(input.changes),
  });
  return {
    id: _id,
    at,
    actor: input.actor,
    action: input.action,
    resource,
    changes: input.changes,
  };
}

export interface AuditQuery {
  resourceType?: string;
  resourceId?: string;
  /** A user's email or a key's id. */
  actor?: string;
  /** An entry id (the `next` of the previous page) or an ISO time: only older entries. */
  before?: string;
  limit?: number;
}

function view(doc: AuditEntryDoc): AuditEntryView {
  return {
    id: doc._id,
    at: doc.at,
    actor: doc.actor,
    action: doc.action,
    resource: doc.resource,
    changes: decodeDocumentKeys(doc.changes ?? []),
  };
}

/** The workspace's entries, newest first, with a cursor for the next page. */
export async function listAudit(
  connection: Connection,
  workspaceId: string,
  query: AuditQuery = {},
): Promise<{ entries: AuditEntryView[]; next?: string }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const filter: Record<string, unknown> = { workspaceId };
  if (query.resourceType) filter['resource.type'] = query.resourceType;
  if (query.resourceId) filter['resource.id'] = query.resourceId;
  if (query.actor) filter['actor.id'] = query.actor;
  if (query.before) {
    const asTime = Date.parse(query.before);
    filter._id = query.before.startsWith(`${workspaceId}:`)
      ? { $lt: query.before }
      : { $lt: `${workspaceId}:${String(Number.isNaN(asTime) ? 0 : asTime).padStart(15, '0')}` };
  }
  const docs = await auditEntryModel(connection)
    .find(filter)
    .sort({ _id: -1 })
    .limit(limit + 1)
    .lean();
  const page = docs.slice(0, limit).map(view);
  return {
    entries: page,
    ...(docs.length > limit && page.length ? { next: page[page.length - 1]!.id } : {}),
  };
}
