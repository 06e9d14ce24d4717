import { sleep, workflowInfo } from '@temporalio/workflow';

/**
 * A diagnostic workflow: sleeps on a durable timer and reports when it woke. `cairn doctor` and the
 * stack tests use it to prove that timers, the worker bundle and search attributes all work.
 */
export async function stackProbeWorkflow(input: {
  sleepMs: number;
}): Promise<{ startedAt: number; wokeAt: number; workflowId: string }> {
  const startedAt = Date.now();
  await sleep(input.sleepMs);
  return { startedAt, wokeAt: Date.now(), workflowId: workflowInfo().workflowId };
}
