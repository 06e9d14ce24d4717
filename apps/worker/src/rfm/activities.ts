import { listWorkspaceIds, recomputeRfm, type Database } from '@cairn/db';
import type { RfmActivities } from '@cairn/workflows';

type Connection = Database['connection'];

/** The RFM activities, bound to the worker's database connection. */
export function createRfmActivities(connection: Connection): RfmActivities {
  return {
    listRfmWorkspaces: () => listWorkspaceIds(connection),
    recomputeWorkspaceRfm: ({ workspaceId, now }) => recomputeRfm(connection, workspaceId, { now }),
  };
}
