import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { z } from 'zod';
import { ActionRegistry, PermanentActionError, defineAction } from '@cairn/action-sdk';
import { createUpdateContactAction } from '@cairn/actions';
import {
  JOURNEY_TEMPLATES,
  instantiateTemplate,
  validateJourney,
  type CairnEvent,
  type JourneyDefinition,
} from '@cairn/core';
import {
  contactKey,
  contactModel,
  createJourney,
  enqueueJourneyTriggers,
  findContactJourneys,
  ingestEvents,
  journeyStats,
  journeyTriggerModel,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { journeyWorkflowId } from '@cairn/workflows';
import {
  JourneyDispatcher,
  bundleCairnWorkflows,
  createJourneyActivities,
  enrollInJourney,
} from '../src/index';
import { useWorkerTestStack } from './harness';

const DAY = 86_400_000;

/**
 * A stand-in email@1 that records every send instead of speaking SMTP; everything else is the real worker.
 * Its outputs are the built-in email@1's (sent/skipped), as JOURNEY_TEMPLATES wire them.
 */
type Send = {
  nodeId: string;
  contactId: string;
  at: number;
  idempotencyKey: string;
  subject: string;
};
function recordingEmail(sends: Send[]) {
  return defineAction({
    type: 'email',
    version: 1,
    title: 'Email (recorded)',
    description: 'Records the send for the test.',
    category: 'message',
    icon: 'mail',
    configSchema: z.object({ subject: z.string(), templateId: z.string().optional() }),
    outputs: [{ name: 'sent' }, { name: 'skipped' }],
    async run(ctx, config) {
      sends.push({
        nodeId: ctx.journey.nodeId,
        contactId: ctx.contact.id,
        at: ctx.now().getTime(),
        idempotencyKey: ctx.idempotencyKey,
        subject: config.subject,
      });
      return { output: 'sent' };
    },
  });
}
const inAppTip = defineAction({
  type: 'inAppMessage',
  version: 1,
  title: 'In-app (recorded)',
  description: 'In-app tip',
  category: 'message',
  icon: 'message-square',
  configSchema: z.object({ title: z.string(), body: z.string() }).passthrough(),
  async run() {
    return { output: 'next' };
  },
});

let refusals = 0;
const refusingCrm = defineAction({
  type: 'crmTask',
  version: 1,
  title: 'CRM task (refused)',
  description: 'Always refused by the provider.',
  category: 'integration',
  icon: 'phone',
  configSchema: z.object({}),
  async run() {
    refusals += 1;
    throw new PermanentActionError('CRM refused the task (403)');
  },
});

describe('journey workflows on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  const sends: Send[] = [];
  const registry = new ActionRegistry([
    recordingEmail(sends),
    inAppTip,
    createUpdateContactAction(),
    refusingCrm,
  ]);
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const histories: { workflowId: string; history: unknown }[] = [];

  const deps = () => ({ db, client: env.client, taskQueue, registry, searchAttributes: false });
  let taskQueue = '';

  useWorkerTestStack('journeys', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 180_000);

  // No sticky cache: the time-skipping server does not hand a dead worker's sticky tasks back to the
  // shared queue, while a real server does so after a few seconds.
  const newWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createJourneyActivities(deps()),
      maxCachedWorkflows: 0,
    });

  async function publish(definition: JourneyDefinition): Promise<string> {
    const journey = await createJourney(db.connection, workspaceId, {
      name: definition.name,
      definition,
    });
    const outcome = await publishJourneyDraft(db.connection, workspaceId, journey.journeyId, {
      check: async (def) =>
        validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
    });
    expect(outcome).toEqual({ ok: true, version: 1 });
    return journey.journeyId;
  }

  async function orders(contactId: string, count: number, email = `${contactId}@example.test`) {
    const start = Date.now() - 200 * DAY;
    const events: CairnEvent[] = [
      {
        messageId: `${contactId}-identify`,
        type: 'identify',
        userId: contactId,
        event: 'Identify',
        properties: {},
        traits: { email },
        context: {},
        timestamp: start,
        receivedAt: start,
      },
      ...Array.from({ length: count }, (_, i) => ({
        messageId: `${contactId}-order-${i}`,
        type: 'track' as const,
        userId: contactId,
        event: 'Order Completed',
        properties: { order_id: `o${i}`, revenue: 40 },
        traits: {},
        context: {},
        timestamp: start + (i + 1) * 20 * DAY,
        receivedAt: start + (i + 1) * 20 * DAY,
      })),
    ];
    await ingestEvents(db.connection, workspaceId, events, { now: Date.now() });
  }

  async function path(journeyId: string, contactId: string) {
    const doc = await findContactJourneys(db.connection, workspaceId, contactId);
    const run = doc?.runs[journeyId];
    return {
      status: run?.status,
      reason: run?.reason,
      nodes: run?.steps.map((s) => s.nodeId) ?? [],
      steps: run?.steps ?? [],
    };
  }

  async function finish(journeyId: string, contactId: string) {
    const handle = env.client.workflow.getHandle(
      journeyWorkflowId(workspaceId, journeyId, contactId),
    );
    const result = await handle.result();
    histories.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
    return result;
  }

  it('runs "Customers by purchase frequency" for three kinds of buyer: exact path, one send per step, on schedule', async () => {
    taskQueue = `journeys-${randomUUID()}`;
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'ecommerce-purchase-frequency')!;
    const journeyId = await publish(
      instantiateTemplate(template, { customersSegmentId: 'customers' }),
    );
    await orders('heavy', 6);
    await orders('occasional', 3);
    await orders('first', 1);

    const worker = await newWorker();
    await worker.runUntil(async () => {
      const startedAt = await env.currentTimeMs();
      for (const contactId of ['heavy', 'occasional', 'first']) {
        const result = await enrollInJourney(deps(), {
          workspaceId,
          journeyId,
          contactId,
          entry: { kind: 'segmentEntered', at: new Date(startedAt).toISOString() },
          enrolledBy: `test:${contactId}`,
          now: new Date(startedAt),
        });
        expect(result).toMatchObject({ enrolled: true, version: 1 });
      }
      // A second enrolment of a running contact is refused by the re-entry rule, not a second run.
      const again = await enrollInJourney(deps(), {
        workspaceId,
        journeyId,
        contactId: 'first',
        entry: { kind: 'manual', at: new Date().toISOString() },
        enrolledBy: 'test:again',
        now: new Date(),
      });
      expect(again).toEqual({ enroll: false, reason: 'alreadyInJourney' });

      // Waiting at a delay, the run record says when the contact moves on by itself (the server's clock
      // stands still while nothing waits on a result).
      let waiting: { nodeId?: string; wakeUpAt?: string } | undefined;
      for (let i = 0; i < 200 && waiting?.nodeId !== 'wait-onboarding-2'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        waiting = (await findContactJourneys(db.connection, workspaceId, 'first'))?.runs[journeyId];
      }
      expect(waiting).toMatchObject({ status: 'active', nodeId: 'wait-onboarding-2' });
      expect(Math.abs(Date.parse(waiting!.wakeUpAt!) - startedAt - 3 * DAY)).toBeLessThan(60_000);

      for (const contactId of ['heavy', 'occasional', 'first']) await finish(journeyId, contactId);
      // Done: nothing left to wake up for.
      expect(
        (await findContactJourneys(db.connection, workspaceId, 'first'))?.runs[journeyId]?.wakeUpAt,
      ).toBeUndefined();

      expect(await path(journeyId, 'heavy')).toMatchObject({
        status: 'completed',
        nodes: ['trigger', 'by-frequency', 'early-access'],
      });
      expect(await path(journeyId, 'occasional')).toMatchObject({
        status: 'completed',
        // The incentive's 14 days pass without a heavy-buyer order: no early access.
        nodes: ['trigger', 'by-frequency', 'incentive', 'wait-incentive'],
      });
      expect((await path(journeyId, 'first')).nodes).toEqual([
        'trigger',
        'by-frequency',
        'onboarding-1',
        'wait-onboarding-2',
        'onboarding-2',
        'wait-onboarding-3',
        'onboarding-3',
      ]);

      const firstSends = sends.filter((s) => s.contactId === 'first');
      expect(firstSends.map((s) => s.nodeId)).toEqual([
        'onboarding-1',
        'onboarding-2',
        'onboarding-3',
      ]);
      const [s1, s2, s3] = firstSends.map((s) => s.at) as [number, number, number];
      expect(s1 - startedAt).toBeLessThan(60_000);
      expect(Math.abs(s2 - s1 - 3 * DAY)).toBeLessThan(60_000);
      expect(Math.abs(s3 - s2 - 4 * DAY)).toBeLessThan(60_000);
      expect(sends.filter((s) => s.contactId === 'heavy').map((s) => s.nodeId)).toEqual([
        'early-access',
      ]);
      expect(sends.filter((s) => s.contactId === 'occasional').map((s) => s.nodeId)).toEqual([
        'incentive',
      ]);
      expect(new Set(sends.map((s) => s.idempotencyKey)).size).toBe(sends.length);

      const stats = await journeyStats(db.connection, workspaceId, journeyId, [
        'trigger',
        'by-frequency',
        'onboarding-1',
        'onboarding-3',
        'exit',
      ]);
      expect(stats.nodes['trigger']).toMatchObject({ entered: 3 });
      expect(stats.nodes['by-frequency']!.outputs).toEqual({
        heavy: 1,
        occasional: 1,
        'first-time': 1,
      });
      expect(stats.nodes['onboarding-1']).toMatchObject({ entered: 1, sent: 1 });
      expect(stats.nodes['exit']).toMatchObject({ entered: 3, waiting: 0 });
    });
  }, 180_000);

  it('runs "Streaming win-back": a viewer who comes back exits, one who does not gets the nudge after 7 days', async () => {
    taskQueue = `journeys-${randomUUID()}`;
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'streaming-win-back')!;
    const journeyId = await publish(instantiateTemplate(template, { lapsedSegmentId: 'lapsed' }));
    for (const contactId of ['returns', 'stays-away']) {
      await orders(contactId, 0);
      await contactModel(db.connection).updateOne(
        { _id: contactKey(workspaceId, contactId) },
        { $set: { 'segments.lapsed': { since: Date.now(), version: 1 } } },
      );
    }
    // Ingestion queued triggers for the set-up events; this test enqueues its own.
    await journeyTriggerModel(db.connection).deleteMany({});
    // No rechecks here: the ghost below is stale at once (rechecks have their own assertions further on).
    const dispatcher = new JourneyDispatcher({
      ...deps(),
      membershipRechecks: 0,
      log: { info: () => undefined, warn: (o) => console.warn(o) },
    });
    const worker = await newWorker();
    await worker.runUntil(async () => {
      const t0 = await env.currentTimeMs();
      await enqueueJourneyTriggers(db.connection, [
        { workspaceId, contactId: 'returns', kind: 'segmentEntered', segmentId: 'lapsed', at: t0 },
        {
          workspaceId,
          contactId: 'stays-away',
          kind: 'segmentEntered',
          segmentId: 'lapsed',
          at: t0,
        },
        // Entered and left again before the dispatcher saw it: a stale trigger enrols nobody.
        { workspaceId, contactId: 'ghost', kind: 'segmentEntered', segmentId: 'lapsed', at: t0 },
      ]);
      expect(await dispatcher.dispatchOnce()).toMatchObject({
        processed: 3,
        failed: 0,
        enrolled: 2,
      });
      expect(await journeyTriggerModel(db.connection).countDocuments()).toBe(0);

      // Triggers are written before the membership: one read in between is retried, not dropped.
      const patient = new JourneyDispatcher({
        ...deps(),
        log: { info: () => undefined, warn: (o) => console.warn(o) },
      });
      await orders('late', 0);
      await journeyTriggerModel(db.connection).deleteMany({});
      await enqueueJourneyTriggers(db.connection, [
        { workspaceId, contactId: 'late', kind: 'segmentEntered', segmentId: 'lapsed', at: t0 },
      ]);
      expect(await patient.dispatchOnce()).toMatchObject({ processed: 0, failed: 1, enrolled: 0 });
      await contactModel(db.connection).updateOne(
        { _id: contactKey(workspaceId, 'late') },
        { $set: { 'segments.lapsed': { since: Date.now(), version: 1 } } },
      );
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // the first retry waits 2 s
      expect(await patient.dispatchOnce()).toMatchObject({ processed: 1, failed: 0, enrolled: 1 });

      await env.sleep(2 * DAY);
      const watchedAt = await env.currentTimeMs();
      await enqueueJourneyTriggers(db.connection, [
        {
          workspaceId,
          contactId: 'returns',
          kind: 'event',
          event: 'Video Watched',
          messageId: 'w1',
          properties: { title: 'Dune' },
          at: watchedAt,
        },
      ]);
      expect(await dispatcher.dispatchOnce()).toMatchObject({ processed: 1, signalled: 1 });

      await finish(journeyId, 'returns');
      await finish(journeyId, 'stays-away');
      await finish(journeyId, 'late'); // leave no run behind: a waiting one would stall the next test's clock
      expect(await path(journeyId, 'returns')).toMatchObject({
        status: 'completed',
        nodes: ['trigger', 'recommend', 'wait-watch'],
      });
      expect((await path(journeyId, 'returns')).steps.at(-1)).toMatchObject({
        nodeId: 'wait-watch',
        output: 'matched',
      });
      expect(await path(journeyId, 'stays-away')).toMatchObject({
        status: 'completed',
        nodes: ['trigger', 'recommend', 'wait-watch', 'nudge'],
      });
      expect(sends.filter((s) => s.contactId === 'returns').map((s) => s.nodeId)).toEqual([
        'recommend',
      ]);
      const away = sends.filter((s) => s.contactId === 'stays-away');
      expect(away.map((s) => s.nodeId)).toEqual(['recommend', 'nudge']);
      expect(Math.abs(away[1]!.at - away[0]!.at - 7 * DAY)).toBeLessThan(60_000);
      expect(await findContactJourneys(db.connection, workspaceId, 'ghost')).toBeNull();
    });
  }, 180_000);

  it('loses no contact and repeats no send when the worker dies mid-journey', async () => {
    taskQueue = `journeys-${randomUUID()}`;
    const template = JOURNEY_TEMPLATES.find((t) => t.id === 'ecommerce-purchase-frequency')!;
    const journeyId = await publish(
      instantiateTemplate(template, { customersSegmentId: 'customers' }),
    );
    await orders('crash', 1);

    const first = await newWorker();
    const running = first.run();
    await enrollInJourney(deps(), {
      workspaceId,
      journeyId,
      contactId: 'crash',
      entry: { kind: 'manual', at: new Date().toISOString() },
      enrolledBy: 'test:crash',
      now: new Date(),
    });
    // Wait (in real time) until the first email went out and the run sleeps on its 3-day delay.
    for (let i = 0; i < 200 && (await path(journeyId, 'crash')).nodes.length < 3; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await path(journeyId, 'crash')).nodes).toEqual([
      'trigger',
      'by-frequency',
      'onboarding-1',
    ]);
    first.shutdown();
    await running;

    const second = await newWorker();
    await second.runUntil(finish(journeyId, 'crash'));
    const crashSends = sends.filter((s) => s.contactId === 'crash');
    expect(crashSends.map((s) => s.nodeId)).toEqual([
      'onboarding-1',
      'onboarding-2',
      'onboarding-3',
    ]);
    expect(await path(journeyId, 'crash')).toMatchObject({ status: 'completed' });
  }, 180_000);

  it('ends the run as failed, after one attempt, when an action fails permanently', async () => {
    taskQueue = `journeys-${randomUUID()}`;
    const journeyId = await publish({
      name: 'CRM follow-up',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
        { id: 'crm', kind: 'action', action: { type: 'crmTask', version: 1 }, config: {} },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'crm' },
        { id: 'e2', source: 'crm', sourceHandle: 'next', target: 'exit' },
      ],
    });
    await orders('refused', 0);
    const worker = await newWorker();
    await worker.runUntil(async () => {
      await enrollInJourney(deps(), {
        workspaceId,
        journeyId,
        contactId: 'refused',
        entry: { kind: 'manual', at: new Date().toISOString() },
        enrolledBy: 'test:refused',
        now: new Date(),
      });
      expect(await finish(journeyId, 'refused')).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('CRM refused the task (403)'),
      });
    });
    expect(refusals).toBe(1);
    expect(await path(journeyId, 'refused')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('crmTask@1 at "crm" failed'),
    });
  }, 120_000);

  it('replays every recorded history with the current workflow code', async () => {
    expect(histories.length).toBeGreaterThanOrEqual(6);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle },
      histories as never,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
