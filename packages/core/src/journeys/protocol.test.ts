// The host protocol: a host that only carries out the commands advance() emits must be doing what the
// run's state stands for after every step, whatever inputs arrive. Hosts (the simulator, the workflow)
// never read the state to decide; this test is why they need not.
import fc from 'fast-check';
import type { ConditionGroup } from '../segments/schema.js';
import { nodeOutputs, type JourneyDefinition, type JourneyNode, type WaitFor } from './graph.js';
import {
  advance,
  isTerminal,
  pendingAfter,
  readsProfile,
  timerFiresAt,
  wakeUpAt,
  type JourneyContext,
  type JourneyInput,
  type JourneyRunState,
  type PendingCommand,
} from './interpreter.js';
import { journey, testCatalog } from './test-helpers.js';
import { validateJourney } from './validate.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const DAY = 86_400_000;
const EVENTS = ['Login', 'Order Completed'] as const;

const planIsPro: ConditionGroup = {
  type: 'all',
  conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
};

type NodeBody = JourneyNode extends infer N
  ? N extends JourneyNode
    ? Omit<N, 'id'>
    : never
  : never;

const nodeBody: fc.Arbitrary<NodeBody> = fc.oneof(
  fc.record({
    kind: fc.constant('delay' as const),
    duration: fc.record({
      amount: fc.integer({ min: 1, max: 3 }),
      unit: fc.constant('days' as const),
    }),
  }),
  fc.record({
    kind: fc.constant('waitFor' as const),
    for: fc.oneof(
      fc.record({ type: fc.constant('event' as const), event: fc.constantFrom(...EVENTS) }),
      fc.constant<WaitFor>({ type: 'condition', condition: planIsPro }),
    ),
    timeout: fc.record({
      amount: fc.integer({ min: 1, max: 3 }),
      unit: fc.constant('days' as const),
    }),
  }),
  fc.constantFrom<NodeBody>(
    {
      kind: 'waitUntil',
      until: {
        type: 'profileDate',
        field: 'traits.renewal_at',
        offset: { amount: 0, unit: 'days' },
        ifMissing: { then: 'waitForDate', timeout: { amount: 4, unit: 'days' } },
      },
    },
    { kind: 'waitUntil', until: { type: 'timeOfDay', time: '09:00', defaultTimezone: 'UTC' } },
    { kind: 'branch', condition: { on: 'eventSinceEntry', event: 'Login' } },
    { kind: 'action', action: { type: 'email', version: 1 }, config: { templateId: 't' } },
    { kind: 'action', action: { type: 'webhook', version: 1 }, config: {} },
    { kind: 'goal', condition: { on: 'segment', segmentId: 'vip', member: true } },
  ),
);

/** A random valid journey, forward edges only (as in properties.test.ts), with the exit rules and quiet hours. */
const validJourney: fc.Arbitrary<JourneyDefinition> = fc
  .record({
    bodies: fc.array(nodeBody, { minLength: 1, maxLength: 8 }),
    picks: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
    quietHours: fc.boolean(),
    exitOnEvent: fc.boolean(),
  })
  .map(({ bodies, picks, quietHours, exitOnEvent }) => {
    const nodes: JourneyNode[] = [
      { id: 'n0', kind: 'trigger', trigger: { type: 'segmentEntered', segmentId: 'fans' } },
      ...bodies.map((b, i) => ({ ...b, id: `n${i + 1}` }) as JourneyNode),
      { id: `n${bodies.length + 1}`, kind: 'exit' },
    ];
    const edges: [string, string, string][] = [];
    let p = 0;
    nodes.forEach((node, i) =>
      nodeOutputs(node, testCatalog).forEach((output, k) => {
        const later = nodes.length - (i + 1);
        const target = k === 0 ? i + 1 : i + 1 + ((picks[p++ % picks.length] ?? 0) % later);
        edges.push([node.id, output, nodes[target]!.id]);
      }),
    );
    return journey(nodes, edges, {
      exitOnSegmentExit: true,
      ...(quietHours
        ? { quietHours: { start: '22:00', end: '07:00', defaultTimezone: 'UTC' } }
        : {}),
      ...(exitOnEvent ? { exitOnEvent: { event: 'Unsubscribed' } } : {}),
    });
  })
  .filter(
    (def) => validateJourney(def, { catalog: testCatalog, segmentExists: () => true }).length === 0,
  );

/** What happens next to the contact, drawn before the run's pending instant or at it. */
const happening = fc.record({
  kind: fc.constantFrom('timer', 'timer', 'event', 'profile', 'segment', 'early'),
  hoursBefore: fc.integer({ min: 1, max: 30 }),
  event: fc.constantFrom('Login', 'Order Completed', 'Unsubscribed'),
  gainsDate: fc.boolean(),
  member: fc.boolean(),
});

/** What the state stands for, as a host that lost the commands would be told (`resume`). */
function stoodFor(def: JourneyDefinition, state: JourneyRunState, ctx: JourneyContext) {
  return advance(def, state, { type: 'resume' }, ctx).commands;
}

describe('a host that carries out only the commands advance() emits', () => {
  it('is held on what the run state stands for after every step, and wakes when the state says', () => {
    fc.assert(
      fc.property(validJourney, fc.array(happening, { maxLength: 25 }), (def, happenings) => {
        let nowMs = T0;
        const profile: Record<string, unknown> = { traits: {} };
        const memberships: Record<string, boolean> = { vip: false };
        const events: { event: string }[] = [];
        const ctx = (): JourneyContext => ({
          now: new Date(nowMs),
          contactId: 'c1',
          profile,
          eventsSinceEntry: events,
          memberships,
          evaluateCondition: () => (profile.traits as { plan?: string }).plan === 'pro',
          bucket: () => 42,
          isMessageAction: (a) => a.type === 'email',
        });
        let pending: PendingCommand | undefined;
        let state: JourneyRunState | undefined;
        const step = (input: JourneyInput) => {
          const result = advance(def, state, input, ctx());
          state = result.state;
          pending = pendingAfter(pending, result.commands);
          // A recheck flag tells the host not to record the step; the wait itself is the same.
          const carriedOut =
            pending?.type === 'sleepUntil' ? { type: pending.type, at: pending.at } : pending;
          expect([carriedOut]).toEqual(stoodFor(def, state, ctx()));
          // The instant a command-driven host wakes at is the one the state holds.
          if (pending?.type !== 'runAction' && pending?.type !== 'complete')
            expect(timerFiresAt(pending!)).toBe(wakeUpAt(state));
          expect(pending?.type === 'complete').toBe(isTerminal(state));
        };
        step({ type: 'start' });
        for (const h of happenings) {
          if (!pending || pending.type === 'complete') break;
          if (pending.type === 'runAction') {
            const { nodeId, stepKey } = pending;
            const node = def.nodes.find((n) => n.id === nodeId)!;
            step({ type: 'actionResult', output: nodeOutputs(node, testCatalog)[0]!, stepKey });
            continue;
          }
          const due = Date.parse(timerFiresAt(pending)!);
          if (h.kind === 'timer') {
            nowMs = Math.max(nowMs, due);
            step({ type: 'timerFired' });
            continue;
          }
          nowMs = Math.max(nowMs, Math.min(due - 1, due - h.hoursBefore * 3_600_000));
          if (h.kind === 'early') step({ type: 'timerFired' });
          else if (h.kind === 'event') {
            events.push({ event: h.event });
            step({ type: 'event', event: { event: h.event } });
          } else if (h.kind === 'profile') {
            if (h.gainsDate)
              (profile.traits as Record<string, unknown>).renewal_at = new Date(
                nowMs + DAY,
              ).toISOString();
            else (profile.traits as Record<string, unknown>).plan = 'pro';
            step({ type: 'profileChanged' });
          } else {
            const segmentId = h.member ? 'vip' : 'fans';
            memberships[segmentId] = h.member;
            step({ type: 'segmentChanged', segmentId, member: h.member });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('readsProfile', () => {
  const base = (node: JourneyNode) =>
    journey(
      [{ id: 't', kind: 'trigger', trigger: { type: 'manual' } }, node],
      [['t', 'next', node.id]],
    );

  it('is true for profile conditions, profile dates and condition waits, false for the rest', () => {
    const plan = { type: 'all' as const, conditions: [] };
    expect(
      readsProfile(
        base({ id: 'b', kind: 'branch', condition: { on: 'profile', condition: plan } }),
      ),
    ).toBe(true);
    expect(
      readsProfile(
        base({
          id: 'm',
          kind: 'multiSplit',
          branches: [
            { id: 'x', label: 'x', condition: { on: 'segment', segmentId: 's', member: true } },
            { id: 'y', label: 'y', condition: { on: 'profile', condition: plan } },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      readsProfile(base({ id: 'g', kind: 'goal', condition: { on: 'profile', condition: plan } })),
    ).toBe(true);
    expect(
      readsProfile(
        base({
          id: 'w',
          kind: 'waitUntil',
          until: {
            type: 'profileDate',
            field: 'traits.renewal_at',
            offset: { amount: 0, unit: 'days' },
          },
        }),
      ),
    ).toBe(true);
    expect(
      readsProfile(
        base({
          id: 'c',
          kind: 'waitFor',
          for: { type: 'condition', condition: plan },
          timeout: { amount: 1, unit: 'days' },
        }),
      ),
    ).toBe(true);
    // A config that merely mentions the words does not make the journey read the profile.
    expect(
      readsProfile(
        base({
          id: 'a',
          kind: 'action',
          action: { type: 'webhook', version: 1 },
          config: { on: 'profile', type: 'condition' },
        }),
      ),
    ).toBe(false);
    expect(
      readsProfile(
        base({
          id: 'b',
          kind: 'branch',
          condition: { on: 'segment', segmentId: 's', member: true },
        }),
      ),
    ).toBe(false);
  });
});
