import fc from 'fast-check';
import { emptyProfile, foldEvents, type FoldableEvent } from '../profile/index.js';
import {
  evaluateSegment,
  randomBucketOf,
  type ConditionGroup,
  type SegmentCondition,
  type SegmentDefinition,
} from './index.js';

// An independent, deliberately naive evaluator that recomputes everything from the raw event list.
const DAY = 86_400_000;
const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: DAY, weeks: 7 * DAY } as const;
type Dur = { amount: number; unit: keyof typeof UNIT_MS };

function bruteStart(now: number, d: Dur): number {
  if (d.unit === 'minutes' || d.unit === 'hours') return now - d.amount * UNIT_MS[d.unit];
  const days = d.unit === 'weeks' ? d.amount * 7 : d.amount;
  const n = new Date(now);
  return Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate() - (days - 1));
}
const inWindow = (at: number, now: number, d: Dur | undefined) =>
  at <= now && (d === undefined || at >= bruteStart(now, d));
function cmp(x: number, op: string, v: number): boolean {
  return op === 'eq'
    ? x === v
    : op === 'neq'
      ? x !== v
      : op === 'gt'
        ? x > v
        : op === 'gte'
          ? x >= v
          : op === 'lt'
            ? x < v
            : x <= v;
}
function timeOp(x: number | undefined, op: string, value: unknown, now: number): boolean {
  if (x === undefined) return false;
  if (op === 'before') return x < Date.parse(value as string);
  if (op === 'after') return x > Date.parse(value as string);
  if (op === 'withinLast') return x <= now && x >= bruteStart(now, value as Dur);
  return x < bruteStart(now, value as Dur);
}

interface World {
  events: FoldableEvent[];
  contactId: string;
  memberships: Set<string>;
}

function bruteTraits(events: FoldableEvent[]): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  const ids = events
    .filter((e) => e.type === 'identify')
    .sort((a, b) => a.timestamp - b.timestamp || a.messageId.localeCompare(b.messageId));
  for (const e of ids)
    for (const [k, v] of Object.entries(e.traits)) {
      if (v === null) delete traits[k];
      else traits[k] = v;
    }
  return traits;
}

function brute(node: SegmentCondition | ConditionGroup, w: World, now: number): boolean {
  if (node.type === 'all') return node.conditions.every((c) => brute(c, w, now));
  if (node.type === 'any') return node.conditions.some((c) => brute(c, w, now));
  if (node.type === 'none') return !node.conditions.some((c) => brute(c, w, now));
  const orders = w.events.filter((e) => e.event === 'Order Completed');
  switch (node.type) {
    case 'trait': {
      const v = bruteTraits(w.events)[node.field];
      switch (node.operator) {
        case 'eq':
          return v === node.value;
        case 'neq':
          return v !== node.value;
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte':
          return typeof v === 'number' && cmp(v, node.operator, node.value);
        case 'exists':
          return v !== undefined;
        case 'notExists':
          return v === undefined;
        case 'withinLast':
        case 'moreThanAgo':
          return timeOp(
            typeof v === 'string' ? Date.parse(v) : undefined,
            node.operator,
            node.value,
            now,
          );
        default:
          throw new Error(`not generated: ${node.operator}`);
      }
    }
    case 'event': {
      const named = w.events.filter((e) => e.event === node.event);
      if (node.check === 'firstPerformed' || node.check === 'lastPerformed') {
        const times = named.map((e) => e.timestamp);
        const x =
          times.length === 0
            ? undefined
            : node.check === 'firstPerformed'
              ? Math.min(...times)
              : Math.max(...times);
        return timeOp(x, node.operator, node.value, now);
      }
      const counted = node as
        | Extract<SegmentCondition, { check: 'performed' }>
        | Extract<SegmentCondition, { check: 'notPerformed' }>;
      const n = named.filter(
        (e) =>
          inWindow(e.timestamp, now, counted.window) &&
          (counted.where ?? []).every((f) => {
            const v = e.properties[f.property];
            return f.operator === 'gt' && typeof v === 'number' && v > f.value;
          }),
      ).length;
      if (counted.check === 'notPerformed') return n === 0;
      const need = counted.count ?? { operator: 'atLeast', value: 1 };
      return need.operator === 'atLeast'
        ? n >= need.value
        : need.operator === 'atMost'
          ? n <= need.value
          : n === need.value;
    }
    case 'eventAggregate': {
      const vs = w.events
        .filter((e) => e.event === node.event && inWindow(e.timestamp, now, node.window))
        .map((e) => e.properties[node.property])
        .filter((v): v is number => typeof v === 'number');
      const sum = vs.reduce((a, b) => a + b, 0);
      const value =
        node.aggregate === 'sum'
          ? sum
          : node.aggregate === 'count'
            ? vs.length
            : vs.length === 0
              ? undefined
              : node.aggregate === 'avg'
                ? sum / vs.length
                : node.aggregate === 'min'
                  ? Math.min(...vs)
                  : Math.max(...vs);
      return value !== undefined && cmp(value, node.operator, node.value);
    }
    case 'metric': {
      if (!('operator' in node) || !('value' in node) || typeof node.value !== 'number')
        throw new Error('not generated');
      const cents = orders.reduce(
        (a, e) => a + Math.round((e.properties.revenue as number) * 100),
        0,
      );
      const times = orders.map((e) => e.timestamp);
      const first = Math.min(...times);
      const last = Math.max(...times);
      let value: number | undefined;
      switch (node.metric) {
        case 'orderCount':
          value = orders.length;
          break;
        case 'totalRevenue':
          value = cents / 100;
          break;
        case 'averageOrderValue':
          value = orders.length ? Math.round((cents / 100 / orders.length) * 1e6) / 1e6 : undefined;
          break;
        case 'daysSinceLastOrder':
          value = orders.length ? Math.floor((now - last) / DAY) : undefined;
          break;
        case 'daysUntilPredictedNextOrder':
          value =
            orders.length >= 2
              ? Math.floor((Math.round(last + (last - first) / (orders.length - 1)) - now) / DAY)
              : undefined;
          break;
        default:
          throw new Error(`not generated: ${node.metric}`);
      }
      return value !== undefined && cmp(value, node.operator, node.value);
    }
    case 'segment':
      return w.memberships.has(node.segmentId) === (node.membership === 'member');
    case 'randomBucket': {
      const b = randomBucketOf(w.contactId, node.salt);
      return b >= node.from && b < node.to;
    }
  }
}

// --- generators ---------------------------------------------------------------------------------------

const NOW0 = Date.parse('2024-06-15T13:37:00Z');
const durationArb: fc.Arbitrary<Dur> = fc.record({
  amount: fc.integer({ min: 1, max: 30 }),
  unit: fc.constantFrom('minutes', 'hours', 'days', 'weeks'),
});
const numberOp = fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte') as fc.Arbitrary<
  'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte'
>;
const eventName = fc.constantFrom('Order Completed', 'Page Viewed');
const instantArb = fc
  .integer({ min: NOW0 - 50 * DAY, max: NOW0 })
  .map((x) => new Date(x).toISOString());

const conditionArb: fc.Arbitrary<SegmentCondition> = fc.oneof(
  fc.record({
    type: fc.constant('trait' as const),
    field: fc.constant('plan'),
    operator: fc.constantFrom('eq' as const, 'neq' as const),
    value: fc.constantFrom('pro', 'free'),
  }),
  fc.record({
    type: fc.constant('trait' as const),
    field: fc.constant('age'),
    operator: numberOp.filter((o) => o !== 'eq' && o !== 'neq') as fc.Arbitrary<
      'gt' | 'gte' | 'lt' | 'lte'
    >,
    value: fc.integer({ min: 15, max: 60 }),
  }),
  fc.record({
    type: fc.constant('trait' as const),
    field: fc.constantFrom('plan', 'age'),
    operator: fc.constantFrom('exists' as const, 'notExists' as const),
  }),
  fc.record({
    type: fc.constant('trait' as const),
    field: fc.constant('signupAt'),
    operator: fc.constantFrom('withinLast' as const, 'moreThanAgo' as const),
    value: durationArb,
  }),
  fc.record(
    {
      type: fc.constant('event' as const),
      check: fc.constant('performed' as const),
      event: eventName,
      where: fc.array(
        fc.record({
          property: fc.constant('amount'),
          operator: fc.constant('gt' as const),
          value: fc.integer({ min: 0, max: 100 }),
        }),
        { maxLength: 1 },
      ),
      count: fc.record({
        operator: fc.constantFrom('atLeast' as const, 'atMost' as const, 'exactly' as const),
        value: fc.integer({ min: 0, max: 4 }),
      }),
      window: durationArb,
    },
    { requiredKeys: ['type', 'check', 'event'] },
  ),
  fc.record(
    {
      type: fc.constant('event' as const),
      check: fc.constant('notPerformed' as const),
      event: eventName,
      window: durationArb,
    },
    { requiredKeys: ['type', 'check', 'event'] },
  ),
  fc.record({
    type: fc.constant('event' as const),
    check: fc.constantFrom('firstPerformed' as const, 'lastPerformed' as const),
    event: eventName,
    operator: fc.constantFrom('withinLast' as const, 'moreThanAgo' as const),
    value: durationArb,
  }),
  fc.record({
    type: fc.constant('event' as const),
    check: fc.constantFrom('firstPerformed' as const, 'lastPerformed' as const),
    event: eventName,
    operator: fc.constantFrom('before' as const, 'after' as const),
    value: instantArb,
  }),
  fc.record({
    type: fc.constant('eventAggregate' as const),
    event: eventName,
    property: fc.constant('amount'),
    aggregate: fc.constantFrom(
      'sum' as const,
      'avg' as const,
      'min' as const,
      'max' as const,
      'count' as const,
    ),
    window: durationArb,
    operator: numberOp,
    value: fc.integer({ min: 0, max: 300 }),
  }),
  fc.record({
    type: fc.constant('metric' as const),
    metric: fc.constantFrom(
      'orderCount' as const,
      'totalRevenue' as const,
      'averageOrderValue' as const,
      'daysSinceLastOrder' as const,
      'daysUntilPredictedNextOrder' as const,
    ),
    operator: numberOp,
    value: fc.integer({ min: -5, max: 60 }),
  }),
  fc.record({
    type: fc.constant('segment' as const),
    membership: fc.constantFrom('member' as const, 'notMember' as const),
    segmentId: fc.constantFrom('vip', 'trial'),
  }),
  fc.record({
    type: fc.constant('randomBucket' as const),
    salt: fc.string({ maxLength: 4 }),
    from: fc.integer({ min: 0, max: 49 }),
    to: fc.integer({ min: 50, max: 100 }),
  }),
);

const definitionArb: fc.Arbitrary<SegmentDefinition> = fc.letrec<{
  group: ConditionGroup;
  node: SegmentCondition | ConditionGroup;
}>((tie) => ({
  group: fc.record({
    type: fc.constantFrom('all' as const, 'any' as const, 'none' as const),
    conditions: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
  }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, conditionArb, tie('group')),
})).group;

// Dense near now (minute and hour windows) and spread over 60 days (day and week windows).
const atArb = fc
  .oneof(fc.integer({ min: 0, max: 6 * 3_600_000 }), fc.integer({ min: 0, max: 60 * DAY }))
  .map((ago) => NOW0 - ago);
const worldArb = fc.record({
  specs: fc.array(
    fc.record({
      kind: fc.constantFrom('Order Completed', 'Page Viewed', 'Identify'),
      at: atArb,
      cents: fc.integer({ min: 0, max: 30_000 }),
      amount: fc.integer({ min: 0, max: 120 }),
      plan: fc.constantFrom('pro', 'free', null),
      age: fc.option(fc.integer({ min: 10, max: 70 })),
      signupAgo: fc.integer({ min: 0, max: 90 * DAY }),
    }),
    { maxLength: 30 },
  ),
  contactId: fc.string({ minLength: 1, maxLength: 6 }),
  memberships: fc.subarray(['vip', 'trial']),
});

type WorldSpec = {
  specs: Array<{
    kind: string;
    at: number;
    cents: number;
    amount: number;
    plan: string | null;
    age: number | null;
    signupAgo: number;
  }>;
  contactId: string;
  memberships: string[];
};
function toWorld(w: WorldSpec): World {
  const events = w.specs.map((s, i): FoldableEvent =>
    s.kind === 'Identify'
      ? {
          messageId: `m${i}`,
          type: 'identify',
          event: 'Identify',
          timestamp: s.at,
          properties: {},
          traits: {
            plan: s.plan,
            age: s.age,
            signupAt: new Date(NOW0 - s.signupAgo).toISOString(),
          },
        }
      : {
          messageId: `m${i}`,
          type: 'track',
          event: s.kind,
          timestamp: s.at,
          traits: {},
          properties:
            s.kind === 'Order Completed'
              ? { revenue: s.cents / 100, amount: s.amount }
              : { amount: s.amount },
        },
  );
  return { events, contactId: w.contactId, memberships: new Set(w.memberships) };
}

describe('evaluateSegment against a brute-force evaluator (property)', () => {
  it('agrees with recomputing from the raw events, and holds its answer until nextChangeAt', () => {
    fc.assert(
      fc.property(
        worldArb,
        definitionArb,
        fc.integer({ min: 0, max: 2 * DAY }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (raw, def, offset, fractions) => {
          const w = toWorld(raw);
          const now = NOW0 + offset;
          const profile = foldEvents(emptyProfile(w.contactId), w.events);
          const at = (instant: number) =>
            evaluateSegment(def, {
              contactId: w.contactId,
              profile,
              now: instant,
              memberships: w.memberships,
            });
          const result = at(now);
          expect(result.matches).toBe(brute(def, w, now));
          if (result.nextChangeAt !== null) expect(result.nextChangeAt).toBeGreaterThan(now);
          // Instants strictly between now and the next change (or far ahead when no change is announced).
          const end = result.nextChangeAt ?? now + 400 * DAY;
          const probes = [
            now + 1,
            end - 1,
            ...fractions.map((f) => Math.floor(now + 1 + f * (end - now - 2))),
          ].filter((x) => x > now && x < end);
          for (const probe of probes) {
            expect(brute(def, w, probe)).toBe(result.matches);
            expect(at(probe).matches).toBe(result.matches);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
