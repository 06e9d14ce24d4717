// The raw baseline of bench/wakeups.mjs, run by bench/bare-worker.mjs: a bare workflow that sleeps until
// its due instant, then takes one minimal step (a no-op local activity, where a journey run records its
// progress) and answers when it woke, by the workflow's clock as a journey run's exit records it.
import { proxyLocalActivities, sleep } from '@temporalio/workflow';

const { wakeProbeStep } = proxyLocalActivities<{ wakeProbeStep(): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

export async function wakeProbeWorkflow(input: {
  dueAt: number;
}): Promise<{ startedAt: number; wokeAt: number }> {
  const startedAt = Date.now();
  // An instant already past still takes the timer path, as a journey's wait does.
  await sleep(Math.max(1, input.dueAt - startedAt));
  const wokeAt = Date.now();
  await wakeProbeStep();
  return { startedAt, wokeAt };
}
