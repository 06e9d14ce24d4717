import fc from 'fast-check';
import {
  nodeOutputs,
  type BranchCondition,
  type JourneyDefinition,
  type JourneyNode,
} from './graph.js';
import { isTerminal } from './interpreter.js';
import { simulateJourney } from './simulate.js';
import { testCatalog } from './test-helpers.js';
import { validateJourney } from './validate.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const DAY = 86_400_000;
const EVENT_NAMES = ['Login', 'Order Completed', 'Video Watched'] as const;

const condition: fc.Arbitrary<BranchCondition> = fc.oneof(
  fc.record({
    on: fc.constant('segment' as const),
    segmentId: fc.constantFrom('vip', 'lapsed'),
    member: fc.boolean(),
  }),
  fc.record({
    on: fc.constant('eventSinceEntry' as const),
    event: fc.constantFrom(...EVENT_NAMES),
    count: fc.integer({ min: 1, max: 3 }),
  }),
);

/** The body of a node that is neither trigger nor exit; ids are filled in later. */
const nodeBody: fc.Arbitrary<Omit<JourneyNode, 'id'>> = fc.oneof(
  fc.record({
    kind: fc.constant('delay' as const),
    duration: fc.record({
      amount: fc.integer({ min: 1, max: 5 }),
      unit: fc.constantFrom('hours' as const, 'days' as const),
    }),
  }),
  fc.record({
    kind: fc.constant('waitUntil' as const),
    until: fc.oneof(
      fc
        .integer({ min: -5, max: 20 })
        .map((d) => ({ type: 'datetime' as const, at: new Date(T0 + d * DAY).toISOString() })),
      fc.record({
        type: fc.constant('timeOfDay' as const),
        time: fc.constantFrom('08:00', '13:30', '23:45'),
        weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
        defaultTimezone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata'),
      }),
    ),
  }),
  fc.record({
    kind: fc.constant('waitFor' as const),
    for: fc.record({ type: fc.constant('event' as const), event: fc.constantFrom(...EVENT_NAMES) }),
    timeout: fc.record({
      amount: fc.integer({ min: 1, max: 10 }),
      unit: fc.constant('days' as const),
    }),
  }),
  fc.record({ kind: fc.constant('branch' as const), condition }),
  fc.array(condition, { minLength: 1, maxLength: 3 }).map((cs) => ({
    kind: 'multiSplit' as const,
    branches: cs.map((c, i) => ({ id: `b${i}`, label: `B${i}`, condition: c })),
  })),
  fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 3 }).map((ws) => ({
    kind: 'randomSplit' as const,
    variants: ws.map((w, i) => ({ id: `v${i}`, label: `V${i}`, weight: w })),
  })),
  fc.constantFrom(
    { kind: 'action' as const, action: { type: 'email', version: 1 }, config: { templateId: 't' } },
    { kind: 'action' as const, action: { type: 'webhook', version: 1 }, config: {} },
  ),
  fc.record({ kind: fc.constant('goal' as const), condition }),
);

/**
 * A random valid journey: a trigger, then nodes in order, ending with an Exit. Each node's first
 * output goes to the next node (so all are reachable); its other outputs go to any later node.
 * Edges only point forward, so there is no loop at all. A goal may be left open; graphs where that
 * strands a node are filtered out by the validator.
 */
const validJourney: fc.Arbitrary<JourneyDefinition> = fc
  .record({
    bodies: fc.array(nodeBody, { minLength: 1, maxLength: 10 }),
    picks: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    leaveGoalsOpen: fc.boolean(),
    quietHours: fc.boolean(),
  })
  .map(({ bodies, picks, leaveGoalsOpen, quietHours }) => {
    const nodes: JourneyNode[] = [
      { id: 'n0', kind: 'trigger', trigger: { type: 'manual' } },
      ...bodies.map((b, i) => ({ ...b, id: `n${i + 1}` }) as JourneyNode),
      { id: `n${bodies.length + 1}`, kind: 'exit' },
    ];
    const edges: JourneyDefinition['edges'] = [];
    let p = 0;
    nodes.forEach((node, i) => {
      nodeOutputs(node, testCatalog).forEach((output, k) => {
        if (node.kind === 'goal' && leaveGoalsOpen && i + 1 < nodes.length - 1) return;
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
        ...(quietHours
          ? { quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Europe/Paris' } }
          : {}),
      },
      nodes,
      edges,
    };
  })
  .filter((def) => validateJourney(def, { catalog: testCatalog }).length === 0);

const scenario = fc.record({
  seed: fc.string({ maxLength: 8 }),
  memberships: fc.record({ vip: fc.boolean(), lapsed: fc.boolean() }),
  events: fc.array(
    fc.record({
      day: fc.double({ min: 0, max: 30, noNaN: true }),
      name: fc.constantFrom(...EVENT_NAMES),
    }),
    { maxLength: 6 },
  ),
  failWebhooks: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run(def: JourneyDefinition, s: Scenario) {
  const actionOutputs = Object.fromEntries(
    def.nodes
      .filter((n) => n.kind === 'action' && n.action.type === 'webhook')
      .map((n) => [n.id, s.failWebhooks ? 'failure' : 'success']),
  );
  return simulateJourney(def, {
    contact: { id: 'contact-1', memberships: s.memberships, timezone: 'America/Los_Angeles' },
    startAt: new Date(T0),
    until: new Date(T0 + 400 * DAY),
    events: s.events.map((e) => ({ at: new Date(T0 + e.day * DAY), event: { event: e.name } })),
    actionOutputs,
    catalog: testCatalog,
    seed: s.seed,
  });
}

describe('simulating random valid journeys', () => {
  it('always finishes, only takes wired outputs, and gives the same path for the same seed', () => {
    fc.assert(
      fc.property(validJourney, scenario, (def, s) => {
        const result = run(def, s);
        expect(isTerminal(result.state)).toBe(true);

        const byId = new Map(def.nodes.map((n) => [n.id, n]));
        const wired = new Set(def.edges.map((e) => `${e.source}/${e.sourceHandle}`));
        const taken = result.timeline.filter((t) => t.output !== undefined);
        taken.forEach((t, i) => {
          const node = byId.get(t.nodeId)!;
          expect(nodeOutputs(node, testCatalog)).toContain(t.output);
          const isLast = i === taken.length - 1;
          // Only a goal may take an unwired output, and only as the run's last step.
          if (!wired.has(`${t.nodeId}/${t.output}`))
            expect(node.kind === 'goal' && isLast).toBe(true);
        });

        expect(run(def, s)).toEqual(result);
      }),
      { numRuns: 200 },
    );
  });
});
