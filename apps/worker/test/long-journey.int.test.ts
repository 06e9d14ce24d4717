import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ActionRegistry } from '@cairn/action-sdk';
import {
  evaluateSegment,
  simulateJourney,
  validateJourney,
  type JourneyDefinition,
} from '@cairn/core';
import {
  contactKey,
  contactModel,
  createJourney,
  findContactJourneys,
  ingestEvents,
  journeyStats,
  loadProfile,
  publishJourneyDraft,
  type Database,
} from '@cairn/db';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

const DAY = 86_400_000;
/** Lowered from the default 2,000 so that 1,000 steps cross it many times. */
const THRESHOLD = 300;
/**
 * The length is checked once per loop turn, as of the turn's workflow task: a run may pass the threshold by
 * one turn (task, two markers, timer: 7 events) and the hand-over (task completed, markers, continued-as-new).
 */
const OVERSHOOT = 12;

// Waits a day, then checks whether the contact signed up more than 500 days ago; loops until then.
const untilAnniversary: JourneyDefinition = {
  name: 'Daily until 500 days after sign-up',
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
              value: { amount: 500, unit: 'days' },
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

describe('a long looping journey continues as new and ends where the interpreter says', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const registry = new ActionRegistry([]);
  const taskQueue = `long-journey-${randomUUID()}`;
  useWorkerTestStack('long_journey', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));

  it('1,000 steps of a delay → branch loop: several runs, each under the threshold, same end and counts as simulateJourney', async () => {
    const { journeyId } = await createJourney(db.connection, workspaceId, {
      name: untilAnniversary.name,
      definition: untilAnniversary,
    });
    expect(
      await publishJourneyDraft(db.connection, workspaceId, journeyId, {
        check: async (def) =>
          validateJourney(def, { catalog: registry.catalog(), segmentExists: () => true }),
      }),
    ).toEqual({ ok: true, version: 1 });

    const deps = { db, client: env.client, taskQueue, registry, searchAttributes: false };
    const workflowBundle = await bundleCairnWorkflows();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createJourneyActivities(deps),
    });

    const startedAt = await env.currentTimeMs();
    // Half a day off the daily checks, so a few ms of activity time cannot move the day the branch flips.
    const signedUpAt = startedAt - DAY / 2;
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
          traits: { signedUpAt: new Date(signedUpAt).toISOString() },
          context: {},
          timestamp: signedUpAt,
          receivedAt: signedUpAt,
        },
      ],
      { now: startedAt },
    );

    const { outcome, histories } = await worker.runUntil(async () => {
      const enrolled = await enrollInJourney(deps, {
        workspaceId,
        journeyId,
        contactId: 'ann',
        entry: { kind: 'manual', at: new Date(startedAt).toISOString() },
        enrolledBy: 'test:long',
        now: new Date(startedAt),
        maxHistoryEvents: THRESHOLD,
      });
      if (!('workflowId' in enrolled)) throw new Error(`not enrolled: ${enrolled.reason}`);
      const last = env.client.workflow.getHandle(enrolled.workflowId);
      const outcome = await last.result();
      // Walk the chain back from the last run to the first.
      const histories = [];
      let runId: string | undefined = (await last.describe()).runId;
      while (runId) {
        const history = await env.client.workflow
          .getHandle(enrolled.workflowId, runId)
          .fetchHistory();
        histories.unshift(history);
        runId =
          history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ||
          undefined;
      }
      return { outcome, histories };
    });

    const doc = await contactModel(db.connection).findById(contactKey(workspaceId, 'ann')).lean();
    const profile = await loadProfile(db.connection, doc!);
    const simulated = simulateJourney(untilAnniversary, {
      contact: { id: 'ann', profile: profile as unknown as Record<string, unknown> },
      startAt: new Date(startedAt),
      until: new Date(startedAt + 600 * DAY),
      evaluateCondition: (group, facts) =>
        evaluateSegment(group, {
          contactId: 'ann',
          profile,
          now: facts.now,
          memberships: new Set(),
        }).matches,
    });

    // The loop is as long as the test claims: 500 turns of delay and branch.
    expect(simulated.path.length).toBeGreaterThanOrEqual(1_000);
    expect(outcome).toEqual({
      status: simulated.state.status,
      reason: simulated.state.completion?.reason,
      nodeId: simulated.state.nodeId,
      steps: simulated.state.steps.length,
    });
    const sizes = histories.map((h) => h.events?.length ?? 0);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(sizes.filter((n) => n > THRESHOLD + OVERSHOOT)).toEqual([]);
    const handedOver = histories.map((h) =>
      Boolean(h.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes),
    );
    expect(handedOver).toEqual([...sizes.slice(1).map(() => true), false]);
    // Each run, the ones begun from a carried state included, replays with the code that wrote it.
    const replays = Worker.runReplayHistories(
      { workflowBundle },
      histories.map((history, i) => ({ workflowId: `run-${i + 1}`, history })),
    );
    for await (const replay of replays) expect(replay.error).toBeUndefined();

    // What a user sees: the contact's run record (its recent steps) and the journey's node counts.
    const record = (await findContactJourneys(db.connection, workspaceId, 'ann'))?.runs[journeyId];
    expect(record).toMatchObject({ status: simulated.state.status });
    expect(record?.steps.map((s) => `${s.nodeId}/${s.output}`).slice(-50)).toEqual(
      simulated.state.steps.map((s) => `${s.nodeId}/${s.output}`).slice(-50),
    );
    const nodeIds = untilAnniversary.nodes.map((n) => n.id);
    const stats = await journeyStats(db.connection, workspaceId, journeyId, nodeIds);
    expect(Object.fromEntries(nodeIds.map((id) => [id, stats.nodes[id]?.entered]))).toEqual(
      simulated.state.counters.visits,
    );
    console.log(
      `long journey: ${simulated.path.length} steps in ${sizes.length} runs of ${sizes.join(', ')} history events`,
    );
  }, 600_000);
});
