import { recomputeRfm, workspaceModel, type Database } from '@cairn/db';
import type { RfmActivities } from '@cairn/workflows';

type Connection = Database['connection'];

/** The RFM activities, bound to the worker's database connection. */
export function createRfmActivities(connection: Connection): RfmActivities {
  return {
    async listRfmWorkspaces() {
      return (await workspaceModel(connection).find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map((w) => w._id);
    },
    recomputeWorkspaceRfm: ({ workspaceId, now }) => recomputeRfm(connection, workspaceId, { now }),
  };
}
