import { NativeConnection, Worker } from '@temporalio/worker';
import {
  bundleCairnWorkflows,
  createActionRegistry,
  createJourneyActivities,
  createSegmentActivities,
  ensureSearchAttributes,
} from '@cairn/worker';
import type { RunningApi } from './harness';

/**
 * A real Cairn worker on the API's task queue, so journeys published over HTTP run their workflows:
 * journey activities, and segment activities too when asked (creating a segment starts its backfill there).
 */
export async function startJourneyWorker(
  api: RunningApi,
  options: { segments?: boolean } = {},
): Promise<{ stop(): Promise<void> }> {
  await ensureSearchAttributes(api.ctx.temporal.connection, api.ctx.temporal.namespace);
  const native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection: native,
    namespace: api.ctx.temporal.namespace,
    taskQueue: api.ctx.temporal.taskQueue,
    workflowBundle: await bundleCairnWorkflows(),
    activities: {
      ...(options.segments ? createSegmentActivities(api.db.connection) : {}),
      ...createJourneyActivities({
        db: api.db,
        client: api.ctx.temporal.client,
        taskQueue: api.ctx.temporal.taskQueue,
        registry: createActionRegistry(api.ctx.config),
        // As the worker's main.ts: steps open stored credentials with the same secret as the API.
        ...(api.ctx.config.CAIRN_SECRET_KEY ? { secretKey: api.ctx.config.CAIRN_SECRET_KEY } : {}),
      }),
    },
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running.catch(() => undefined);
      await native.close();
    },
  };
}

/** Polls `probe` until it answers something truthy, or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
