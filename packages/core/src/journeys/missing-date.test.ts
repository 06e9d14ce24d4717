import type { JourneyDefinition, JourneyNode, WaitUntil } from './graph.js';
import {
  PROFILE_DATE_RECHECK_AFTER_EVENT_MS,
  PROFILE_DATE_RECHECK_MS,
  advance,
  profileDateCandidates,
  wakeUpAt,
  type JourneyContext,
} from './interpreter.js';
import { journey, testCatalog } from './test-helpers.js';
import { validateJourney } from './validate.js';
import { JOURNEY_TEMPLATES, instantiateTemplate } from './templates.js';

const T0 = '2025-03-03T10:00:00.000Z';
const DAY = 86_400_000;
const plus = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

function ctx(nowMs: number, extra: Partial<JourneyContext> = {}): JourneyContext {
  return {
    now: new Date(Date.parse(T0) + nowMs),
    contactId: 'c1',
    profile: {},
    eventsSinceEntry: [],
    memberships: {},
    evaluateCondition: () => false,
    bucket: () => 0,
    ...extra,
  };
}

const order = {
  event: 'Order Completed',
  properties: { order_id: 'o1', products: [{ product_id: 'beans' }, { product_id: 'filter' }] },
};

function waitJourney(until: WaitUntil): JourneyDefinition {
  const nodes: JourneyNode[] = [
    { id: 'start', kind: 'trigger', trigger: { type: 'event', event: 'Order Completed' } },
    { id: 'wait', kind: 'waitUntil', until },
    { id: 'done', kind: 'exit' },
  ];
  return journey(nodes, [
    ['start', 'next', 'wait'],
    ['wait', 'next', 'done'],
  ]);
}

const reorderIn = (ifMissing?: Extract<WaitUntil, { type: 'profileDate' }>['ifMissing']) =>
  waitJourney({
    type: 'profileDate',
    field: 'purchases.predictedNextOrderAt',
    offset: { amount: -14, unit: 'days' },
    ...(ifMissing ? { ifMissing } : {}),
  });

describe('a wait on a profile date the contact does not have', () => {
  it('continues at once when told to, and when nothing is said (as before)', () => {
    for (const def of [reorderIn(), reorderIn({ then: 'continue' })]) {
      const r = advance(def, undefined, { type: 'start' }, ctx(0));
      expect(r.state.status).toBe('completed');
    }
  });

  it('waits a fallback delay instead', () => {
    const def = reorderIn({ then: 'fallbackDelay', delay: { amount: 30, unit: 'days' } });
    const r = advance(def, undefined, { type: 'start' }, ctx(0));
    expect(r.state).toMatchObject({ status: 'waiting', nodeId: 'wait' });
    expect(wakeUpAt(r.state)).toBe(plus(30 * DAY));
    expect(advance(def, r.state, { type: 'timerFired' }, ctx(29 * DAY)).state.status).toBe(
      'waiting',
    );
    expect(advance(def, r.state, { type: 'timerFired' }, ctx(30 * DAY)).state.status).toBe(
      'completed',
    );
  });

  it('waits for the date to appear, then for the date itself', () => {
    const def = reorderIn({ then: 'waitForDate', timeout: { amount: 90, unit: 'days' } });
    const started = advance(def, undefined, { type: 'start' }, ctx(0));
    expect(started.state.waiting).toEqual({
      type: 'profileDate',
      deadline: plus(90 * DAY),
      recheckAt: plus(PROFILE_DATE_RECHECK_MS),
    });
    expect(wakeUpAt(started.state)).toBe(plus(PROFILE_DATE_RECHECK_MS));

    // A periodic look that finds nothing looks again later.
    const looked = advance(
      def,
      started.state,
      { type: 'timerFired' },
      ctx(PROFILE_DATE_RECHECK_MS),
    );
    expect(looked.state.waiting).toMatchObject({ recheckAt: plus(2 * PROFILE_DATE_RECHECK_MS) });
    // An event of the contact: its fold follows, so the next look is soon.
    const evented = advance(
      def,
      looked.state,
      { type: 'event', event: order },
      ctx(PROFILE_DATE_RECHECK_MS + 1000),
    );
    expect(evented.state.waiting).toMatchObject({
      recheckAt: plus(PROFILE_DATE_RECHECK_MS + 1000 + PROFILE_DATE_RECHECK_AFTER_EVENT_MS),
    });

    // The profile changes: the date is there (60 days out), so the run waits for 14 days before it.
    const predicted = Date.parse(T0) + 60 * DAY;
    const dated = advance(
      def,
      evented.state,
      { type: 'profileChanged' },
      ctx(2 * DAY, { profile: { purchases: { predictedNextOrderAt: predicted } } }),
    );
    expect(dated.state.waiting).toEqual({ type: 'timer', until: plus(46 * DAY) });
    expect(advance(def, dated.state, { type: 'timerFired' }, ctx(46 * DAY)).state.status).toBe(
      'completed',
    );
  });

  it('a date that appears already past continues at once; no date by the timeout continues then', () => {
    const def = reorderIn({ then: 'waitForDate', timeout: { amount: 10, unit: 'days' } });
    const started = advance(def, undefined, { type: 'start' }, ctx(0));
    const past = advance(
      def,
      started.state,
      { type: 'profileChanged' },
      ctx(DAY, { profile: { purchases: { predictedNextOrderAt: Date.parse(T0) + 5 * DAY } } }),
    );
    expect(past.state.status).toBe('completed');
    const late = advance(def, started.state, { type: 'timerFired' }, ctx(10 * DAY));
    expect(late.state.status).toBe('completed');
    expect(late.state.steps.map((s) => `${s.nodeId}:${s.output}`)).toEqual([
      'start:next',
      'wait:next',
    ]);
  });
});

describe('profile dates per product of the order', () => {
  const profile = {
    purchases: {
      products: {
        beans: { nextReorderAt: Date.parse(T0) + 40 * DAY },
        filter: { nextReorderAt: Date.parse(T0) + 20 * DAY },
        mug: { nextReorderAt: Date.parse(T0) + 2 * DAY },
      },
    },
  };

  it('fills * with the products the entry order bought, and waits for the earliest', () => {
    expect(profileDateCandidates(profile, 'purchases.products.*.nextReorderAt', order)).toEqual([
      Date.parse(T0) + 40 * DAY,
      Date.parse(T0) + 20 * DAY,
    ]);
    const def = waitJourney({
      type: 'profileDate',
      field: 'purchases.products.*.nextReorderAt',
      offset: { amount: -14, unit: 'days' },
    });
    const r = advance(def, undefined, { type: 'start' }, ctx(0, { profile, entryEvent: order }));
    expect(r.state.waiting).toEqual({ type: 'timer', until: plus(6 * DAY) });
  });

  it('reads bracketed keys, and the old dotted reading when the run began before them', () => {
    const named = { purchases: { products: { 'sku 1': { nextReorderAt: 5 } } } };
    expect(
      profileDateCandidates(named, 'purchases.products["sku 1"].nextReorderAt', undefined),
    ).toEqual([5]);
    const def = waitJourney({
      type: 'profileDate',
      field: 'purchases.products.*.nextReorderAt',
      offset: { amount: 0, unit: 'days' },
    });
    const legacy = advance(
      def,
      undefined,
      { type: 'start' },
      ctx(0, { profile, entryEvent: order, legacyProfileDatePaths: true }),
    );
    expect(legacy.state.status).toBe('completed');
  });

  it('refuses * in a journey that does not start on an event', () => {
    const def = waitJourney({
      type: 'profileDate',
      field: 'purchases.products.*.nextReorderAt',
      offset: { amount: 0, unit: 'days' },
    });
    def.nodes[0] = { id: 'start', kind: 'trigger', trigger: { type: 'manual' } };
    expect(validateJourney(def, { catalog: testCatalog })).toEqual([
      expect.objectContaining({
        path: 'nodes[1].until.field',
        message: expect.stringContaining('does not start on an event'),
      }),
    ]);
  });

  it('refuses a fallback delay that is not a duration, naming the field', () => {
    const def = reorderIn() as unknown as { nodes: { until?: Record<string, unknown> }[] };
    def.nodes[1]!.until!.ifMissing = { then: 'fallbackDelay', delay: { amount: 0, unit: 'days' } };
    expect(validateJourney(def, { catalog: testCatalog })).toEqual([
      expect.objectContaining({ path: 'nodes[1].until.ifMissing.delay.amount' }),
    ]);
  });
});

describe('the reorder template', () => {
  const template = JOURNEY_TEMPLATES.find((t) => t.id === 'reorder-reminder')!;

  it('waits on the products of the order, and reminds a first purchase after the fallback days', () => {
    const def = instantiateTemplate(template, { firstOrderReminderDays: '21' });
    const wait = def.nodes.find((n) => n.id === 'wait-reorder-date');
    expect(wait).toMatchObject({
      until: {
        field: 'purchases.products.*.nextReorderAt',
        ifMissing: { then: 'fallbackDelay', delay: { amount: 21, unit: 'days' } },
      },
    });
    const r = advance(def, undefined, { type: 'start' }, ctx(0, { entryEvent: order }));
    expect(wakeUpAt(r.state)).toBe(plus(21 * DAY));
  });

  it('refuses fallback days that are not a whole number', () => {
    expect(() => instantiateTemplate(template, { firstOrderReminderDays: 'soon' })).toThrow(
      /firstOrderReminderDays must be a whole number/,
    );
  });
});
