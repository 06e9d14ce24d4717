// A worker process for progress-task-timeout.int.test.ts: its progress write lands, then it hangs until
// the test kills it, so its workflow task is never answered (a starved or dead worker, as in the bench).
const { readFileSync } = require('node:fs');
const { Client, Connection } = require('@temporalio/client');
const { NativeConnection, Worker } = require('@temporalio/worker');
const { ActionRegistry } = require('@cairn/action-sdk');
const { connectDatabase } = require('@cairn/db');
const { createJourneyActivities } = require('../dist/index.js');

async function main() {
  const { mongoUrl, dbName, address, namespace, taskQueue, bundlePath } = JSON.parse(
    process.argv[2],
  );
  const db = await connectDatabase(mongoUrl, dbName);
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const real = createJourneyActivities({
    db,
    client,
    taskQueue,
    registry: new ActionRegistry([]),
    searchAttributes: false,
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    namespace,
    taskQueue,
    workflowBundle: { code: readFileSync(bundlePath, 'utf8') },
    activities: {
      ...real,
      async recordJourneyProgress(progress) {
        await real.recordJourneyProgress(progress);
        process.send?.('written');
        await new Promise(() => undefined);
      },
    },
    maxCachedWorkflows: 0,
  });
  await worker.run();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
