// A bare Temporal worker as a baseline: no Cairn services, only a trivial workflow module (default: the
// sleeping probe; BENCH_BARE_WORKFLOWS names another, e.g. bench/dist/wake-probe.js) and the wake probe's
// no-op step. BENCH_BARE_CACHE sets the sticky cache (default: the SDK's). Prints "ready" once polling.
// Used by bench/memory.mjs and bench/wakeups.mjs.
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
  workflowsPath: process.env.BENCH_BARE_WORKFLOWS ?? join(root, 'packages/workflows/dist/probe.js'),
  activities: { wakeProbeStep: async () => undefined },
  ...(process.env.BENCH_BARE_CACHE
    ? { maxCachedWorkflows: Number(process.env.BENCH_BARE_CACHE) }
    : {}),
});
console.log(`ready maxCachedWorkflows=${worker.options.maxCachedWorkflows}`);
await worker.run();
await connection.close();
