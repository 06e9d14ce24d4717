import type { JourneyDefinition, JourneyNode } from './graph.js';
import {
  advance,
  reactsToProfileChanges,
  type JourneyContext,
  type JourneyInput,
  type JourneyRunState,
} from './interpreter.js';
import { journey } from './test-helpers.js';

const T0 = '2025-03-03T10:00:00.000Z'; // a Monday
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function ctx(now: string, extra: Partial<JourneyContext> = {}): JourneyContext {
  return {
    now: new Date(now),
    contactId: 'c1',
    profile: {},
    eventsSinceEntry: [],
    memberships: {},
    evaluateCondition: () => false,
    bucket: () => 0,
    isMessageAction: (a) => a.type === 'email',
    ...extra,
  };
}

/** Runs inputs in order and returns the last result plus every command seen. */
function run(
  def: JourneyDefinition,
  inputs: [JourneyInput, JourneyContext][],
  from?: JourneyRunState,
) {
  let state = from;
  const all = [];
  let last;
  for (const [input, c] of inputs) {
    last = advance(def, state, input, c);
    state = last.state;
    all.push(...last.commands);
  }
  return { state: state!, commands: last!.commands, all };
}

const trigger: JourneyNode = { id: 'start', kind: 'trigger', trigger: { type: 'manual' } };
const exit: JourneyNode = { id: 'done', kind: 'exit' };
const steps = (state: JourneyRunState) => state.steps.map((s) => `${s.nodeId}:${s.output}`);

describe('advance', () => {
  it('delay: sleeps for the duration, ignores an early wake-up, then continues', () => {
    const def = journey(
      [trigger, { id: 'wait', kind: 'delay', duration: { amount: 2, unit: 'days' } }, exit],
      [
        ['start', 'next', 'wait'],
        ['wait', 'next', 'done'],
      ],
    );
    const started = advance(def, undefined, { type: 'start' }, ctx(T0));
    expect(started.commands).toEqual([
      { type: 'recordStep', nodeId: 'start', output: 'next' },
      { type: 'sleepUntil', at: plus(T0, 2 * DAY) },
    ]);
    expect(started.state).toMatchObject({
      nodeId: 'wait',
      status: 'waiting',
      waiting: { type: 'timer', until: plus(T0, 2 * DAY) },
    });

    const early = advance(def, started.state, { type: 'timerFired' }, ctx(plus(T0, DAY)));
    expect(early.state.status).toBe('waiting');
    expect(early.commands).toEqual([]);

    const due = advance(def, started.state, { type: 'timerFired' }, ctx(plus(T0, 2 * DAY)));
    expect(due.commands).toEqual([
      { type: 'recordStep', nodeId: 'wait', output: 'next' },
      { type: 'complete', reason: 'exit' },
    ]);
    expect(due.state).toMatchObject({
      status: 'completed',
      nodeId: 'done',
      completion: { reason: 'exit' },
    });
  });

  it('does not mutate the state it is given and answers the same way twice', () => {
    const def = journey(
      [trigger, { id: 'wait', kind: 'delay', duration: { amount: 1, unit: 'hours' } }, exit],
      [
        ['start', 'next', 'wait'],
        ['wait', 'next', 'done'],
      ],
    );
    const started = advance(def, undefined, { type: 'start' }, ctx(T0));
    const snapshot = JSON.stringify(started.state);
    const a = advance(def, started.state, { type: 'timerFired' }, ctx(plus(T0, HOUR)));
    const b = advance(def, started.state, { type: 'timerFired' }, ctx(plus(T0, HOUR)));
    expect(JSON.stringify(started.state)).toBe(snapshot);
    expect(a).toEqual(b);
    expect(advance(def, started.state, { type: 'start' }, ctx(T0)).commands).toEqual([]); // repeated start is a no-op
  });

  describe('waitUntil', () => {
    const def = (until: Extract<JourneyNode, { kind: 'waitUntil' }>['until']) =>
      journey(
        [trigger, { id: 'until', kind: 'waitUntil', until }, exit],
        [
          ['start', 'next', 'until'],
          ['until', 'next', 'done'],
        ],
      );

    it('waits for a datetime, or continues at once when it has passed', () => {
      const future = advance(
        def({ type: 'datetime', at: '2025-03-10T00:00:00Z' }),
        undefined,
        { type: 'start' },
        ctx(T0),
      );
      expect(future.commands).toContainEqual({
        type: 'sleepUntil',
        at: '2025-03-10T00:00:00.000Z',
      });
      const past = advance(
        def({ type: 'datetime', at: '2025-01-01T00:00:00Z' }),
        undefined,
        { type: 'start' },
        ctx(T0),
      );
      expect(past.state.status).toBe('completed');
    });

    it('waits for a time of day in the workspace’s zone when neither the contact nor the step names one', () => {
      // 12:00Z is 07:00 in New York (EST, UTC-5): 09:00 there is 14:00Z the same day, not 09:00Z tomorrow.
      const started = advance(
        def({ type: 'timeOfDay', time: '09:00' }),
        undefined,
        { type: 'start' },
        ctx('2025-03-03T12:00:00.000Z', { workspaceTimezone: 'America/New_York' }),
      );
      expect(started.commands).toContainEqual({
        type: 'sleepUntil',
        at: '2025-03-03T14:00:00.000Z',
      });
      // The step's own default zone wins over the workspace's.
      const named = advance(
        def({ type: 'timeOfDay', time: '09:00', defaultTimezone: 'UTC' }),
        undefined,
        { type: 'start' },
        ctx('2025-03-03T12:00:00.000Z', { workspaceTimezone: 'America/New_York' }),
      );
      expect(named.commands).toContainEqual({ type: 'sleepUntil', at: '2025-03-04T09:00:00.000Z' });
    });

    it('waits for the next allowed time of day in the contact’s time zone', () => {
      // 10:00Z Monday is 05:00 in New York (EST, UTC-5): 09:00 the same day is 14:00Z.
      const sameDay = advance(
        def({ type: 'timeOfDay', time: '09:00' }),
        undefined,
        { type: 'start' },
        ctx(T0, { timezone: 'America/New_York' }),
      );
      expect(sameDay.commands).toContainEqual({
        type: 'sleepUntil',
        at: '2025-03-03T14:00:00.000Z',
      });
      // Only Saturdays (6); 09:00 Tokyo (UTC+9) on Saturday 8 March is 00:00Z.
      const saturday = advance(
        def({ type: 'timeOfDay', time: '09:00', weekdays: [6] }),
        undefined,
        { type: 'start' },
        ctx(T0, { timezone: 'Asia/Tokyo' }),
      );
      expect(saturday.commands).toContainEqual({
        type: 'sleepUntil',
        at: '2025-03-08T00:00:00.000Z',
      });
      // Without a contact time zone the node's default applies; after DST starts in New York (9 March) 09:00 is 13:00Z.
      const afterDst = advance(
        def({
          type: 'timeOfDay',
          time: '09:00',
          weekdays: [1],
          defaultTimezone: 'America/New_York',
        }),
        undefined,
        { type: 'start' },
        ctx('2025-03-04T10:00:00Z'),
      );
      expect(afterDst.commands).toContainEqual({
        type: 'sleepUntil',
        at: '2025-03-10T13:00:00.000Z',
      });
    });

    it('waits until a profile date plus an offset; a past or missing date continues now', () => {
      const node = def({
        type: 'profileDate',
        field: 'purchases.predictedNextOrderAt',
        offset: { amount: -14, unit: 'days' },
      });
      const due = advance(
        node,
        undefined,
        { type: 'start' },
        ctx(T0, { profile: { purchases: { predictedNextOrderAt: '2025-04-01T08:00:00Z' } } }),
      );
      expect(due.commands).toContainEqual({ type: 'sleepUntil', at: '2025-03-18T08:00:00.000Z' });
      const soon = advance(
        node,
        undefined,
        { type: 'start' },
        ctx(T0, { profile: { purchases: { predictedNextOrderAt: '2025-03-10T08:00:00Z' } } }),
      );
      expect(soon.state.status).toBe('completed');
      const missing = advance(node, undefined, { type: 'start' }, ctx(T0));
      expect(missing.state.status).toBe('completed');
    });
  });

  describe('waitFor', () => {
    const def = journey(
      [
        trigger,
        {
          id: 'wait',
          kind: 'waitFor',
          for: {
            type: 'event',
            event: 'Video Watched',
            filters: [{ path: 'minutes', operator: 'gte', value: 10 }],
          },
          timeout: { amount: 7, unit: 'days' },
        },
        { id: 'yes', kind: 'exit' },
        { id: 'no', kind: 'exit' },
      ],
      [
        ['start', 'next', 'wait'],
        ['wait', 'matched', 'yes'],
        ['wait', 'timeout', 'no'],
      ],
    );

    it('takes "matched" for a matching event before the deadline and ignores others', () => {
      const started = advance(def, undefined, { type: 'start' }, ctx(T0));
      expect(started.commands).toContainEqual({
        type: 'waitForEvent',
        event: 'Video Watched',
        filters: [{ path: 'minutes', operator: 'gte', value: 10 }],
        deadline: plus(T0, 7 * DAY),
      });
      const short = advance(
        def,
        started.state,
        { type: 'event', event: { event: 'Video Watched', properties: { minutes: 3 } } },
        ctx(plus(T0, DAY)),
      );
      expect(short.state.status).toBe('waiting');
      const long = advance(
        def,
        short.state,
        { type: 'event', event: { event: 'Video Watched', properties: { minutes: 45 } } },
        ctx(plus(T0, 2 * DAY)),
      );
      expect(long.state).toMatchObject({ nodeId: 'yes', status: 'completed' });
    });

    it('takes "timeout" when the deadline passes', () => {
      const { state } = run(def, [
        [{ type: 'start' }, ctx(T0)],
        [{ type: 'timerFired' }, ctx(plus(T0, 7 * DAY))],
      ]);
      expect(steps(state)).toEqual(['start:next', 'wait:timeout']);
      expect(state.nodeId).toBe('no');
    });

    it('waits for a condition: matched at once if true, or when a later input makes it true', () => {
      const cond = journey(
        [
          trigger,
          {
            id: 'wait',
            kind: 'waitFor',
            for: {
              type: 'condition',
              condition: {
                type: 'all',
                conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
              },
            },
            timeout: { amount: 3, unit: 'days' },
          },
          { id: 'yes', kind: 'exit' },
          { id: 'no', kind: 'exit' },
        ],
        [
          ['start', 'next', 'wait'],
          ['wait', 'matched', 'yes'],
          ['wait', 'timeout', 'no'],
        ],
      );
      const isPro = (profile: Record<string, unknown>) =>
        ctx(T0, { profile, evaluateCondition: () => profile.plan === 'pro' });
      expect(advance(cond, undefined, { type: 'start' }, isPro({ plan: 'pro' })).state.nodeId).toBe(
        'yes',
      );
      const started = advance(cond, undefined, { type: 'start' }, isPro({ plan: 'free' }));
      expect(started.commands).toContainEqual({
        type: 'waitForCondition',
        deadline: plus(T0, 3 * DAY),
      });
      expect(
        advance(cond, started.state, { type: 'profileChanged' }, isPro({ plan: 'pro' })).state
          .nodeId,
      ).toBe('yes');
    });
  });

  it('branch: follows yes or no by segment membership, entry event and events since entry', () => {
    const def = (condition: Extract<JourneyNode, { kind: 'branch' }>['condition']) =>
      journey(
        [
          trigger,
          { id: 'b', kind: 'branch', condition },
          { id: 'y', kind: 'exit' },
          { id: 'n', kind: 'exit' },
        ],
        [
          ['start', 'next', 'b'],
          ['b', 'yes', 'y'],
          ['b', 'no', 'n'],
        ],
      );
    const end = (d: JourneyDefinition, c: JourneyContext) =>
      advance(d, undefined, { type: 'start' }, c).state.nodeId;

    expect(
      end(
        def({ on: 'segment', segmentId: 'vip', member: true }),
        ctx(T0, { memberships: { vip: true } }),
      ),
    ).toBe('y');
    expect(end(def({ on: 'segment', segmentId: 'vip', member: true }), ctx(T0))).toBe('n');
    const bigOrder = def({
      on: 'entryEvent',
      filters: [{ path: 'total', operator: 'gt', value: 100 }],
    });
    expect(
      end(
        bigOrder,
        ctx(T0, { entryEvent: { event: 'Order Completed', properties: { total: 250 } } }),
      ),
    ).toBe('y');
    expect(
      end(
        bigOrder,
        ctx(T0, { entryEvent: { event: 'Order Completed', properties: { total: 20 } } }),
      ),
    ).toBe('n');
    const twice = def({ on: 'eventSinceEntry', event: 'Login', count: 2 });
    expect(end(twice, ctx(T0, { eventsSinceEntry: [{ event: 'Login' }] }))).toBe('n');
    expect(
      end(
        twice,
        ctx(T0, { eventsSinceEntry: [{ event: 'Login' }, { event: 'Page' }, { event: 'Login' }] }),
      ),
    ).toBe('y');
  });

  it('multiSplit: the first matching branch wins, else "else"', () => {
    const def = journey(
      [
        trigger,
        {
          id: 'm',
          kind: 'multiSplit',
          branches: [
            {
              id: 'gold',
              label: 'Gold',
              condition: { on: 'segment', segmentId: 'gold', member: true },
            },
            {
              id: 'silver',
              label: 'Silver',
              condition: { on: 'segment', segmentId: 'silver', member: true },
            },
          ],
        },
        { id: 'g', kind: 'exit' },
        { id: 's', kind: 'exit' },
        { id: 'e', kind: 'exit' },
      ],
      [
        ['start', 'next', 'm'],
        ['m', 'gold', 'g'],
        ['m', 'silver', 's'],
        ['m', 'else', 'e'],
      ],
    );
    const end = (memberships: Record<string, boolean>) =>
      advance(def, undefined, { type: 'start' }, ctx(T0, { memberships })).state.nodeId;
    expect(end({ gold: true, silver: true })).toBe('g');
    expect(end({ silver: true })).toBe('s');
    expect(end({})).toBe('e');
  });

  it('randomSplit: maps the contact’s bucket onto the weights', () => {
    const def = journey(
      [
        trigger,
        {
          id: 'ab',
          kind: 'randomSplit',
          variants: [
            { id: 'a', label: 'A', weight: 1 },
            { id: 'b', label: 'B', weight: 3 },
          ],
        },
        { id: 'ea', kind: 'exit' },
        { id: 'eb', kind: 'exit' },
      ],
      [
        ['start', 'next', 'ab'],
        ['ab', 'a', 'ea'],
        ['ab', 'b', 'eb'],
      ],
    );
    const salts: string[] = [];
    const end = (bucket: number) =>
      advance(
        def,
        undefined,
        { type: 'start' },
        ctx(T0, { bucket: (salt) => (salts.push(salt), bucket) }),
      ).state.nodeId;
    expect(end(0)).toBe('ea');
    expect(end(24)).toBe('ea');
    expect(end(25)).toBe('eb');
    expect(end(99)).toBe('eb');
    expect(salts).toContain('ab'); // salted by node id, so two splits are independent
  });

  describe('action', () => {
    const def = journey(
      [
        trigger,
        {
          id: 'hook',
          kind: 'action',
          action: { type: 'webhook', version: 1 },
          config: { url: 'https://example.com' },
        },
        { id: 'retry', kind: 'delay', duration: { amount: 1, unit: 'hours' } },
        { id: 'ok', kind: 'exit' },
      ],
      [
        ['start', 'next', 'hook'],
        ['hook', 'success', 'ok'],
        ['hook', 'failure', 'retry'],
        ['retry', 'next', 'hook'],
      ],
    );

    it('runs the action, then follows the output it reports, with a new stepKey per visit', () => {
      const started = advance(def, undefined, { type: 'start' }, ctx(T0));
      expect(started.commands).toContainEqual({
        type: 'runAction',
        nodeId: 'hook',
        action: { type: 'webhook', version: 1 },
        config: { url: 'https://example.com' },
        stepKey: 'hook:1',
        isMessage: false,
      });
      expect(started.state).toMatchObject({
        status: 'running',
        pendingAction: { nodeId: 'hook', stepKey: 'hook:1' },
      });

      const { state, all } = run(
        def,
        [
          [{ type: 'actionResult', output: 'failure', stepKey: 'hook:1' }, ctx(T0)],
          [{ type: 'timerFired' }, ctx(plus(T0, HOUR))],
          [{ type: 'actionResult', output: 'success', stepKey: 'hook:2' }, ctx(plus(T0, HOUR))],
        ],
        started.state,
      );
      expect(
        all
          .filter((c) => c.type === 'runAction')
          .map((c) => (c.type === 'runAction' ? c.stepKey : '')),
      ).toEqual(['hook:2']);
      expect(steps(state)).toEqual(['start:next', 'hook:failure', 'retry:next', 'hook:success']);
      expect(state.status).toBe('completed');
    });

    it('ignores a result for an earlier step (a retried activity reporting late)', () => {
      const started = advance(def, undefined, { type: 'start' }, ctx(T0));
      const stale = advance(
        def,
        started.state,
        { type: 'actionResult', output: 'success', stepKey: 'hook:0' },
        ctx(T0),
      );
      expect(stale.state.status).toBe('running');
    });
  });

  describe('goal', () => {
    const purchased = { on: 'eventSinceEntry', event: 'Order Completed' } as const;
    const def = (goalWired: boolean) =>
      journey(
        [
          trigger,
          { id: 'wait', kind: 'delay', duration: { amount: 3, unit: 'days' } },
          {
            id: 'mail',
            kind: 'action',
            action: { type: 'email', version: 1 },
            config: { templateId: 't' },
          },
          { id: 'goal', kind: 'goal', condition: purchased },
          { id: 'thanks', kind: 'delay', duration: { amount: 1, unit: 'days' } },
          exit,
        ],
        [
          ['start', 'next', 'wait'],
          ['wait', 'next', 'mail'],
          ['mail', 'next', 'goal'],
          ...(goalWired
            ? ([
                ['goal', 'next', 'thanks'],
                ['thanks', 'next', 'done'],
              ] as [string, string, string][])
            : []),
        ],
      );

    it('watches a held-out contact for the goals, sending nothing, when the host records holdout conversions', () => {
      const held = {
        ...def(false),
        settings: {
          ...def(false).settings,
          holdoutPercent: 50,
          holdoutWindow: { amount: 10, unit: 'days' as const },
        },
      };
      const hostCtx = (at: string, extra: Partial<JourneyContext> = {}) =>
        ctx(at, { bucket: () => 0, watchHoldoutGoals: true, ...extra });
      const started = advance(held, undefined, { type: 'start' }, hostCtx(T0));
      expect(started.state.waiting).toEqual({ type: 'holdout', until: plus(T0, 10 * DAY) });
      expect(started.commands).toEqual([{ type: 'sleepUntil', at: plus(T0, 10 * DAY) }]);
      const order = { event: 'Order Completed' };
      const bought = advance(
        held,
        started.state,
        { type: 'event', event: order },
        hostCtx(plus(T0, DAY), { eventsSinceEntry: [order] }),
      );
      expect(bought.commands).toEqual([
        { type: 'converted', nodeId: 'goal', holdout: true },
        { type: 'complete', reason: 'holdout' },
      ]);
      const lapsed = advance(
        held,
        started.state,
        { type: 'timerFired' },
        hostCtx(plus(T0, 10 * DAY)),
      );
      expect(lapsed.commands).toEqual([{ type: 'complete', reason: 'holdout' }]);
    });

    it('jumps to a met goal from anywhere and ends as converted when its output is unwired', () => {
      const started = advance(def(false), undefined, { type: 'start' }, ctx(T0));
      const order = { event: 'Order Completed' };
      const result = advance(
        def(false),
        started.state,
        { type: 'event', event: order },
        ctx(plus(T0, DAY), { eventsSinceEntry: [order] }),
      );
      expect(result.commands).toEqual([
        { type: 'converted', nodeId: 'goal' },
        { type: 'recordStep', nodeId: 'goal', output: 'next' },
        { type: 'complete', reason: 'goal' },
      ]);
      expect(result.state).toMatchObject({
        status: 'converted',
        nodeId: 'goal',
        counters: { conversions: 1 },
      });
    });

    it('continues from a wired goal and converts only once', () => {
      const order = { event: 'Order Completed' };
      const { state, all } = run(def(true), [
        [{ type: 'start' }, ctx(T0)],
        [{ type: 'event', event: order }, ctx(plus(T0, DAY), { eventsSinceEntry: [order] })],
        [
          { type: 'event', event: order },
          ctx(plus(T0, DAY + HOUR), { eventsSinceEntry: [order, order] }),
        ],
        [{ type: 'timerFired' }, ctx(plus(T0, 2 * DAY), { eventsSinceEntry: [order, order] })],
      ]);
      expect(all.filter((c) => c.type === 'converted')).toHaveLength(1);
      expect(steps(state)).toEqual(['start:next', 'goal:next', 'thanks:next']);
      expect(state).toMatchObject({ status: 'completed', counters: { conversions: 1 } });
    });

    it('a contact who walks into an unmet goal passes through without converting', () => {
      const { state } = run(def(true), [
        [{ type: 'start' }, ctx(T0)],
        [{ type: 'timerFired' }, ctx(plus(T0, 3 * DAY))],
        [{ type: 'actionResult', output: 'next' }, ctx(plus(T0, 3 * DAY))],
      ]);
      expect(state).toMatchObject({ nodeId: 'thanks', counters: { conversions: 0 } });
    });
  });

  describe('journey settings', () => {
    const waiting = (
      settings: Partial<JourneyDefinition['settings']>,
      trig: JourneyNode = trigger,
    ) =>
      journey(
        [trig, { id: 'wait', kind: 'delay', duration: { amount: 5, unit: 'days' } }, exit],
        [
          ['start', 'next', 'wait'],
          ['wait', 'next', 'done'],
        ],
        settings,
      );

    it('exitOnEvent ends the run when the matching event arrives', () => {
      const def = waiting({
        exitOnEvent: {
          event: 'Unsubscribed',
          filters: [{ path: 'list', operator: 'eq', value: 'news' }],
        },
      });
      const started = advance(def, undefined, { type: 'start' }, ctx(T0));
      const other = advance(
        def,
        started.state,
        { type: 'event', event: { event: 'Unsubscribed', properties: { list: 'promo' } } },
        ctx(T0),
      );
      expect(other.state.status).toBe('waiting');
      const done = advance(
        def,
        started.state,
        { type: 'event', event: { event: 'Unsubscribed', properties: { list: 'news' } } },
        ctx(T0),
      );
      expect(done.state).toMatchObject({ status: 'exited', completion: { reason: 'exitEvent' } });
      expect(done.commands).toEqual([{ type: 'complete', reason: 'exitEvent' }]);
    });

    it('exitOnSegmentExit ends the run when the contact leaves the trigger segment (not another one)', () => {
      const def = waiting(
        { exitOnSegmentExit: true },
        { id: 'start', kind: 'trigger', trigger: { type: 'segmentEntered', segmentId: 'lapsed' } },
      );
      const started = advance(def, undefined, { type: 'start' }, ctx(T0));
      expect(
        advance(
          def,
          started.state,
          { type: 'segmentChanged', segmentId: 'vip', member: false },
          ctx(T0),
        ).state.status,
      ).toBe('waiting');
      expect(
        advance(
          def,
          started.state,
          { type: 'segmentChanged', segmentId: 'lapsed', member: false },
          ctx(T0),
        ).state.completion,
      ).toEqual({ reason: 'segmentExit', at: T0 });
    });

    it('holdout contacts complete at once without any action', () => {
      const def = waiting({ holdoutPercent: 10 });
      const held = advance(
        def,
        undefined,
        { type: 'start' },
        ctx(T0, { bucket: (salt) => (salt === 'holdout' ? 9 : 50) }),
      );
      expect(held.commands).toEqual([{ type: 'complete', reason: 'holdout' }]);
      const treated = advance(
        def,
        undefined,
        { type: 'start' },
        ctx(T0, { bucket: (salt) => (salt === 'holdout' ? 10 : 50) }),
      );
      expect(treated.state.status).toBe('waiting');
    });

    const mailer = (settings: Partial<JourneyDefinition['settings']>) =>
      journey(
        [
          trigger,
          {
            id: 'mail',
            kind: 'action',
            action: { type: 'email', version: 1 },
            config: { templateId: 't' },
          },
          { id: 'hook', kind: 'action', action: { type: 'webhook', version: 1 }, config: {} },
          exit,
        ],
        [
          ['start', 'next', 'mail'],
          ['mail', 'next', 'hook'],
          ['hook', 'success', 'done'],
          ['hook', 'failure', 'done'],
        ],
        settings,
      );

    it('quiet hours hold a message until they end in the contact’s time zone; other actions run', () => {
      const def = mailer({
        quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Europe/Paris' },
      });
      // 22:30 in Paris (UTC+1 in March before DST): quiet until 08:00 Paris = 07:00Z next day.
      const late = '2025-03-03T21:30:00.000Z';
      const held = advance(def, undefined, { type: 'start' }, ctx(late));
      expect(held.state).toMatchObject({
        status: 'waiting',
        waiting: { type: 'quietHours', until: '2025-03-04T07:00:00.000Z' },
      });
      expect(held.commands.some((c) => c.type === 'runAction')).toBe(false);
      const sent = advance(
        def,
        held.state,
        { type: 'timerFired' },
        ctx('2025-03-04T07:00:00.000Z'),
      );
      expect(sent.commands).toEqual([
        expect.objectContaining({
          type: 'runAction',
          nodeId: 'mail',
          stepKey: 'mail:1',
          isMessage: true,
        }),
      ]);
      // The webhook after it is not a message, so quiet hours do not apply (contact in Los Angeles: 23:00 local).
      const hook = advance(
        def,
        sent.state,
        { type: 'actionResult', output: 'next' },
        ctx('2025-03-05T07:00:00.000Z', { timezone: 'America/Los_Angeles' }),
      );
      expect(hook.commands).toContainEqual(
        expect.objectContaining({ type: 'runAction', nodeId: 'hook' }),
      );
    });

    it('quiet hours without a journey zone follow the workspace’s zone for a contact who has none', () => {
      const def = mailer({ quietHours: { start: '21:00', end: '08:00' } });
      // 22:30 in Tokyo (UTC+9) is 13:30Z: quiet there until 08:00 Tokyo = 23:00Z, though UTC says midday.
      const at = '2025-03-03T13:30:00.000Z';
      const held = advance(
        def,
        undefined,
        { type: 'start' },
        ctx(at, { workspaceTimezone: 'Asia/Tokyo' }),
      );
      expect(held.state).toMatchObject({
        status: 'waiting',
        waiting: { type: 'quietHours', until: '2025-03-03T23:00:00.000Z' },
      });
      // The contact's own zone still wins: 14:30 in Paris is not quiet.
      const own = advance(
        def,
        undefined,
        { type: 'start' },
        ctx(at, { workspaceTimezone: 'Asia/Tokyo', timezone: 'Europe/Paris' }),
      );
      expect(own.commands).toContainEqual(
        expect.objectContaining({ type: 'runAction', nodeId: 'mail' }),
      );
      // So does the journey's own default, when it names one.
      const named = advance(
        mailer({ quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Europe/Paris' } }),
        undefined,
        { type: 'start' },
        ctx(at, { workspaceTimezone: 'Asia/Tokyo' }),
      );
      expect(named.commands).toContainEqual(
        expect.objectContaining({ type: 'runAction', nodeId: 'mail' }),
      );
    });

    it('the frequency cap delays a message until the window has room', () => {
      const def = journey(
        [
          trigger,
          {
            id: 'm1',
            kind: 'action',
            action: { type: 'email', version: 1 },
            config: { templateId: 'a' },
          },
          {
            id: 'm2',
            kind: 'action',
            action: { type: 'email', version: 1 },
            config: { templateId: 'b' },
          },
          exit,
        ],
        [
          ['start', 'next', 'm1'],
          ['m1', 'next', 'm2'],
          ['m2', 'next', 'done'],
        ],
        { frequencyCap: { messages: 1, per: { amount: 1, unit: 'days' } } },
      );
      const { state } = run(def, [
        [{ type: 'start' }, ctx(T0)],
        [{ type: 'actionResult', output: 'next' }, ctx(plus(T0, 60_000))],
      ]);
      expect(state.waiting).toEqual({ type: 'frequencyCap', until: plus(T0, DAY) });
      const sent = advance(def, state, { type: 'timerFired' }, ctx(plus(T0, DAY)));
      expect(sent.commands).toEqual([expect.objectContaining({ type: 'runAction', nodeId: 'm2' })]);
    });
  });
});

describe('reactsToProfileChanges', () => {
  const trigger: JourneyNode = { id: 't', kind: 'trigger', trigger: { type: 'manual' } };
  const plan = {
    type: 'all' as const,
    conditions: [{ type: 'trait' as const, field: 'plan', operator: 'eq' as const, value: 'pro' }],
  };
  const timeout = { amount: 1, unit: 'days' as const };
  it('is true for a condition wait or a goal on the profile, the inputs a profile change can move', () => {
    const graph = (node: JourneyNode) => journey([trigger, node], [['t', 'next', node.id]]);
    expect(
      reactsToProfileChanges(
        graph({ id: 'w', kind: 'waitFor', for: { type: 'condition', condition: plan }, timeout }),
      ),
    ).toBe(true);
    expect(
      reactsToProfileChanges(
        graph({ id: 'g', kind: 'goal', condition: { on: 'profile', condition: plan } }),
      ),
    ).toBe(true);
    expect(
      reactsToProfileChanges(
        graph({ id: 'w', kind: 'waitFor', for: { type: 'event', event: 'Paid' }, timeout }),
      ),
    ).toBe(false);
    expect(
      reactsToProfileChanges(
        graph({ id: 'b', kind: 'branch', condition: { on: 'profile', condition: plan } }),
      ),
    ).toBe(false);
  });
});
