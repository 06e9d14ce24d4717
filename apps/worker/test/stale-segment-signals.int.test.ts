import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ActionRegistry } from '@cairn/action-sdk';
import { validateJourney, type JourneyDefinition } from '@cairn/core';
import {
  contactKey,
  contactModel,
  createJourney,
  enqueueJourneyTriggers,
  findContactJourneys,
  ingestEvents,
  journeyTriggerModel,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { JOURNEY_POSITION_QUERY, journeyWorkflowId, type JourneyPosition } from '@cairn/workflows';
import { JourneyDispatcher, bundleCairnWorkflows, createJourneyActivities } from '../src/index';
import { useWorkerTestStack } from './harness';

const DAY = 86_400_000;

// Enters "vip", waits 30 days, ends; leaving "vip" ends the run at once.
const vipWelcome: JourneyDefinition = {
  name: 'VIP welcome',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: true, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'segmentEntered', segmentId: 'vip' } },
    { id: 'wait', kind: 'delay', duration: { amount: 30, unit: 'days' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'done' },
  ],
} as JourneyDefinition;

describe('a run ignores a segment change older than one it has seen', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let bundle: WorkflowBundleWithSourceMap;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const registry = new ActionRegistry([]);
  const taskQueue = `stale-${randomUUID()}`;
  const deps = () => ({ db, client: env.client, taskQueue, registry, searchAttributes: false });

  useWorkerTestStack('stale_signals', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 180_000);

  it('an exit from an earlier stay, delivered after the newer entry, does not end the run; a newer exit does', async () => {
    const journey = await createJourney(db.connection, workspaceId, {
      name: vipWelcome.name,
      definition: vipWelcome,
    });
    const journeyId = journey.journeyId;
    expect(
      await publishJourneyDraft(db.connection, workspaceId, journeyId, {
        check: async (def) =>
          validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
      }),
    ).toEqual({ ok: true, version: 1 });
    const now = Date.now();
    await ingestEvents(
      db.connection,
      workspaceId,
      [
        {
          messageId: 'ann-identify',
          type: 'identify',
          userId: 'ann',
          event: 'Identify',
          properties: {},
          traits: { email: 'ann@example.test' },
          context: {},
          timestamp: now,
          receivedAt: now,
        },
      ],
      { now },
    );
    // Ann was in "vip" (revision 3 put her out again) and is back in since revision 5.
    await contactModel(db.connection).updateOne(
      { _id: contactKey(workspaceId, 'ann') },
      { $set: { 'segments.vip': { since: now, version: 1, rev: 5 } } },
    );
    await journeyTriggerModel(db.connection).deleteMany({});
    const dispatcher = new JourneyDispatcher({
      ...deps(),
      log: { info: () => undefined, warn: (o) => console.warn(o) },
    });
    const handle = env.client.workflow.getHandle(journeyWorkflowId(workspaceId, journeyId, 'ann'));
    const change = (kind: 'segmentEntered' | 'segmentExited', segmentRev: number, at: number) =>
      enqueueJourneyTriggers(db.connection, [
        { workspaceId, contactId: 'ann', kind, segmentId: 'vip', segmentRev, at },
      ]);

    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createJourneyActivities(deps()),
      maxCachedWorkflows: 0,
    });
    const history = await worker.runUntil(async () => {
      const t0 = await env.currentTimeMs();
      await change('segmentEntered', 5, t0);
      expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 1, enrolled: 1 });

      // The exit of her earlier stay (a retried trigger) reaches the run after the newer entry.
      await change('segmentExited', 3, t0 + 1);
      expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 1, signalled: 1 });
      await env.sleep(DAY);
      expect(await handle.query<JourneyPosition | undefined>(JOURNEY_POSITION_QUERY)).toMatchObject(
        { nodeId: 'wait', status: 'waiting' },
      );
      expect(
        (await findContactJourneys(db.connection, workspaceId, 'ann'))?.runs[journeyId],
      ).toMatchObject({ status: 'active' });

      // Her real exit, newer than the entry, ends the run.
      await change('segmentExited', 9, t0 + DAY);
      expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 1, signalled: 1 });
      expect(await handle.result()).toMatchObject({ status: 'exited', reason: 'segmentExit' });
      return handle.fetchHistory();
    });
    expect(
      (await findContactJourneys(db.connection, workspaceId, 'ann'))?.runs[journeyId],
    ).toMatchObject({ status: 'exited', reason: 'segmentExit' });

    // The run's own history replays with the current code.
    const replay = await Worker.runReplayHistory(
      { workflowBundle: bundle },
      history,
      handle.workflowId,
    );
    expect(replay).toBeUndefined();
  }, 180_000);

  it('replays a run recorded before signals carried revisions, which acted on the same stale exit', async () => {
    // Recorded with the workflow code of a60a05e: the dispatcher sent a re-entry (revision 5), then a late exit
    // (revision 3) that ended the run. Unguarded, today's code would drop that exit and fail the replay.
    // Stored as the client's JSON of the fetched history (Temporal's own JSON helpers trip on two protobufjs copies).
    const fixture = temporal.api.history.v1.History.fromObject(
      JSON.parse(
        readFileSync(join(__dirname, 'fixtures', 'stale-exit-before-revisions.json'), 'utf8'),
      ),
    );
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, fixture, 'stale-exit-before-revisions'),
    ).resolves.toBeUndefined();
  }, 120_000);
});
