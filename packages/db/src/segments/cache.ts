import type { Connection } from 'mongoose';
import {
  orderSegmentsForEvaluation,
  type MembershipSegment,
  type ProfileSettings,
} from '@cairn/core';
import { workspaceModel } from '../models/workspace.js';
import { segmentModel } from './models.js';
import { profileSettingsFromWorkspace } from '../profiles.js';

/** A live segment as evaluation reads it (core's MembershipSegment). */
export type ActiveSegment = MembershipSegment;

/** A workspace's active segments in evaluation order (dependencies first) and its profile settings. */
export interface WorkspaceSegments {
  ordered: ActiveSegment[];
  profileSettings: Partial<ProfileSettings>;
  /** The workspace's IANA zone (settings.timezone): whole-day windows turn at its midnight. */
  timeZone: string;
}

/** Short enough that another process's edit shows up quickly; the backfill reads fresh anyway. */
export const SEGMENT_CACHE_MS = 5_000;

const caches = new WeakMap<Connection, Map<string, { value: WorkspaceSegments; until: number }>>();

export async function loadWorkspaceSegments(
  connection: Connection,
  workspaceId: string,
  options: { fresh?: boolean } = {},
): Promise<WorkspaceSegments> {
  let cache = caches.get(connection);
  if (!cache) caches.set(connection, (cache = new Map()));
  const hit = cache.get(workspaceId);
  if (!options.fresh && hit && hit.until > Date.now()) return hit.value;
  const [docs, workspace] = await Promise.all([
    segmentModel(connection)
      .find({ workspaceId, status: 'active' }, { segmentId: 1, version: 1, definition: 1 })
      .lean(),
    workspaceModel(connection).findById(workspaceId, { settings: 1 }).lean(),
  ]);
  const ordered = orderSegmentsForEvaluation(
    docs.map((d) => ({
      id: d.segmentId,
      segmentId: d.segmentId,
      version: d.version,
      definition: d.definition,
    })),
  ).map(({ segmentId, version, definition }) => ({ segmentId, version, definition }));
  const value: WorkspaceSegments = {
    ordered,
    profileSettings: profileSettingsFromWorkspace(workspace),
    timeZone: workspace?.settings?.timezone ?? 'UTC',
  };
  if (cache.size > 1000) cache.clear();
  cache.set(workspaceId, { value, until: Date.now() + SEGMENT_CACHE_MS });
  return value;
}

/** Called by every segment write in this process, so its next evaluation sees the edit at once. */
export function invalidateSegmentCache(connection: Connection, workspaceId: string): void {
  caches.get(connection)?.delete(workspaceId);
}
