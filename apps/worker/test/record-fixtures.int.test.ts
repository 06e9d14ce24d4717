// Runs journeys through every node kind (and a continue-as-new) on the current workflow code and replays
// their histories. With RECORD_FIXTURES=1 it also stores each history under test/fixtures/, once: a file
// already there is kept as it is, since a fixture is the previous code's history (see CONTRIBUTING.md).
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { z } from 'zod';
import { ActionRegistry, defineAction } from '@cairn/action-sdk';
import { validateJourney, type JourneyDefinition } from '@cairn/core';
import {
  contactKey,
  contactModel,
  createJourney,
  findContactJourneys,
  ingestEvents,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { JOURNEY_SIGNALS } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIXTURES = join(__dirname, 'fixtures');

const email = defineAction({
  type: 'email',
  version: 1,
  title: 'Email (recorded)',
  description: 'Sends nothing; answers "sent".',
  category: 'message',
  icon: 'mail',
  configSchema: z.object({ subject: z.string() }),
  outputs: [{ name: 'sent' }, { name: 'skipped' }],
  async run() {
    return { output: 'sent' };
  },
});

const planIs = (value: string) => ({
  type: 'all' as const,
  conditions: [{ type: 'trait' as const, field: 'plan', operator: 'eq' as const, value }],
});

/** Every node kind but the loop's, on one path; each wait is left by what a contact does or by time. */
function everyKind(waitUntil: Date): JourneyDefinition {
  const edge = (source: string, sourceHandle: string, target: string) => ({
    id: `${source}-${sourceHandle}`,
    source,
    sourceHandle,
    target,
  });
  return {
    name: 'Every node kind',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
      { id: 'delay', kind: 'delay', duration: { amount: 1, unit: 'hours' } },
      { id: 'until', kind: 'waitUntil', until: { type: 'datetime', at: waitUntil.toISOString() } },
      {
        id: 'order',
        kind: 'waitFor',
        for: { type: 'event', event: 'Order Completed' },
        timeout: { amount: 3, unit: 'days' },
      },
      { id: 'isPro', kind: 'branch', condition: { on: 'profile', condition: planIs('pro') } },
      {
        id: 'split',
        kind: 'multiSplit',
        branches: [
          { id: 'vip', label: 'VIP', condition: { on: 'segment', segmentId: 'vip', member: true } },
        ],
      },
      {
        id: 'ab',
        kind: 'randomSplit',
        variants: [
          { id: 'a', label: 'A', weight: 1 },
          { id: 'b', label: 'B', weight: 1 },
        ],
      },
      {
        id: 'mail',
        kind: 'action',
        action: { type: 'email', version: 1 },
        config: { subject: 'Hi' },
      },
      {
        id: 'upgrade',
        kind: 'waitFor',
        for: {
          type: 'condition',
          condition: {
            type: 'all',
            conditions: [{ type: 'trait', field: 'onboarded', operator: 'eq', value: true }],
          },
        },
        timeout: { amount: 2, unit: 'days' },
      },
      { id: 'goal', kind: 'goal', condition: { on: 'profile', condition: planIs('pro') } },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      edge('trigger', 'next', 'delay'),
      edge('delay', 'next', 'until'),
      edge('until', 'next', 'order'),
      edge('order', 'matched', 'isPro'),
      edge('order', 'timeout', 'exit'),
      edge('isPro', 'yes', 'split'),
      edge('isPro', 'no', 'split'),
      edge('split', 'vip', 'ab'),
      edge('split', 'else', 'ab'),
      edge('ab', 'a', 'mail'),
      edge('ab', 'b', 'mail'),
      edge('mail', 'sent', 'upgrade'),
      edge('mail', 'skipped', 'upgrade'),
      edge('upgrade', 'matched', 'goal'),
      edge('upgrade', 'timeout', 'goal'),
      edge('goal', 'next', 'exit'),
    ],
  } as JourneyDefinition;
}

/** A daily loop for ten days: long enough to continue as new under a lowered threshold. */
const tenDays: JourneyDefinition = {
  name: 'Daily for ten days',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
    { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    {
      id: 'check',
      kind: 'branch',
      condition: {
        on: 'profile',
        condition: {
          type: 'all',
          conditions: [
            {
              type: 'trait',
              field: 'signedUpAt',
              operator: 'moreThanAgo',
              value: { amount: 10, unit: 'days' },
            },
          ],
        },
      },
    },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'check' },
    { id: 'e3', source: 'check', sourceHandle: 'no', target: 'wait' },
    { id: 'e4', source: 'check', sourceHandle: 'yes', target: 'done' },
  ],
} as JourneyDefinition;

/** Sends a daily email until the contact signed up six days ago: a loop whose hand-over can land on a pending email. */
const dailyEmail: JourneyDefinition = {
  name: 'Daily email for a week',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
    { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'days' } },
    {
      id: 'mail',
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: { subject: 'Day' },
    },
    {
      id: 'check',
      kind: 'branch',
      condition: {
        on: 'profile',
        condition: {
          type: 'all',
          conditions: [
            {
              type: 'trait',
              field: 'signedUpAt',
              operator: 'moreThanAgo',
              value: { amount: 6, unit: 'days' },
            },
          ],
        },
      },
    },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'mail' },
    { id: 'e3', source: 'mail', sourceHandle: 'sent', target: 'check' },
    { id: 'e4', source: 'mail', sourceHandle: 'skipped', target: 'check' },
    { id: 'e5', source: 'check', sourceHandle: 'no', target: 'wait' },
    { id: 'e6', source: 'check', sourceHandle: 'yes', target: 'done' },
  ],
} as JourneyDefinition;

/** An email that quiet hours hold back: a timer, then the action, from one interpreter wait. */
function quietEmail(nowMs: number): JourneyDefinition {
  const hour = new Date(nowMs).getUTCHours();
  const hhmm = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  return {
    name: 'Email after quiet hours',
    settings: {
      reentry: { policy: 'never' },
      exitOnSegmentExit: false,
      holdoutPercent: 0,
      quietHours: { start: hhmm(hour - 1), end: hhmm(hour + 2), defaultTimezone: 'UTC' },
    },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
      {
        id: 'mail',
        kind: 'action',
        action: { type: 'email', version: 1 },
        config: { subject: 'Hi' },
      },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'mail' },
      { id: 'e2', source: 'mail', sourceHandle: 'sent', target: 'exit' },
      { id: 'e3', source: 'mail', sourceHandle: 'skipped', target: 'exit' },
    ],
  } as JourneyDefinition;
}

/** Waits for a renewal date the contact does not have yet: rechecked after an event, then slept to. */
const renewalDate: JourneyDefinition = {
  name: 'On the renewal date',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'manual' } },
    {
      id: 'renewal',
      kind: 'waitUntil',
      until: {
        type: 'profileDate',
        field: 'traits.renewal_at',
        offset: { amount: 0, unit: 'days' },
        ifMissing: { then: 'waitForDate', timeout: { amount: 5, unit: 'days' } },
      },
    },
    { id: 'exit', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'renewal' },
    { id: 'e2', source: 'renewal', sourceHandle: 'next', target: 'exit' },
  ],
} as JourneyDefinition;

type History = temporal.api.history.v1.IHistory;

/** Every run of a workflow, first to last, following continue-as-new back from the last. */
async function runsOf(env: TestWorkflowEnvironment, workflowId: string): Promise<History[]> {
  const histories: History[] = [];
  let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe())
    .runId;
  while (runId) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(history);
    runId =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ||
      undefined;
  }
  return histories;
}

/** The JSON payloads of one history event (a workflow's input, for its first event). */
function payloadsOfEvent(event: temporal.api.history.v1.IHistoryEvent | undefined): unknown[] {
  const payloads = event?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return payloads.map((p) => JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString()));
}

describe('histories of every node kind, recorded from the current workflow code', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let bundle: WorkflowBundleWithSourceMap;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const registry = new ActionRegistry([email]);
  const taskQueue = `fixtures-${randomUUID()}`;
  const deps = () => ({ db, client: env.client, taskQueue, registry, searchAttributes: false });

  useWorkerTestStack('record_fixtures', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 180_000);

  async function publish(definition: JourneyDefinition) {
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: definition.name,
      definition,
    });
    expect(
      await publishJourneyDraft(db.connection, workspaceId, journeyId, {
        check: async (def) =>
          validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
      }),
    ).toEqual({ ok: true, version: 1 });
    return journeyId;
  }

  async function identify(contactId: string, traits: Record<string, unknown>, at: number) {
    await ingestEvents(
      db.connection,
      workspaceId,
      [
        {
          messageId: `${contactId}-${at}`,
          type: 'identify',
          userId: contactId,
          event: 'Identify',
          properties: {},
          traits,
          context: {},
          timestamp: at,
          receivedAt: at,
        },
      ],
      { now: at },
    );
  }

  async function enroll(journeyId: string, contactId: string, at: number, maxHistory?: number) {
    const enrolled = await enrollInJourney(deps(), {
      workspaceId,
      journeyId,
      contactId,
      entry: { kind: 'manual', at: new Date(at).toISOString() },
      enrolledBy: `fixture:${contactId}`,
      now: new Date(at),
      ...(maxHistory !== undefined ? { maxHistoryEvents: maxHistory } : {}),
    });
    if (!('workflowId' in enrolled)) throw new Error(`not enrolled: ${enrolled.reason}`);
    return env.client.workflow.getHandle(enrolled.workflowId);
  }

  it('runs each journey to its end, replays its runs, and stores them when asked', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createJourneyActivities(deps()),
    });
    const recorded: { name: string; workflowId: string; history: History }[] = [];
    await worker.runUntil(async () => {
      const t0 = await env.currentTimeMs();

      // Every kind: waits on a timer, a date, an event, a condition; a vip member, on the free plan.
      const tour = await publish(everyKind(new Date(t0 + 2 * DAY)));
      await identify('ann', { plan: 'free' }, t0);
      await contactModel(db.connection).updateOne(
        { _id: contactKey(workspaceId, 'ann') },
        { $set: { 'segments.vip': { since: t0, version: 1, rev: 1 } } },
      );
      const ann: WorkflowHandle = await enroll(tour, 'ann', t0);
      await env.sleep(2 * DAY + 12 * HOUR);
      await ann.signal(JOURNEY_SIGNALS.contactEvent, {
        event: 'Order Completed',
        properties: { order_id: 'o1' },
        timestamp: new Date(t0 + 2 * DAY + 12 * HOUR).toISOString(),
      });
      await env.sleep(HOUR);
      await identify('ann', { onboarded: true }, t0 + 2 * DAY + 13 * HOUR);
      await ann.signal(JOURNEY_SIGNALS.profileChanged);
      expect(await ann.result()).toMatchObject({ status: 'completed', nodeId: 'exit' });
      // The run went through every node, each wait left the way it was meant to.
      const steps = (await findContactJourneys(db.connection, workspaceId, 'ann'))?.runs[tour]
        ?.steps;
      expect(steps?.map((s) => `${s.nodeId}/${s.output}`)).toEqual([
        'trigger/next',
        'delay/next',
        'until/next',
        'order/matched',
        'isPro/no',
        'split/vip',
        expect.stringMatching(/^ab\/[ab]$/),
        'mail/sent',
        'upgrade/matched',
        'goal/next',
      ]);
      const [tourRun] = await runsOf(env, ann.workflowId);
      recorded.push({ name: 'every-node-kind', workflowId: ann.workflowId, history: tourRun! });

      // A contact who upgrades while waiting for an order jumps to the goal and converts.
      const t2 = await env.currentTimeMs();
      await identify('cat', { plan: 'free' }, t2);
      const cat = await enroll(tour, 'cat', t2);
      await env.sleep(2 * DAY);
      await identify('cat', { plan: 'pro' }, t2 + 2 * DAY);
      await cat.signal(JOURNEY_SIGNALS.profileChanged);
      expect(await cat.result()).toMatchObject({ status: 'completed', nodeId: 'exit' });
      const catSteps = (await findContactJourneys(db.connection, workspaceId, 'cat'))?.runs[tour]
        ?.steps;
      expect(catSteps?.map((s) => `${s.nodeId}/${s.output}`)).toEqual([
        'trigger/next',
        'delay/next',
        'until/next',
        'goal/next',
      ]);
      const [catRun] = await runsOf(env, cat.workflowId);
      recorded.push({ name: 'goal-jump', workflowId: cat.workflowId, history: catRun! });

      // A loop whose runs hand over to the next one.
      const loop = await publish(tenDays);
      const t1 = await env.currentTimeMs();
      await identify('bob', { signedUpAt: new Date(t1 - 12 * HOUR).toISOString() }, t1);
      const bob = await enroll(loop, 'bob', t1, 40);
      expect(await bob.result()).toMatchObject({ status: 'completed', nodeId: 'done' });
      const loopRuns = await runsOf(env, bob.workflowId);
      expect(loopRuns.length).toBeGreaterThanOrEqual(2);
      loopRuns.slice(0, 2).forEach((history, i) =>
        recorded.push({
          name: `continue-as-new-run-${i + 1}`,
          workflowId: bob.workflowId,
          history,
        }),
      );

      // An email held back by quiet hours: the step waits on a timer, then runs the action.
      const t3 = await env.currentTimeMs();
      const quiet = await publish(quietEmail(t3));
      await identify('dan', { plan: 'free' }, t3);
      const dan = await enroll(quiet, 'dan', t3);
      expect(await dan.result()).toMatchObject({ status: 'completed', nodeId: 'exit' });
      const danSteps = (await findContactJourneys(db.connection, workspaceId, 'dan'))?.runs[quiet]
        ?.steps;
      expect(danSteps?.map((s) => `${s.nodeId}/${s.output}`)).toEqual([
        'trigger/next',
        'mail/sent',
      ]);
      expect(Date.parse(danSteps![1]!.at) - t3).toBeGreaterThan(HOUR);
      const [danRun] = await runsOf(env, dan.workflowId);
      recorded.push({ name: 'quiet-hours', workflowId: dan.workflowId, history: danRun! });

      // A date the contact gets only later: looked for again shortly after an event, then waited for.
      const t4 = await env.currentTimeMs();
      const renew = await publish(renewalDate);
      await identify('eve', { plan: 'free' }, t4);
      const eve = await enroll(renew, 'eve', t4);
      await env.sleep(HOUR);
      // The event comes first, without the date: the run looks again 30 s later rather than in hours.
      await eve.signal(JOURNEY_SIGNALS.contactEvent, {
        event: 'Page Viewed',
        properties: {},
        timestamp: new Date(t4 + HOUR).toISOString(),
      });
      await env.sleep(10_000);
      await identify('eve', { renewal_at: new Date(t4 + 2 * DAY).toISOString() }, t4 + HOUR);
      expect(await eve.result()).toMatchObject({ status: 'completed', nodeId: 'exit' });
      const eveSteps = (await findContactJourneys(db.connection, workspaceId, 'eve'))?.runs[renew]
        ?.steps;
      expect(eveSteps?.map((s) => s.nodeId)).toEqual(['trigger', 'renewal']);
      expect(Date.parse(eveSteps![1]!.at)).toBeGreaterThanOrEqual(t4 + 2 * DAY);
      const [eveRun] = await runsOf(env, eve.workflowId);
      recorded.push({ name: 'profile-date-recheck', workflowId: eve.workflowId, history: eveRun! });

      // A loop with an email whose hand-over carries an email not yet sent: the next run starts by sending it.
      const daily = await publish(dailyEmail);
      let handedOver: History[] | undefined;
      for (let threshold = 30; threshold <= 44 && !handedOver; threshold += 2) {
        const t5 = await env.currentTimeMs();
        const id = `fay-${threshold}`;
        await identify(id, { signedUpAt: new Date(t5 - 12 * HOUR).toISOString() }, t5);
        const fay = await enroll(daily, id, t5, threshold);
        expect(await fay.result()).toMatchObject({ status: 'completed', nodeId: 'done' });
        const runs = await runsOf(env, fay.workflowId);
        const carried = (history: History) =>
          payloadsOfEvent(history.events?.[0]) as { carried?: { state?: { status?: string } } }[];
        const second = runs.findIndex(
          (h, i) => i > 0 && carried(h)[0]?.carried?.state?.status === 'running',
        );
        if (second > 0) {
          handedOver = [runs[second - 1]!, runs[second]!];
          handedOver.forEach((history, i) =>
            recorded.push({
              name: `continue-as-new-pending-action-run-${i + 1}`,
              workflowId: fay.workflowId,
              history,
            }),
          );
        }
      }
      expect(handedOver).toBeDefined();
    });

    // The current code replays what it has just recorded.
    for (const { workflowId, history } of recorded)
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId),
      ).resolves.toBeUndefined();

    // FIXTURE_SUFFIX names the code that recorded a scenario already stored from an earlier release.
    const suffix = process.env.FIXTURE_SUFFIX ? `.${process.env.FIXTURE_SUFFIX}` : '';
    if (process.env.RECORD_FIXTURES === '1')
      for (const { name, history } of recorded) {
        const file = join(FIXTURES, `${name}${suffix}.json`);
        if (existsSync(file)) continue;
        const json = temporal.api.history.v1.History.fromObject(history).toJSON();
        writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
      }
  }, 600_000);
});
