import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';

/** The RFM activities the worker registers (apps/worker/src/rfm/activities.ts). */
export interface RfmActivities {
  listRfmWorkspaces(input: Record<string, never>): Promise<string[]>;
  recomputeWorkspaceRfm(input: {
    workspaceId: string;
    now: number;
  }): Promise<{ contactsScored: number; contactsUpdated: number; conflictsRetried: number }>;
}

export interface RfmRecomputeResult {
  workspaces: number;
  contactsScored: number;
  contactsUpdated: number;
  /** Workspaces whose recompute failed after its retries; the next scheduled run tries them again. */
  failedWorkspaces: string[];
}

const { listRfmWorkspaces } = proxyActivities<RfmActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});
const { recomputeWorkspaceRfm } = proxyActivities<RfmActivities>({
  // A workspace is scanned whole (the quintiles need every buyer); a large one takes a while.
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/** Started by the Temporal Schedule `cairn-rfm-recompute`: rescores every workspace's buyers, one workspace at a time. */
export async function rfmRecomputeWorkflow(): Promise<RfmRecomputeResult> {
  // Workflow time: every workspace of one run is scored against the same instant, and retries reuse it.
  const now = Date.now();
  const workspaceIds = await listRfmWorkspaces({});
  const result: RfmRecomputeResult = {
    workspaces: workspaceIds.length,
    contactsScored: 0,
    contactsUpdated: 0,
    failedWorkspaces: [],
  };
  for (const workspaceId of workspaceIds) {
    try {
      const r = await recomputeWorkspaceRfm({ workspaceId, now });
      result.contactsScored += r.contactsScored;
      result.contactsUpdated += r.contactsUpdated;
    } catch (error) {
      // One broken workspace must not keep every other workspace's scores stale.
      log.warn('RFM recompute failed for a workspace', {
        workspaceId,
        runId: workflowInfo().runId,
        error: error instanceof Error ? error.message : String(error),
      });
      result.failedWorkspaces.push(workspaceId);
    }
  }
  return result;
}
