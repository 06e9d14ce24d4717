import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleCairnWorkflows, ensureSearchAttributes } from '../src/index';

const DAY = 24 * 60 * 60 * 1000;

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through \`npm test\` (it starts the embedded stack)`);
  return value;
}

describe('the worker bundle on real Temporal servers', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 120_000);

  it('runs a 30-day durable sleep in seconds on the time-skipping server', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireEnv('TEMPORAL_TEST_SERVER_BIN') } },
    });
    try {
      const taskQueue = `probe-${randomUUID()}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
      const wallStart = Date.now();
      const result = await worker.runUntil(
        env.client.workflow.execute('stackProbeWorkflow', {
          taskQueue,
          workflowId: `probe-${randomUUID()}`,
          args: [{ sleepMs: 30 * DAY }],
        }),
      );
      const wall = Date.now() - wallStart;
      expect((result as { wokeAt: number; startedAt: number }).wokeAt - (result as { startedAt: number }).startedAt).toBeGreaterThanOrEqual(30 * DAY);
      // The point of the test server: 30 virtual days must not take 30 real days (or even minutes).
      expect(wall).toBeLessThan(60_000);
    } finally {
      await env.teardown();
    }
  }, 120_000);

  it('runs on the dev server and the client finds the run by a custom search attribute', async () => {
    const address = requireEnv('TEMPORAL_ADDRESS');
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    const connection = await Connection.connect({ address });
    await ensureSearchAttributes(connection, namespace);
    const client = new Client({ connection, namespace });
    const { NativeConnection } = await import('@temporalio/worker');
    const nativeConnection = await NativeConnection.connect({ address });
    const taskQueue = `probe-${randomUUID()}`;
    const contactId = `contact-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, namespace, taskQueue, workflowBundle: bundle });
    try {
      const workflowId = `probe-${randomUUID()}`;
      await worker.runUntil(
        client.workflow.execute('stackProbeWorkflow', {
          taskQueue,
          workflowId,
          args: [{ sleepMs: 10 }],
          searchAttributes: { CairnContactId: [contactId] },
        }),
      );
      // Visibility is eventually consistent: poll until the run shows up under its attribute.
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length === 0; i++) {
        found = [];
        for await (const wf of client.workflow.list({ query: `CairnContactId = '${contactId}'` })) found.push(wf.workflowId);
        if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found).toEqual([workflowId]);
    } finally {
      await nativeConnection.close();
      await connection.close();
    }
  }, 120_000);
});
