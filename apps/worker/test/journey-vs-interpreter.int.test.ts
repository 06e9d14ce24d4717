import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { z } from 'zod';
import { ActionRegistry, defineAction } from '@cairn/action-sdk';
import {
  evaluateSegment,
  nodeOutputs,
  simulateJourney,
  validateJourney,
  type ActionCatalog,
  type BranchCondition,
  type CairnEvent,
  type JourneyDefinition,
  type JourneyNode,
} from '@cairn/core';
import {
  contactKey,
  contactModel,
  createJourney,
  findContactJourneys,
  ingestEvents,
  publishJourneyDraft,
  loadProfile,
  type Database,
} from '@cairn/db';
import { journeyWorkflowId } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

const DAY = 86_400_000;
const JOURNEYS = 15;

/** A stand-in integration step whose answer is part of its config, so the simulator can be told the same answer. */
const lookup = defineAction({
  type: 'crmLookup',
  version: 1,
  title: 'CRM lookup (stub)',
  description: 'Answers what its config says.',
  category: 'integration',
  icon: 'search',
  configSchema: z.object({ answer: z.enum(['found', 'missing']) }),
  outputs: [{ name: 'found' }, { name: 'missing' }],
  async run(_ctx, config) {
    return { output: config.answer };
  },
});

/** Three kinds of contact, so profile and segment conditions go both ways across the sample. */
const CONTACTS = [
  { id: 'pro-buyer', traits: { plan: 'pro', country: 'FR' }, orders: 3, segments: ['vip'] },
  { id: 'free-browser', traits: { plan: 'free', country: 'US' }, orders: 0, segments: [] },
  {
    id: 'lapsed-regular',
    traits: { plan: 'free', country: 'DE' },
    orders: 1,
    segments: ['lapsed'],
  },
] as const;

// Conditions that do not move with time, so "when" a branch is evaluated cannot explain a difference.
const condition: fc.Arbitrary<BranchCondition> = fc.oneof(
  fc.record({
    on: fc.constant('segment' as const),
    segmentId: fc.constantFrom('vip', 'lapsed'),
    member: fc.boolean(),
  }),
  fc.constantFrom<BranchCondition>(
    {
      on: 'profile',
      condition: {
        type: 'all',
        conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
      },
    },
    {
      on: 'profile',
      condition: {
        type: 'any',
        conditions: [{ type: 'trait', field: 'country', operator: 'in', value: ['FR', 'DE'] }],
      },
    },
    {
      on: 'profile',
      condition: {
        type: 'all',
        conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
      },
    },
    {
      on: 'profile',
      condition: {
        type: 'none',
        conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 }],
      },
    },
  ),
);

const nodeBody: fc.Arbitrary<Omit<JourneyNode, 'id'>> = fc.oneof(
  fc.record({
    kind: fc.constant('delay' as const),
    duration: fc.record({
      amount: fc.integer({ min: 1, max: 5 }),
      unit: fc.constantFrom('minutes' as const, 'hours' as const, 'days' as const),
    }),
  }),
  fc.record({ kind: fc.constant('branch' as const), condition }),
  fc.array(condition, { minLength: 1, maxLength: 3 }).map((cs) => ({
    kind: 'multiSplit' as const,
    branches: cs.map((c, i) => ({ id: `b${i}`, label: `B${i}`, condition: c })),
  })),
  fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 3 }).map((ws) => ({
    kind: 'randomSplit' as const,
    variants: ws.map((w, i) => ({ id: `v${i}`, label: `V${i}`, weight: w })),
  })),
  fc.constantFrom('found' as const, 'missing' as const).map((answer) => ({
    kind: 'action' as const,
    action: { type: 'crmLookup', version: 1 },
    config: { answer },
  })),
);

/**
 * A random valid journey (the idea of core's properties.test.ts): trigger, nodes in order, Exit. Each
 * node's first output goes to the next node so every node is reachable; other outputs jump to any later
 * node, so there are no loops and every run ends.
 */
function journeyArbitrary(catalog: ActionCatalog): fc.Arbitrary<JourneyDefinition> {
  return fc
    .record({
      bodies: fc.array(nodeBody, { minLength: 2, maxLength: 9 }),
      picks: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
    })
    .map(({ bodies, picks }) => {
      const nodes: JourneyNode[] = [
        { id: 'n0', kind: 'trigger', trigger: { type: 'manual' } },
        ...bodies.map((b, i) => ({ ...b, id: `n${i + 1}` }) as JourneyNode),
        { id: `n${bodies.length + 1}`, kind: 'exit' },
      ];
      const edges: JourneyDefinition['edges'] = [];
      let p = 0;
      nodes.forEach((node, i) => {
        nodeOutputs(node, catalog).forEach((output, k) => {
          const later = nodes.length - (i + 1);
          const target = k === 0 ? i + 1 : i + 1 + ((picks[p++ % picks.length] ?? 0) % later);
          edges.push({
            id: `e${edges.length}`,
            source: node.id,
            sourceHandle: output,
            target: nodes[target]!.id,
          });
        });
      });
      return {
        name: 'random',
        settings: {
          reentry: { policy: 'never' as const },
          exitOnSegmentExit: false,
          holdoutPercent: 0,
        },
        nodes,
        edges,
      };
    })
    .filter((def) => validateJourney(def, { catalog, segmentExists: () => true }).length === 0);
}

describe('a journey run by the workflow takes the path the pure interpreter predicts', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  const registry = new ActionRegistry([lookup]);
  const catalog = registry.catalog();
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const taskQueue = `journey-vs-interpreter-${randomUUID()}`;
  useWorkerTestStack('journey_vs_interp', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));

  it(`matches simulateJourney node for node on ${JOURNEYS} random journeys`, async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const samples = fc.sample(fc.tuple(journeyArbitrary(catalog), fc.constantFrom(...CONTACTS)), {
      numRuns: JOURNEYS,
      seed,
    });

    const start = Date.now() - 100 * DAY;
    for (const contact of CONTACTS) {
      const events: CairnEvent[] = [
        {
          messageId: `${contact.id}-identify`,
          type: 'identify',
          userId: contact.id,
          event: 'Identify',
          properties: {},
          traits: { ...contact.traits },
          context: {},
          timestamp: start,
          receivedAt: start,
        },
        ...Array.from({ length: contact.orders }, (_, i) => ({
          messageId: `${contact.id}-order-${i}`,
          type: 'track' as const,
          userId: contact.id,
          event: 'Order Completed',
          properties: { order_id: `${contact.id}-o${i}`, revenue: 25 },
          traits: {},
          context: {},
          timestamp: start + (i + 1) * DAY,
          receivedAt: start + (i + 1) * DAY,
        })),
      ];
      await ingestEvents(db.connection, workspaceId, events, { now: Date.now() });
      const segments = Object.fromEntries(
        contact.segments.map((id) => [id, { since: Date.now(), version: 1 }]),
      );
      if (contact.segments.length > 0)
        await contactModel(db.connection).updateOne(
          { _id: contactKey(workspaceId, contact.id) },
          { $set: { segments } },
        );
    }

    const journeys: { journeyId: string; definition: JourneyDefinition; contactId: string }[] = [];
    for (const [definition, contact] of samples) {
      const { journeyId } = await createJourney(db.connection, workspaceId, {
        name: definition.name,
        definition,
      });
      const outcome = await publishJourneyDraft(db.connection, workspaceId, journeyId, {
        check: async (def) => validateJourney(def, { catalog, segmentExists: () => true }),
      });
      expect(outcome).toEqual({ ok: true, version: 1 });
      journeys.push({ journeyId, definition, contactId: contact.id });
    }

    const deps = { db, client: env.client, taskQueue, registry, searchAttributes: false };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
      maxCachedWorkflows: 0,
    });

    const mismatches: string[] = [];
    await worker.runUntil(async () => {
      for (const { journeyId, definition, contactId } of journeys) {
        // One run at a time: concurrent result() waits on the time-skipping server let it skip time while
        // workflow tasks are in flight, which times those tasks out (a test-server artefact, not Cairn's).
        const startedAt = await env.currentTimeMs();
        const enrolled = await enrollInJourney(deps, {
          workspaceId,
          journeyId,
          contactId,
          entry: { kind: 'manual', at: new Date(startedAt).toISOString() },
          enrolledBy: `test:${journeyId}`,
          now: new Date(startedAt),
        });
        expect(enrolled).toMatchObject({ enrolled: true });
        const handle = env.client.workflow.getHandle(
          journeyWorkflowId(workspaceId, journeyId, contactId),
        );
        let outcome;
        try {
          outcome = await handle.result();
        } catch (error) {
          const last = (await handle.fetchHistory()).events
            ?.slice(-3)
            .map((e) => JSON.stringify(e))
            .join('\n    ');
          mismatches.push(
            `${contactId} on ${JSON.stringify(definition)}\n  workflow failed: ${String(error)}\n    ${last}`,
          );
          continue;
        }
        // The run as a user sees it: the recorded steps, then the node it ended at.
        const run = (await findContactJourneys(db.connection, workspaceId, contactId))?.runs[
          journeyId
        ];
        const workflowPath = run?.steps.map((s) => s.nodeId) ?? [];
        if (workflowPath.at(-1) !== outcome.nodeId) workflowPath.push(outcome.nodeId);

        // The simulator gets the same inputs: the stored profile and memberships, the stub's answers,
        // and the workflow's random buckets (seeded by journey and contact).
        const doc = await contactModel(db.connection)
          .findById(contactKey(workspaceId, contactId))
          .lean();
        const profile = await loadProfile(db.connection, doc!);
        const memberships = Object.fromEntries(
          Object.keys(doc?.segments ?? {}).map((id) => [id, true]),
        );
        const actionOutputs = Object.fromEntries(
          definition.nodes.flatMap((n) =>
            n.kind === 'action' ? [[n.id, (n.config as { answer: string }).answer] as const] : [],
          ),
        );
        const simulated = simulateJourney(definition, {
          contact: {
            id: contactId,
            profile: profile as unknown as Record<string, unknown>,
            memberships,
          },
          startAt: new Date(startedAt),
          until: new Date(startedAt + 400 * DAY),
          actionOutputs,
          catalog,
          seed: journeyId,
          evaluateCondition: (group, facts) =>
            evaluateSegment(group, {
              contactId,
              profile,
              now: facts.now,
              memberships: new Set(
                Object.keys(facts.memberships).filter((id) => facts.memberships[id]),
              ),
            }).matches,
        });

        expect(outcome.status).toBe('completed');
        expect(run?.status).toBe('completed');
        // Node ids alone cannot tell two outputs wired to the same node apart, so compare the outputs taken too.
        const workflowSteps = (run?.steps ?? []).map((s) => `${s.nodeId}/${s.output}`);
        const simulatedSteps = simulated.timeline
          .filter((t) => t.output !== undefined)
          .map((t) => `${t.nodeId}/${t.output}`);
        if (
          JSON.stringify(workflowPath) !== JSON.stringify(simulated.path) ||
          JSON.stringify(workflowSteps) !== JSON.stringify(simulatedSteps)
        ) {
          mismatches.push(
            `${contactId} on ${JSON.stringify(definition)}\n  workflow:  ${workflowSteps.join(' → ')} ⇒ ${outcome.nodeId}\n  simulated: ${simulatedSteps.join(' → ')} ⇒ ${simulated.state.nodeId}`,
          );
        }
      }
    });
    expect({ seed, mismatches }).toEqual({ seed, mismatches: [] });
    // The sample is only worth something if it went through the kinds of node it was meant to.
    const kinds = new Set(journeys.flatMap((j) => j.definition.nodes.map((n) => n.kind)));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining(['action', 'branch', 'delay', 'randomSplit']),
    );
  }, 120_000);
});
