import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ConfigError } from '@cairn/config';

export const RFM_SCHEDULE_ID = 'cairn-rfm-recompute';
export const RFM_INTERVAL_ENV = 'CAIRN_RFM_INTERVAL_HOURS';
const DEFAULT_INTERVAL_HOURS = 24;

/**
 * How often RFM scores are recomputed, from CAIRN_RFM_INTERVAL_HOURS (default daily). Read here rather
 * than in @cairn/config because only the worker runs the job.
 */
export function rfmIntervalHours(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RFM_INTERVAL_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_INTERVAL_HOURS;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours < 1 || hours > 24 * 31) {
    throw new ConfigError([
      `${RFM_INTERVAL_ENV}: "${raw}" is not a number of hours between 1 and 744; unset it for daily`,
    ]);
  }
  return hours;
}

/**
 * Creates the Temporal Schedule that recomputes RFM scores every `intervalHours`, or brings an existing
 * one to this interval and task queue. Safe to call at every worker start.
 */
export async function ensureRfmSchedule(
  client: Client,
  options: { taskQueue: string; intervalHours: number; scheduleId?: string },
): Promise<'created' | 'updated'> {
  const scheduleId = options.scheduleId ?? RFM_SCHEDULE_ID;
  const everySeconds = Math.round(options.intervalHours * 3600);
  const spec = { intervals: [{ every: `${everySeconds}s` }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'rfmRecomputeWorkflow',
    workflowId: `${scheduleId}-run`,
    args: [] as unknown[],
    taskQueue: options.taskQueue,
    workflowExecutionTimeout: `${everySeconds}s`,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // A run still going when the next is due: skip; missed runs (worker down) collapse into one.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
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
