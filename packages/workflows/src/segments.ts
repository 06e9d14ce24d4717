import { ApplicationFailure, continueAsNew, log, proxyActivities } from '@temporalio/workflow';

/** The segment activities the worker registers (apps/worker/src/segments/activities.ts). */
export interface SegmentActivities {
  backfillSegmentPage(input: {
    workspaceId: string;
    segmentId: string;
    version: number;
    afterId: string | null;
    pageSize: number;
  }): Promise<{
    processed: number;
    lastId: string | null;
    done: boolean;
    superseded: boolean;
  }>;
  finishSegmentBackfill(input: {
    workspaceId: string;
    segmentId: string;
    version: number;
  }): Promise<{ memberCount: number }>;
  failSegmentBackfill(input: {
    workspaceId: string;
    segmentId: string;
    version: number;
    error: string;
  }): Promise<void>;
  sweepDueSegmentContacts(input: Record<string, never>): Promise<{
    contactsEvaluated: number;
    contactsSkipped: number;
    entered: number;
    exited: number;
  }>;
}

export interface SegmentBackfillInput {
  workspaceId: string;
  segmentId: string;
  version: number;
  /** Resume after this contact `_id` (set by continue-as-new). */
  afterId?: string | null;
  pageSize?: number;
  /** Pages per run before continuing as new, to keep the history small. */
  pagesPerRun?: number;
}

const { backfillSegmentPage, finishSegmentBackfill } = proxyActivities<SegmentActivities>({
  // A page heartbeats per contact: a stuck or crashed worker is noticed within a minute and the page retried.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});
const { failSegmentBackfill } = proxyActivities<SegmentActivities>({
  startToCloseTimeout: '1 minute',
});

/** Re-evaluates every contact of a workspace after a segment was created or edited, page by page. */
export async function segmentBackfillWorkflow(
  input: SegmentBackfillInput,
): Promise<{ state: 'done' | 'superseded'; memberCount?: number }> {
  const pageSize = input.pageSize ?? 500;
  const pagesPerRun = input.pagesPerRun ?? 50;
  const { workspaceId, segmentId, version } = input;
  let afterId = input.afterId ?? null;
  try {
    for (let page = 0; page < pagesPerRun; page++) {
      const r = await backfillSegmentPage({ workspaceId, segmentId, version, afterId, pageSize });
      if (r.superseded) {
        log.info('segment edited again; a newer backfill takes over', { segmentId, version });
        return { state: 'superseded' };
      }
      afterId = r.lastId;
      if (r.done) {
        const { memberCount } = await finishSegmentBackfill({ workspaceId, segmentId, version });
        return { state: 'done', memberCount };
      }
    }
  } catch (error) {
    await failSegmentBackfill({
      workspaceId,
      segmentId,
      version,
      error: error instanceof Error ? error.message : String(error),
    });
    throw ApplicationFailure.nonRetryable(
      `backfill of segment ${segmentId} v${version} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return continueAsNew<typeof segmentBackfillWorkflow>({ ...input, afterId });
}

const { sweepDueSegmentContacts } = proxyActivities<SegmentActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3 },
});

/** Started by the Temporal Schedule every CAIRN_SWEEP_INTERVAL_SECONDS: re-evaluates contacts whose time window ended. */
export async function segmentSweepWorkflow(): Promise<{
  contactsEvaluated: number;
  contactsSkipped: number;
  entered: number;
  exited: number;
}> {
  return sweepDueSegmentContacts({});
}
