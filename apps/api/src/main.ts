import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { ConfigError, loadServiceConfig } from '@cairn/config';
import {
  connectDatabase,
  createIngestion,
  debuggerSettled,
  onJourneyTriggersQueued,
} from '@cairn/db';
import { createApp } from './app.js';
import { createDispatcherWakeSender } from './dispatcher-wake.js';
import { answerClientErrors } from './http/client-errors.js';

async function main() {
  const config = loadServiceConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'api' } });
  const db = await connectDatabase(config.MONGO_URL, config.MONGO_DB);
  // Lazy: the API starts and keeps ingesting even while Temporal is down; /readyz says so.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const ingestion = createIngestion(db.connection, { log: logger });
  // Journeys start within milliseconds of the trigger the fold writes, not at the worker's next poll.
  const wakes = createDispatcherWakeSender(config.CAIRN_DISPATCH_WAKE_TARGETS);
  onJourneyTriggersQueued(db.connection, wakes.wake);
  const app = createApp({
    config,
    db,
    ingestion,
    temporal: {
      connection,
      client,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    },
    logger,
  });
  const server = app.listen(config.CAIRN_API_PORT, config.CAIRN_API_HOST, () => {
    logger.info(`api listening on http://${config.CAIRN_API_HOST}:${config.CAIRN_API_PORT}`);
  });
  answerClientErrors(server);
  // A bulk import streams its body while it is processed; Node's default 5-minute request timeout would cut it.
  server.requestTimeout = 60 * 60 * 1000;
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      // Fold what was acknowledged before closing (were this cut short, the worker's sweeper folds the rest).
      // The event debugger's last entries too: they are written behind the answers, not within them.
      void ingestion.folds
        .close()
        .catch(() => undefined)
        .then(() => debuggerSettled(db.connection))
        .catch(() => undefined)
        .then(() => Promise.allSettled([db.close(), connection.close(), wakes.close()]))
        .then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`cairn api: ${error.message}`);
  else console.error(`cairn api: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
