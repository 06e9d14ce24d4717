// A bare Temporal worker for the memory baseline: only the trivial sleeping probe workflow, no
// activities, no Cairn services. Prints "ready" once polling. Used by bench/memory.mjs.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from './lib.mjs';

const require = createRequire(join(root, 'package.json'));
const { DefaultLogger, NativeConnection, Worker, Runtime } = require('@temporalio/worker');

Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  taskQueue: process.env.TEMPORAL_TASK_QUEUE,
  workflowsPath: join(root, 'packages/workflows/dist/probe.js'),
});
console.log(`ready maxCachedWorkflows=${worker.options.maxCachedWorkflows}`);
await worker.run();
await connection.close();
