// A local activity's write can outlive the workflow task that ran it (a task that timed out, a worker that
// went away): the history never records it, and the next task writes the same seq with what it sees then.
// The record must end as the history says (issue 18: 89 of 2,000 runs stayed "active").
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ActionRegistry } from '@cairn/action-sdk';
import type { JourneyDefinition } from '@cairn/core';
import {
  createJourney,
  findContactJourneys,
  journeyStats,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { JOURNEY_WORKFLOW, journeyStartOptions, type JourneyWorkflowInput } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities } from '../src/index';
import { useWorkerTestStack } from './harness';

// The bench's journey: wait until an instant, then leave (the bench waits for a profile date).
const dueAt = (due: number): JourneyDefinition =>
  ({
    name: 'Due date',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
      {
        id: 'wait',
        kind: 'waitUntil',
        until: { type: 'datetime', at: new Date(due).toISOString() },
      },
      { id: 'done', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
      { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'done' },
    ],
  }) as JourneyDefinition;

describe('a progress write whose workflow task was lost', () => {
  let db: Database;
  let workspaceId: string;
  let client: Client;
  let nativeConnection: NativeConnection;
  useWorkerTestStack(
    'progress_task_timeout',
    { temporal: 'dev-server', workspace: { name: 'Task timeout' } },
    (s) => ({ db, workspaceId, client, nativeConnection } = s),
  );
  const taskQueue = `task-timeout-${randomUUID()}`;

  it('leaves the run record as the retried task wrote it: completed, counted once', async () => {
    const registry = new ActionRegistry([]);
    const deps = { db, client, taskQueue, registry, searchAttributes: false };
    const bundle = await bundleCairnWorkflows();
    // Due a few seconds from now: the first task runs before it, its retry after it.
    const due = Date.now() + 15_000;
    const journey = await createJourney(db.connection, workspaceId, {
      name: 'Due date',
      definition: dueAt(due),
    });
    const journeyId = journey.journeyId;
    await publishJourneyDraft(db.connection, workspaceId, journeyId, { check: async () => [] });
    const record = async () =>
      (await findContactJourneys(db.connection, workspaceId, 'ann'))?.runs[journeyId];

    // The starved worker, in a process of its own: its progress write lands, then it dies unanswered.
    const bundlePath = join(tmpdir(), `cairn-bundle-${randomUUID()}.js`);
    writeFileSync(bundlePath, bundle.code);
    const starved = fork(join(__dirname, 'starved-worker.cjs'), [
      JSON.stringify({
        mongoUrl: process.env.MONGO_URL,
        dbName: db.connection.name,
        address: process.env.TEMPORAL_ADDRESS,
        namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
        taskQueue,
        bundlePath,
      }),
    ]);
    const exited = new Promise((resolve) => starved.once('exit', resolve));
    const ghostWritten = new Promise<void>((resolve, reject) => {
      starved.once('message', () => resolve());
      starved.once('exit', (code) => reject(new Error(`the starved worker exited (${code})`)));
    });
    const input: JourneyWorkflowInput = {
      workspaceId,
      journeyId,
      version: 1,
      contactId: 'ann',
      entry: { kind: 'manual', at: new Date().toISOString() },
    };
    const handle = await client.workflow.start(JOURNEY_WORKFLOW, {
      ...journeyStartOptions(input, taskQueue, { searchAttributes: false }),
      // Its retry comes this long after the task was handed out: past the due instant.
      workflowTaskTimeout: '20s',
    });
    try {
      await ghostWritten;
      expect(await record()).toMatchObject({ status: 'active', nodeId: 'wait' });
    } finally {
      starved.kill('SIGKILL');
      await exited;
      rmSync(bundlePath, { force: true });
    }

    // A healthy worker takes the retried task, after the due instant: it walks wait → exit in one batch.
    const healthy = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createJourneyActivities(deps),
      maxCachedWorkflows: 0,
    });
    const outcome = await healthy.runUntil(handle.result());
    expect(outcome).toMatchObject({ status: 'completed', nodeId: 'done' });

    // What the test is about happened: the first task timed out, and its retry came after the due instant.
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowTaskTimedOutEventAttributes)).toBe(true);

    expect(await record()).toMatchObject({ status: 'completed', nodeId: 'done', reason: 'exit' });
    const stats = await journeyStats(db.connection, workspaceId, journeyId, ['wait', 'done'], {
      days: 1,
    });
    expect(stats.nodes.wait).toMatchObject({ entered: 1, waiting: 0 });
    expect(stats.nodes.done).toMatchObject({ entered: 1 });
  }, 120_000);
});
