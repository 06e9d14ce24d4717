import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { ConfigError, loadServiceConfig } from '@cairn/config';
import { bundleCairnWorkflows } from './bundle.js';
import { connectClientConnection, connectWorkerConnection, ensureSearchAttributes } from './temporal.js';

async function main() {
  const config = loadServiceConfig();
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'worker' } });
  const timeout = config.CAIRN_TEMPORAL_CONNECT_TIMEOUT_SECONDS;
  const clientConnection = await connectClientConnection(config.TEMPORAL_ADDRESS, timeout, (m) => log.warn(m));
  const added = await ensureSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
  if (added.length) log.info({ added }, 'registered search attributes');
  const connection = await connectWorkerConnection(config.TEMPORAL_ADDRESS, timeout, (m) => log.warn(m));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: await bundleCairnWorkflows(),
    activities: {},
  });
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker running');
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM (Temporal's Runtime installs the handlers).
  await worker.run();
  await connection.close();
  await clientConnection.close();
  log.info('worker stopped');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`cairn worker: ${error.message}`);
  else console.error(`cairn worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
