import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
} from '@temporalio/client';

export const SEGMENT_SWEEP_SCHEDULE_ID = 'cairn-segment-sweep';

/**
 * Creates the Temporal Schedule that runs the segment sweep every `intervalSeconds`, or brings an
 * existing one to this interval and task queue. Safe to call at every worker start.
 */
export async function ensureSegmentSweepSchedule(
  client: Client,
  options: { taskQueue: string; intervalSeconds: number; scheduleId?: string },
): Promise<'created' | 'updated'> {
  const scheduleId = options.scheduleId ?? SEGMENT_SWEEP_SCHEDULE_ID;
  const spec = { intervals: [{ every: `${options.intervalSeconds}s` }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'segmentSweepWorkflow',
    workflowId: `${scheduleId}-run`,
    args: [] as unknown[],
    taskQueue: options.taskQueue,
    workflowExecutionTimeout: `${Math.max(options.intervalSeconds * 10, 600)}s`,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // A sweep still running when the next is due: skip, the running one covers it. Missed runs collapse into one.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  }
}

/**
 * Deletes the fixed-interval sweep schedule that workers before the due scheduler created (it swept up to
 * an interval late); absent is fine. The due scheduler (startDueScheduler) sweeps at the due instants instead.
 */
export async function removeSegmentSweepSchedule(
  client: Client,
  scheduleId = SEGMENT_SWEEP_SCHEDULE_ID,
): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}
