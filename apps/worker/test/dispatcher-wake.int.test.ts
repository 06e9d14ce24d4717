import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ActionRegistry } from '@cairn/action-sdk';
import { validateJourney, type JourneyDefinition } from '@cairn/core';
import {
  connectDatabase,
  createJourney,
  enqueueJourneyTriggers,
  findContactJourneys,
  journeyTriggerModel,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import {
  bundleCairnWorkflows,
  createJourneyActivities,
  listenForDispatcherWakes,
  startJourneyDispatcher,
} from '../src/index';
import { useWorkerTestStack } from './harness';

const orderFollowUp: JourneyDefinition = {
  name: 'Order follow-up',
  settings: { reentry: { policy: 'afterExit' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Order Completed' } },
    { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'done' },
  ],
} as JourneyDefinition;

// The poll is an hour here: a run that starts within seconds was started by a wake-up.
const POLL_MS = 3_600_000;

describe('the journey dispatcher starts on a wake-up, not at its next poll', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let bundle: WorkflowBundleWithSourceMap;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const registry = new ActionRegistry([]);
  const taskQueue = `wake-${randomUUID()}`;
  let journeyId = '';
  const deps = () => ({ db, client: env.client, taskQueue, registry, searchAttributes: false });

  useWorkerTestStack('dispatcher_wake', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
    journeyId = (
      await createJourney(db.connection, workspaceId, {
        name: orderFollowUp.name,
        definition: orderFollowUp,
      })
    ).journeyId;
    await publishJourneyDraft(db.connection, workspaceId, journeyId, {
      check: async (def) =>
        validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
    });
  }, 180_000);

  const order = (connection: Database['connection'], contactId: string) =>
    enqueueJourneyTriggers(connection, [
      {
        workspaceId,
        contactId,
        kind: 'event',
        event: 'Order Completed',
        messageId: `order-${contactId}`,
        properties: {},
        at: Date.now(),
        receivedAt: Date.now(),
      },
    ]);

  /** Until the outbox is empty and the dispatcher's pass after it (which finds nothing) is over. */
  async function idle() {
    while ((await journeyTriggerModel(db.connection).countDocuments({})) > 0)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
  }

  /** Milliseconds until the contact's run is recorded, or undefined after `withinMs`. */
  async function startedWithin(contactId: string, withinMs: number) {
    const t0 = Date.now();
    while (Date.now() - t0 < withinMs) {
      const runs = await findContactJourneys(db.connection, workspaceId, contactId);
      if (runs?.runs[journeyId]) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  }

  it('a trigger written in this process wakes it; one written by another process wakes it through a datagram', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createJourneyActivities(deps()),
      maxCachedWorkflows: 0,
    });
    // Another process's connection: its writes do not reach this process's listeners.
    const api = await connectDatabase(process.env.MONGO_URL as string, db.connection.name);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const running = startJourneyDispatcher({ ...deps(), intervalMs: POLL_MS });
    const wakes = await listenForDispatcherWakes(`127.0.0.1:${port}`, running.wake);
    const datagram = createSocket('udp4');
    try {
      await worker.runUntil(async () => {
        // Each order comes once the dispatcher sleeps: only a wake-up (or the hour's poll) starts the next pass.
        await idle();
        await order(db.connection, 'same-process');
        expect(await startedWithin('same-process', 10_000)).toBeDefined();
        await idle();

        await order(api.connection, 'silent-process');
        expect(await startedWithin('silent-process', 1_500)).toBeUndefined();
        await new Promise((r) => setTimeout(r, 500));

        await order(api.connection, 'other-process');
        await new Promise<void>((resolve) =>
          datagram.send(Buffer.from([1]), port, '127.0.0.1', () => resolve()),
        );
        expect(await startedWithin('other-process', 10_000)).toBeDefined();
      });
    } finally {
      datagram.close();
      await wakes.close();
      await running.stop();
      await api.close();
    }
  }, 180_000);
});
