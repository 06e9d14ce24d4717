import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Connection } from 'mongoose';
import { apiKeyModel, type ApiKeyScope } from './models/api-key.js';
import type { AffinityDefinition } from '@cairn/core';
import { workspaceModel, type WorkspaceDoc, type WorkspaceSender } from './models/workspace.js';
import { forgetProfileSettings } from './profiles.js';
import { invalidateSegmentCache } from './segments/cache.js';
import { markDirectoryComplete } from './contact-directory.js';

const PREFIX: Record<ApiKeyScope, string> = { write: 'cwk', admin: 'cak' };

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates a key and returns its full text once; only its hash is kept. Format: `<cwk|cak>_<id>_<secret>`. */
export async function createApiKey(
  connection: Connection,
  workspaceId: string,
  scope: ApiKeyScope,
  name: string,
): Promise<string> {
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
  const secret = randomBytes(24).toString('base64url');
  await apiKeyModel(connection).create({
    _id: id,
    workspaceId,
    scope,
    name,
    secretHash: hashSecret(secret),
  });
  return `${PREFIX[scope]}_${id}_${secret}`;
}

export interface VerifiedKey {
  keyId: string;
  workspaceId: string;
  scope: ApiKeyScope;
}

/** Checks a presented key in constant time; undefined when unknown, revoked or wrong. */
export async function verifyApiKey(
  connection: Connection,
  presented: string,
): Promise<VerifiedKey | undefined> {
  const match = /^(cwk|cak)_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,})$/.exec(presented.trim());
  if (!match) return undefined;
  const [, prefix = '', id = '', secret = ''] = match;
  const key = await apiKeyModel(connection).findById(id).lean();
  // Hash even when the key is unknown so timing does not reveal which ids exist.
  const expected = Buffer.from(key?.secretHash ?? hashSecret('x'.repeat(32)), 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (!key || !same || key.revokedAt || PREFIX[key.scope] !== prefix) return undefined;
  return { keyId: key._id, workspaceId: key.workspaceId, scope: key.scope };
}

export async function revokeApiKey(
  connection: Connection,
  workspaceId: string,
  keyId: string,
): Promise<boolean> {
  const result = await apiKeyModel(connection).updateOne(
    { _id: keyId, workspaceId },
    { $set: { revokedAt: new Date() } },
  );
  return result.matchedCount === 1;
}

export interface CreatedWorkspace {
  workspace: WorkspaceDoc;
  writeKey: string;
  adminKey: string;
}

/** A workspace with one write key and one admin key. */
export async function createWorkspace(
  connection: Connection,
  input: { name: string; slug?: string; id?: string; timezone?: string },
): Promise<CreatedWorkspace> {
  const slug =
    input.slug ??
    (input.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') ||
      'workspace');
  const id = input.id ?? `ws_${randomBytes(6).toString('hex')}`;
  const workspace = (
    await workspaceModel(connection).create({
      _id: id,
      slug,
      name: input.name,
      ...(input.timezone ? { settings: { timezone: input.timezone } } : {}),
    })
  ).toObject();
  // No contacts yet: the contact directory holds them all from the first one (decision 023).
  await markDirectoryComplete(connection, id);
  const writeKey = await createApiKey(connection, id, 'write', 'Default write key');
  const adminKey = await createApiKey(connection, id, 'admin', 'Default admin key');
  return { workspace, writeKey, adminKey };
}

export async function findWorkspace(
  connection: Connection,
  workspaceId: string,
): Promise<WorkspaceDoc | null> {
  return workspaceModel(connection).findById(workspaceId).lean<WorkspaceDoc>();
}

export async function workspaceExists(
  connection: Connection,
  workspaceId: string,
): Promise<boolean> {
  return (await workspaceModel(connection).exists({ _id: workspaceId })) !== null;
}

export interface WorkspaceUpdate {
  name?: string;
  timezone?: string;
  /** null removes the default sender (sends fall back to CAIRN_EMAIL_FROM). */
  sender?: WorkspaceSender | null;
}

/** Changes a workspace's name and settings; the segment cache of this process forgets the old ones at once. */
export async function updateWorkspaceSettings(
  connection: Connection,
  workspaceId: string,
  update: WorkspaceUpdate,
): Promise<WorkspaceDoc | null> {
  const set: Record<string, unknown> = {};
  const unset: Record<string, 1> = {};
  if (update.name !== undefined) set.name = update.name;
  if (update.timezone !== undefined) set['settings.timezone'] = update.timezone;
  if (update.sender === null) unset['settings.sender'] = 1;
  else if (update.sender !== undefined)
    set['settings.sender'] = {
      address: update.sender.address,
      ...(update.sender.name ? { name: update.sender.name } : {}),
      ...(update.sender.credential ? { credential: update.sender.credential } : {}),
    };
  if (Object.keys(set).length > 0 || Object.keys(unset).length > 0)
    await workspaceModel(connection).updateOne(
      { _id: workspaceId },
      {
        ...(Object.keys(set).length ? { $set: set } : {}),
        ...(Object.keys(unset).length ? { $unset: unset } : {}),
      },
    );
  invalidateSegmentCache(connection, workspaceId);
  forgetWorkspaceSender(workspaceId);
  return findWorkspace(connection, workspaceId);
}

const senderCache = new Map<string, { sender: WorkspaceSender | undefined; until: number }>();
/** How long another process (the worker) may send with a sender older than an edit. */
export const WORKSPACE_SENDER_CACHE_MS = 30_000;

/** The workspace's default sender, cached for 30 s: every email step reads it. */
export async function workspaceSender(
  connection: Connection,
  workspaceId: string,
): Promise<WorkspaceSender | undefined> {
  const cached = senderCache.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached.sender;
  const workspace = await workspaceModel(connection)
    .findById(workspaceId, { 'settings.sender': 1 })
    .lean();
  const stored = workspace?.settings?.sender ?? undefined;
  const sender = stored?.address
    ? {
        address: stored.address,
        ...(stored.name ? { name: stored.name } : {}),
        ...(stored.credential ? { credential: stored.credential } : {}),
      }
    : undefined;
  if (senderCache.size > 10_000) senderCache.clear();
  senderCache.set(workspaceId, { sender, until: Date.now() + WORKSPACE_SENDER_CACHE_MS });
  return sender;
}

function forgetWorkspaceSender(workspaceId: string): void {
  senderCache.delete(workspaceId);
  zoneCache.delete(workspaceId);
}

const zoneCache = new Map<string, { zone: string | undefined; until: number }>();

/**
 * The workspace's time zone (its quiet hours and times of day for contacts without one), cached like
 * the sender: a journey step reads it each time it loads the contact.
 */
export async function workspaceTimezone(
  connection: Connection,
  workspaceId: string,
): Promise<string | undefined> {
  const cached = zoneCache.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached.zone;
  const workspace = await workspaceModel(connection)
    .findById(workspaceId, { 'settings.timezone': 1 })
    .lean();
  const zone = workspace?.settings?.timezone || undefined;
  if (zoneCache.size > 10_000) zoneCache.clear();
  zoneCache.set(workspaceId, { zone, until: Date.now() + WORKSPACE_SENDER_CACHE_MS });
  return zone;
}

/** Every workspace, oldest first, for the instance admin. */
export async function listWorkspaces(connection: Connection): Promise<WorkspaceDoc[]> {
  return workspaceModel(connection).find({}).sort({ createdAt: 1 }).lean<WorkspaceDoc[]>();
}

/** Every workspace's id, in order. */
export async function listWorkspaceIds(connection: Connection): Promise<string[]> {
  return (await workspaceModel(connection).find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map(
    (w) => w._id,
  );
}

/** The affinities the workspace's fold counts (none set: an empty list). */
export async function workspaceAffinities(
  connection: Connection,
  workspaceId: string,
): Promise<AffinityDefinition[] | undefined> {
  const workspace = await workspaceModel(connection)
    .findById(workspaceId, { 'settings.affinities': 1 })
    .lean();
  if (!workspace) return undefined;
  return (workspace.settings?.affinities ?? []).map(({ name, event, property }) => ({
    name,
    event,
    property,
  }));
}

/**
 * Replaces the affinities the fold counts; events folded from now on count them (see docs/profile.md).
 * Returns false when the workspace does not exist.
 */
export async function setWorkspaceAffinities(
  connection: Connection,
  workspaceId: string,
  affinities: AffinityDefinition[],
): Promise<boolean> {
  const result = await workspaceModel(connection).updateOne(
    { _id: workspaceId },
    {
      $set: {
        'settings.affinities': affinities.map(({ name, event, property }) => ({
          name,
          event,
          property,
        })),
      },
    },
  );
  forgetProfileSettings(workspaceId);
  invalidateSegmentCache(connection, workspaceId);
  return result.matchedCount === 1;
}
