import { randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { bundleCairnWorkflows, ensureSearchAttributes } from '../src/index';
import { useWorkerTestStack } from './harness';

const DAY = 24 * 60 * 60 * 1000;

describe('the worker bundle on real Temporal servers', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let env: TestWorkflowEnvironment;
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let namespace: string;
  // Both servers, no database: this file only checks that the bundle runs on each.
  useWorkerTestStack('stack', { temporal: 'time-skipping', database: false }, (s) => ({ env } = s));
  useWorkerTestStack(
    'stack',
    { temporal: 'dev-server', database: false },
    (s) => ({ connection, client, nativeConnection, namespace } = s),
  );
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 120_000);

  it('runs a 30-day durable sleep in seconds on the time-skipping server', async () => {
    const taskQueue = `probe-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute('stackProbeWorkflow', {
        taskQueue,
        workflowId: `probe-${randomUUID()}`,
        args: [{ sleepMs: 30 * DAY }],
      }),
    );
    const wall = Date.now() - wallStart;
    expect(
      (result as { wokeAt: number; startedAt: number }).wokeAt -
        (result as { startedAt: number }).startedAt,
    ).toBeGreaterThanOrEqual(30 * DAY);
    // The point of the test server: 30 virtual days must not take 30 real days (or even minutes).
    expect(wall).toBeLessThan(60_000);
  }, 120_000);

  it('runs on the dev server and the client finds the run by a custom search attribute', async () => {
    await ensureSearchAttributes(connection, namespace);
    const taskQueue = `probe-${randomUUID()}`;
    const contactId = `contact-${randomUUID()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: bundle,
    });
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
      for await (const wf of client.workflow.list({ query: `CairnContactId = '${contactId}'` }))
        found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([workflowId]);
  }, 120_000);
});
