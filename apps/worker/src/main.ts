import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { connectDatabase, startDueScheduler } from '@cairn/db';
import pino from 'pino';
import { getHeapStatistics } from 'node:v8';
import { createActionRegistry } from '@cairn/actions';
import { ConfigError, loadServiceConfig, workflowCacheSize } from '@cairn/config';
import { bundleCairnWorkflows } from './bundle.js';
import {
  connectClientConnection,
  connectWorkerConnection,
  ensureSearchAttributes,
} from './temporal.js';
import { createSegmentActivities, removeSegmentSweepSchedule } from './segments/index.js';
import { createRfmActivities, ensureRfmSchedule, rfmIntervalHours } from './rfm/index.js';
import { createJourneyActivities } from './journeys/activities.js';
import { startJourneyDispatcher } from './journeys/dispatcher.js';
import { startDateTriggerScheduler } from './journeys/date-triggers.js';
import { listenForDispatcherWakes } from './journeys/wake.js';
import { startPendingFoldSweeper } from './pending-folds.js';

async function main() {
  const config = loadServiceConfig();
  const rfmEveryHours = rfmIntervalHours();
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'worker' } });
  const timeout = config.CAIRN_TEMPORAL_CONNECT_TIMEOUT_SECONDS;
  const clientConnection = await connectClientConnection(config.TEMPORAL_ADDRESS, timeout, (m) =>
    log.warn(m),
  );
  const added = await ensureSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
  if (added.length) log.info({ added }, 'registered search attributes');
  const db = await connectDatabase(config.MONGO_URL, config.MONGO_DB);
  const connection = await connectWorkerConnection(config.TEMPORAL_ADDRESS, timeout, (m) =>
    log.warn(m),
  );
  const journeyClient = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const journeyDeps = {
    db,
    client: journeyClient,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    registry: createActionRegistry(config),
    ...(config.CAIRN_SECRET_KEY ? { secretKey: config.CAIRN_SECRET_KEY } : {}),
  };
  const journeyActivities = createJourneyActivities(journeyDeps);
  // The SDK's default cache size ignores what a cached run costs here; see workflowCacheSize.
  const maxCachedWorkflows = workflowCacheSize(config, getHeapStatistics().heap_size_limit);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: await bundleCairnWorkflows(),
    maxCachedWorkflows,
    activities: {
      ...createSegmentActivities(db.connection),
      ...createRfmActivities(db.connection),
      ...journeyActivities,
    },
  });
  // Time windows flip at their due instants (startDueScheduler below), not on a fixed interval.
  if (await removeSegmentSweepSchedule(journeyClient))
    log.info('removed the fixed-interval segment sweep schedule');
  const rfm = await ensureRfmSchedule(
    new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE }),
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      intervalHours: rfmEveryHours,
    },
  );
  log.info({ rfm, everyHours: rfmEveryHours }, 'RFM recompute schedule ready');
  log.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS, maxCachedWorkflows },
    'worker running',
  );
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM (Temporal's Runtime installs the handlers).
  const dispatcher = startJourneyDispatcher({ ...journeyDeps, log });
  const wakes =
    config.CAIRN_DISPATCH_WAKE_LISTEN === 'off'
      ? undefined
      : await listenForDispatcherWakes(config.CAIRN_DISPATCH_WAKE_LISTEN, dispatcher.wake, log);
  const pendingFolds = startPendingFoldSweeper({ db, log });
  const dateTriggers = startDateTriggerScheduler({ ...journeyDeps, log });
  const dueScheduler = startDueScheduler(db.connection, {
    maxSleepMs: config.CAIRN_SWEEP_INTERVAL_SECONDS * 1000,
    log,
  });
  log.info({ maxSleepSeconds: config.CAIRN_SWEEP_INTERVAL_SECONDS }, 'due-list scheduler running');
  await worker.run();
  await dueScheduler.stop();
  await dateTriggers.stop();
  await wakes?.close();
  await dispatcher.stop();
  await pendingFolds.stop();
  await connection.close();
  await clientConnection.close();
  await db.close();
  log.info('worker stopped');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`cairn worker: ${error.message}`);
  else console.error(`cairn worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
