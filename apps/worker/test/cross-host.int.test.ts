// One behaviour, two hosts: random valid journeys run through the Temporal workflow (real activities, real
// database, the time-skipping server) and through simulateJourney on its virtual clock, with the same
// contact, the same events at the same instants and the same action answers. Both must take the same
// path, at the same times, and emit the same effects. FC_SEED=<n> replays a failing sample.
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
  type JourneyEvent,
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
import { JOURNEY_SIGNALS, journeyWorkflowId } from '@cairn/workflows';
import { bundleCairnWorkflows, createJourneyActivities, enrollInJourney } from '../src/index';
import { useWorkerTestStack } from './harness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const JOURNEYS = 30;
/** Real time the workflow spends between virtual instants (activities, tasks); far below any gap in the sample. */
const CLOCK_SLACK = 2 * MINUTE;
const EVENT_NAMES = ['Order Completed', 'Login', 'Unsubscribed'] as const;

/** What the hosts sent to the outside world, as the providers would have seen it. */
type Effect = { journeyId: string; contactId: string; nodeId: string; visit: string; what: string };
const sink: Effect[] = [];
const visitOf = (stepKey: string) => stepKey.slice(stepKey.lastIndexOf(':') + 1);

// Effects on external systems, so their real implementations are replaced by a sink that records each send.
const email = defineAction({
  type: 'email',
  version: 1,
  title: 'Email (sink)',
  description: 'Records the message instead of sending it.',
  category: 'message',
  icon: 'mail',
  configSchema: z.object({ subject: z.string() }),
  outputs: [{ name: 'sent' }, { name: 'skipped' }],
  async run(ctx, config) {
    sink.push({
      journeyId: ctx.journey.id,
      contactId: ctx.contact.id,
      nodeId: ctx.journey.nodeId,
      visit: visitOf(ctx.idempotencyKey),
      what: `email "${config.subject}"`,
    });
    return { output: 'sent' };
  },
});
/** An integration whose answer is part of its config, so the simulator can be told the same answer. */
const lookup = defineAction({
  type: 'crmLookup',
  version: 1,
  title: 'CRM lookup (sink)',
  description: 'Records the lookup; answers what its config says.',
  category: 'integration',
  icon: 'search',
  configSchema: z.object({ answer: z.enum(['found', 'missing']) }),
  outputs: [{ name: 'found' }, { name: 'missing' }],
  async run(ctx, config) {
    sink.push({
      journeyId: ctx.journey.id,
      contactId: ctx.contact.id,
      nodeId: ctx.journey.nodeId,
      visit: visitOf(ctx.idempotencyKey),
      what: `crmLookup ${config.answer}`,
    });
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

// Conditions that do not move with time or with the stored profile, so "when" cannot explain a difference;
// events since entry do move, with the events each sample sends.
const condition: fc.Arbitrary<BranchCondition> = fc.oneof(
  fc.record({
    on: fc.constant('segment' as const),
    segmentId: fc.constantFrom('vip', 'lapsed'),
    member: fc.boolean(),
  }),
  fc.record({
    on: fc.constant('eventSinceEntry' as const),
    event: fc.constantFrom('Order Completed', 'Login'),
    count: fc.integer({ min: 1, max: 2 }),
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
        type: 'all',
        conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
      },
    },
  ),
);

/** Whole hours and days only: every timer lands on the hour, every event at half past. */
const duration = fc.record({
  amount: fc.integer({ min: 1, max: 5 }),
  unit: fc.constantFrom('hours' as const, 'days' as const),
});

/** A node body; a `waitUntil` holds hours after the run's start, made a date when the run starts. */
type Body = Record<string, unknown> & { kind: JourneyNode['kind'] };
const nodeBody: fc.Arbitrary<Body> = fc.oneof(
  // Waits and actions twice as likely as other kinds: waits let events arrive, actions are the effects compared.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delay' as const), duration }) },
  fc.record({
    kind: fc.constant('waitUntil' as const),
    hoursAfterStart: fc.integer({ min: 1, max: 72 }),
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('waitFor' as const),
      for: fc.record({
        type: fc.constant('event' as const),
        event: fc.constantFrom('Order Completed', 'Login'),
      }),
      timeout: duration,
    }),
  },
  fc.record({ kind: fc.constant('branch' as const), condition }),
  fc.array(condition, { minLength: 1, maxLength: 3 }).map((cs) => ({
    kind: 'multiSplit' as const,
    branches: cs.map((c, i) => ({ id: `b${i}`, label: `B${i}`, condition: c })),
  })),
  fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 3 }).map((ws) => ({
    kind: 'randomSplit' as const,
    variants: ws.map((w, i) => ({ id: `v${i}`, label: `V${i}`, weight: w })),
  })),
  {
    weight: 2,
    arbitrary: fc.constantFrom('found' as const, 'missing' as const).map((answer) => ({
      kind: 'action' as const,
      action: { type: 'crmLookup', version: 1 },
      config: { answer },
    })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('Welcome', 'Reminder').map((subject) => ({
      kind: 'action' as const,
      action: { type: 'email', version: 1 },
      config: { subject },
    })),
  },
  fc.record({ kind: fc.constant('goal' as const), condition }),
);

type Sample = {
  bodies: Body[];
  edges: JourneyDefinition['edges'];
  settings: JourneyDefinition['settings'];
  /** The contact's events, in hours after the run's start (each at half past an hour). */
  events: { hour: number; event: string }[];
};

/** The journey a sample stands for, its `waitUntil` dates counted from `startMs`. */
function definitionOf(sample: Sample, startMs: number): JourneyDefinition {
  const nodes = [
    { id: 'n0', kind: 'trigger', trigger: { type: 'manual' } },
    ...sample.bodies.map((b, i) => {
      const id = `n${i + 1}`;
      if (b.kind !== 'waitUntil') return { ...b, id };
      const at = new Date(startMs + (b.hoursAfterStart as number) * HOUR).toISOString();
      return { id, kind: 'waitUntil', until: { type: 'datetime', at } };
    }),
    { id: `n${sample.bodies.length + 1}`, kind: 'exit' },
  ] as JourneyNode[];
  return { name: 'random', settings: sample.settings, nodes, edges: sample.edges };
}

/**
 * A random valid journey (the idea of core's properties.test.ts): trigger, nodes in order, Exit. Each
 * node's first output goes to the next node so every node is reachable; other outputs jump to any later
 * node, so there are no loops and every run ends. Some journeys exit on an event or keep quiet hours.
 */
function sampleArbitrary(catalog: ActionCatalog): fc.Arbitrary<Sample> {
  return fc
    .record({
      bodies: fc.array(nodeBody, { minLength: 2, maxLength: 8 }),
      picks: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
      exitOnEvent: fc.boolean(),
      quietHours: fc.option(fc.integer({ min: 0, max: 23 }), { nil: undefined }),
      events: fc.array(
        fc.record({
          hour: fc.integer({ min: 0, max: 30 }),
          event: fc.constantFrom(...EVENT_NAMES),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    })
    .map(({ bodies, picks, exitOnEvent, quietHours, events }) => {
      const nodes = definitionOf(
        {
          bodies,
          edges: [],
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          events: [],
        },
        0,
      ).nodes;
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
      const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
      return {
        bodies,
        edges,
        settings: {
          reentry: { policy: 'never' as const },
          exitOnSegmentExit: false,
          holdoutPercent: 0,
          ...(exitOnEvent ? { exitOnEvent: { event: 'Unsubscribed' } } : {}),
          ...(quietHours !== undefined
            ? {
                quietHours: {
                  start: hh(quietHours),
                  end: hh(quietHours + 8),
                  defaultTimezone: 'UTC',
                },
              }
            : {}),
        },
        events: [...events].sort((a, b) => a.hour - b.hour),
      };
    })
    .filter(
      (s) =>
        validateJourney(definitionOf(s, 0), { catalog, segmentExists: () => true }).length === 0,
    );
}

describe('the workflow and the simulator carry out the same journeys alike', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  const registry = new ActionRegistry([email, lookup]);
  const catalog = registry.catalog();
  const workspaceId = `ws_${randomBytes(4).toString('hex')}`;
  const taskQueue = `cross-host-${randomUUID()}`;
  useWorkerTestStack('cross_host', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));

  it(`takes the same path, at the same times, with the same effects, on ${JOURNEYS} random journeys`, async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const samples = fc.sample(fc.tuple(sampleArbitrary(catalog), fc.constantFrom(...CONTACTS)), {
      numRuns: JOURNEYS,
      seed,
    });

    const ingestedAt = Date.now() - 100 * DAY;
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
          timestamp: ingestedAt,
          receivedAt: ingestedAt,
        },
        ...Array.from({ length: contact.orders }, (_, i) => ({
          messageId: `${contact.id}-order-${i}`,
          type: 'track' as const,
          userId: contact.id,
          event: 'Order Completed',
          properties: { order_id: `${contact.id}-o${i}`, revenue: 25 },
          traits: {},
          context: {},
          timestamp: ingestedAt + (i + 1) * DAY,
          receivedAt: ingestedAt + (i + 1) * DAY,
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

    const deps = { db, client: env.client, taskQueue, registry, searchAttributes: false };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createJourneyActivities(deps),
      // Every workflow task replays the run's history from the start: determinism is checked on each step.
      maxCachedWorkflows: 0,
    });

    const mismatches: string[] = [];
    const kinds = new Set<string>();
    let eventsDelivered = 0;
    let effectsCompared = 0;
    await worker.runUntil(async () => {
      for (const [sample, contact] of samples) {
        const contactId = contact.id;
        // One run at a time: concurrent result() waits on the time-skipping server let it skip time while
        // workflow tasks are in flight, which times those tasks out (a test-server artefact, not Cairn's).
        const startedAt = await env.currentTimeMs();
        // The run starts on the hour, so that its timers land on the hour and its events at half past.
        const startMs = Math.ceil(startedAt / HOUR) * HOUR;
        await env.sleep(startMs - startedAt);
        const definition = definitionOf(sample, startMs);
        definition.nodes.forEach((n) => kinds.add(n.kind));
        const { journeyId } = await createJourney(db.connection, workspaceId, {
          name: definition.name,
          definition,
        });
        const published = await publishJourneyDraft(db.connection, workspaceId, journeyId, {
          check: async (def) => validateJourney(def, { catalog, segmentExists: () => true }),
        });
        expect(published).toEqual({ ok: true, version: 1 });

        const enrolledAt = await env.currentTimeMs();
        const enrolled = await enrollInJourney(deps, {
          workspaceId,
          journeyId,
          contactId,
          entry: { kind: 'manual', at: new Date(enrolledAt).toISOString() },
          enrolledBy: `test:${journeyId}`,
          now: new Date(enrolledAt),
        });
        expect(enrolled).toMatchObject({ enrolled: true });
        const handle = env.client.workflow.getHandle(
          journeyWorkflowId(workspaceId, journeyId, contactId),
        );

        // The contact's events reach the run by signal at their instants; the simulator gets the same instants.
        const delivered: { at: number; event: JourneyEvent }[] = [];
        for (const { hour, event } of sample.events) {
          const at = enrolledAt + hour * HOUR + 30 * MINUTE;
          const now = await env.currentTimeMs();
          if (at > now) await env.sleep(at - now);
          if ((await handle.describe()).status.name !== 'RUNNING') break;
          const sentAt = await env.currentTimeMs();
          const payload = { event, properties: {}, timestamp: new Date(sentAt).toISOString() };
          // A run that ended just now takes no signal, and the simulator's run ended as well.
          const taken = await handle.signal(JOURNEY_SIGNALS.contactEvent, payload).then(
            () => true,
            () => false,
          );
          if (!taken) break;
          delivered.push({ at: sentAt, event: payload });
        }
        eventsDelivered += delivered.length;

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

        // The run as a user sees it: the recorded steps and when they were taken.
        const run = (await findContactJourneys(db.connection, workspaceId, contactId))?.runs[
          journeyId
        ];
        const doc = await contactModel(db.connection)
          .findById(contactKey(workspaceId, contactId))
          .lean();
        const profile = await loadProfile(db.connection, doc!);
        const memberships = Object.fromEntries(
          Object.keys(doc?.segments ?? {}).map((id) => [id, true]),
        );
        const actionOutputs = Object.fromEntries(
          definition.nodes.flatMap((n) =>
            n.kind === 'action' && n.action.type === 'crmLookup'
              ? [[n.id, (n.config as { answer: string }).answer] as const]
              : [],
          ),
        );
        const simulated = simulateJourney(definition, {
          contact: {
            id: contactId,
            profile: profile as unknown as Record<string, unknown>,
            memberships,
          },
          startAt: new Date(enrolledAt),
          until: new Date(enrolledAt + 400 * DAY),
          events: delivered.map((d) => ({ at: new Date(d.at), event: d.event })),
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

        // Node ids alone cannot tell two outputs wired to the same node apart: compare the outputs taken.
        const workflowSteps = (run?.steps ?? []).map((s) => `${s.nodeId}/${s.output}`);
        const simulatedSteps = simulated.timeline
          .filter((t) => t.output !== undefined)
          .map((t) => `${t.nodeId}/${t.output}`);
        const workflowEnd = `${outcome.status}:${outcome.reason ?? ''}@${outcome.nodeId}`;
        const simulatedEnd = `${simulated.state.status}:${simulated.state.completion?.reason ?? ''}@${simulated.state.nodeId}`;
        const effects = sink
          .filter((e) => e.journeyId === journeyId && e.contactId === contactId)
          .map((e) => `${e.nodeId}#${e.visit} ${e.what}`);
        const simulatedEffects = simulated.actions.map(
          (a) =>
            `${a.nodeId}#${visitOf(a.stepKey)} ${a.action.type === 'email' ? `email "${(a.config as { subject: string }).subject}"` : `crmLookup ${(a.config as { answer: string }).answer}`}`,
        );
        effectsCompared += effects.length;
        // Same instants, give or take the real time the workflow spent on activities.
        const simulatedAt = simulated.timeline.filter((t) => t.output !== undefined);
        const lateOrEarly = (run?.steps ?? []).flatMap((s, i) => {
          const expected = simulatedAt[i] ? Date.parse(simulatedAt[i]!.at) : undefined;
          const drift = expected === undefined ? 0 : Date.parse(s.at) - expected;
          return Math.abs(drift) > CLOCK_SLACK
            ? [
                `${s.nodeId} at +${(Date.parse(s.at) - enrolledAt) / HOUR} h, simulated +${(expected! - enrolledAt) / HOUR} h`,
              ]
            : [];
        });
        if (
          JSON.stringify(workflowSteps) !== JSON.stringify(simulatedSteps) ||
          workflowEnd !== simulatedEnd ||
          JSON.stringify(effects) !== JSON.stringify(simulatedEffects) ||
          lateOrEarly.length > 0
        ) {
          mismatches.push(
            [
              `${contactId} on ${JSON.stringify(definition)}`,
              `  events:    ${delivered.map((d) => `${d.event.event} at +${(d.at - enrolledAt) / HOUR} h`).join(', ')}`,
              `  workflow:  ${workflowSteps.join(' → ')} ⇒ ${workflowEnd}; effects ${effects.join(', ')}`,
              `  simulated: ${simulatedSteps.join(' → ')} ⇒ ${simulatedEnd}; effects ${simulatedEffects.join(', ')}`,
              ...(lateOrEarly.length > 0 ? [`  times:     ${lateOrEarly.join('; ')}`] : []),
            ].join('\n'),
          );
        }
      }
    });
    console.info(
      `cross-host: seed ${seed}, ${JOURNEYS} journeys, ${eventsDelivered} events delivered, ${effectsCompared} effects compared`,
    );
    expect({ seed, mismatches }).toEqual({ seed, mismatches: [] });
    // The sample is only worth something if it went through what it was meant to.
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'action',
        'branch',
        'delay',
        'goal',
        'randomSplit',
        'waitFor',
        'waitUntil',
      ]),
    );
    expect(eventsDelivered).toBeGreaterThan(JOURNEYS / 2);
    expect(effectsCompared).toBeGreaterThan(JOURNEYS / 2);
  }, 240_000);
});
