import type { ConditionGroup } from '../segments/schema.js';
import type { ActionCatalog, JourneyDefinition } from './graph.js';
import { simulateJourney, type SimulationOptions } from './simulate.js';
import { JOURNEY_TEMPLATES, instantiateTemplate, type JourneyTemplate } from './templates.js';
import { validateJourney } from './validate.js';

/**
 * Mirrors the built-in actions of @cairn/actions (outputs and required config), which core cannot import;
 * apps/api/test/templates-publish.int.test.ts publishes every template against the real ones.
 */
const builtinCatalog: ActionCatalog = (type, version) => {
  if (version !== 1) return undefined;
  const required = (config: unknown, fields: string[]) =>
    fields
      .filter(
        (f) =>
          typeof (config as Record<string, unknown>)[f] !== 'string' ||
          (config as Record<string, string>)[f] === '',
      )
      .map((f) => ({ path: f, message: 'must not be empty' }));
  switch (type) {
    case 'email':
      return {
        outputs: ['sent', 'skipped'],
        category: 'message',
        validateConfig: (config) => required(config, ['subject', 'html']),
      };
    case 'inAppMessage':
      return {
        outputs: ['next'],
        category: 'message',
        validateConfig: (config) => {
          const cta = (config as { cta?: { url?: unknown } }).cta;
          const badCta =
            cta !== undefined &&
            !(typeof cta.url === 'string' && /^(https?:\/\/|\/)/.test(cta.url));
          return [
            ...required(config, ['title', 'body']),
            ...(badCta
              ? [
                  {
                    path: 'cta.url',
                    message: 'must be an http(s) URL or an app path starting with /',
                  },
                ]
              : []),
          ];
        },
      };
    case 'webhook':
      return {
        outputs: ['ok', 'failed'],
        category: 'integration',
        validateConfig: (config) => required(config, ['url']),
      };
    default:
      return undefined;
  }
};

const T0 = '2025-03-03T15:00:00.000Z';
const DAY = 86_400_000;
const plus = (days: number, hours = 0) =>
  new Date(Date.parse(T0) + days * DAY + hours * 3_600_000).toISOString();
const template = (id: string): JourneyTemplate => JOURNEY_TEMPLATES.find((t) => t.id === id)!;

// Stand-in for the segment evaluator: the templates only test orderCount.
const orderCountEvaluator = (group: ConditionGroup, facts: { profile: Record<string, unknown> }) =>
  group.conditions.every((c) => {
    if (!('metric' in c) || c.metric !== 'orderCount' || !('operator' in c))
      throw new Error('unexpected condition in template');
    const count = Number(facts.profile.orderCount ?? 0);
    return c.operator === 'eq'
      ? count === c.value
      : c.operator === 'gte'
        ? count >= (c.value as number)
        : false;
  });

const simulate = (
  id: string,
  params: Record<string, string>,
  options: Partial<SimulationOptions>,
) =>
  simulateJourney(instantiateTemplate(template(id), params), {
    contact: { id: 'c1' },
    startAt: T0,
    until: plus(60),
    catalog: builtinCatalog,
    evaluateCondition: orderCountEvaluator,
    ...options,
  });

function configOf<T>(def: JourneyDefinition, nodeId: string): T {
  const node = def.nodes.find((n) => n.id === nodeId);
  if (node?.kind !== 'action') throw new Error(`no action node "${nodeId}"`);
  return node.config as unknown as T;
}

const sends = (result: ReturnType<typeof simulateJourney>) =>
  result.messages.map((m) => [m.nodeId, m.at]);

describe('journey templates', () => {
  it.each(JOURNEY_TEMPLATES.map((t) => [t.id, t] as const))(
    '%s is valid once its parameters are filled',
    (_id, t) => {
      const params = Object.fromEntries(
        t.parameters.filter((p) => p.default === undefined).map((p) => [p.key, `segment-${p.key}`]),
      );
      expect(validateJourney(instantiateTemplate(t, params), { catalog: builtinCatalog })).toEqual(
        [],
      );
    },
  );

  it.each(JOURNEY_TEMPLATES.map((t) => [t.id, t] as const))(
    '%s leaves no parameter unfilled and greets by first name in every email',
    (_id, t) => {
      const params = Object.fromEntries(
        t.parameters.filter((p) => p.default === undefined).map((p) => [p.key, `segment-${p.key}`]),
      );
      const def = instantiateTemplate(t, params);
      // Liquid is written "{{ contact… }}" (with spaces); a "{{key}}" left over is a parameter nobody filled.
      expect(JSON.stringify(def)).not.toMatch(/\{\{\w+\}\}/);
      const emails = def.nodes.filter((n) => n.kind === 'action' && n.action.type === 'email');
      expect(emails.length).toBeGreaterThan(0);
      for (const node of emails) {
        const config = configOf<{ subject: string; html: string }>(def, node.id);
        expect(config.html).toContain('Hi {{ contact.traits.firstName | default: "there" }},');
        expect(config.subject).not.toBe('');
      }
    },
  );

  it('puts the links and names it is given into the content', () => {
    const def = instantiateTemplate(template('saas-feature-adoption'), {
      featureUnusedSegmentId: 'reports-unused',
      featureName: 'Scheduled reports',
      featurePath: '/reports/schedule',
      tutorialUrl: 'https://help.acme.test/reports',
    });
    const tip = configOf<{ title: string; cta: { url: string } }>(def, 'in-app-tip');
    expect(tip.title).toContain('Have you tried Scheduled reports yet');
    expect(tip.cta.url).toBe('/reports/schedule');
    const tutorial = configOf<{ subject: string; html: string }>(def, 'tutorial');
    expect(tutorial.subject).toBe('Scheduled reports in 3 minutes: a quick tutorial');
    expect(tutorial.html).toContain('href="https://help.acme.test/reports"');
  });

  it('an app path that is not a path is refused by the in-app action, naming the field', () => {
    const def = instantiateTemplate(template('saas-feature-adoption'), {
      featureUnusedSegmentId: 's',
      featurePath: 'reports',
    });
    expect(validateJourney(def, { catalog: builtinCatalog }).map((p) => p.path)).toEqual([
      'nodes[1].config.cta.url',
    ]);
  });

  it('refuses to instantiate without required parameters, naming them', () => {
    expect(() => instantiateTemplate(template('streaming-win-back'))).toThrow(
      'template "streaming-win-back": give a value for lapsedSegmentId (Segment: no viewing in 21 days)',
    );
  });

  describe('streaming win-back', () => {
    const params = { lapsedSegmentId: 'no-viewing-21d' };
    it('a viewer who comes back within 7 days gets one email and leaves', () => {
      const result = simulate('streaming-win-back', params, {
        events: [{ at: plus(3), event: { event: 'Video Watched' } }],
      });
      expect(result.path).toEqual(['trigger', 'recommend', 'wait-watch', 'exit-returned']);
      expect(sends(result)).toEqual([['recommend', T0]]);
      expect(result.state.completion).toEqual({ reason: 'exit', at: plus(3) });
    });
    it('a viewer who stays away gets the nudge after exactly 7 days', () => {
      const result = simulate('streaming-win-back', params, {});
      expect(result.path).toEqual(['trigger', 'recommend', 'wait-watch', 'nudge', 'exit']);
      expect(sends(result)).toEqual([
        ['recommend', T0],
        ['nudge', plus(7)],
      ]);
    });
    it('a viewer who cannot be emailed leaves at once and is not nudged', () => {
      const result = simulate('streaming-win-back', params, {
        actionOutputs: { recommend: 'skipped' },
      });
      expect(result.path).toEqual(['trigger', 'recommend', 'exit-unreachable']);
      expect(result.state.completion).toEqual({ reason: 'exit', at: T0 });
    });
    it('a viewer who leaves the lapsed segment exits at once', () => {
      const result = simulate('streaming-win-back', params, {
        segmentChanges: [{ at: plus(1), segmentId: 'no-viewing-21d', member: false }],
      });
      expect(result.state.completion).toEqual({ reason: 'segmentExit', at: plus(1) });
      expect(result.messages).toHaveLength(1);
    });
  });

  describe('ecommerce by purchase frequency', () => {
    const params = { customersSegmentId: 'customers' };
    it('routes heavy, occasional and first-time buyers to their own emails', () => {
      const heavy = simulate('ecommerce-purchase-frequency', params, {
        contact: { id: 'h', profile: { orderCount: 9 } },
      });
      expect(heavy.path).toEqual(['trigger', 'by-frequency', 'early-access', 'exit']);
      const occasional = simulate('ecommerce-purchase-frequency', params, {
        contact: { id: 'o', profile: { orderCount: 3 } },
      });
      expect(sends(occasional)).toEqual([['incentive', T0]]);
      const none = simulate('ecommerce-purchase-frequency', params, {
        contact: { id: 'n', profile: { orderCount: 0 } },
      });
      expect(none.path).toEqual(['trigger', 'by-frequency', 'exit']);
      expect(none.messages).toEqual([]);
    });
    it('first-time buyers get three onboarding emails on days 0, 3 and 7', () => {
      const first = simulate('ecommerce-purchase-frequency', params, {
        contact: { id: 'f', profile: { orderCount: 1 } },
      });
      expect(sends(first)).toEqual([
        ['onboarding-1', T0],
        ['onboarding-2', plus(3)],
        ['onboarding-3', plus(7)],
      ]);
    });
    it('a first-time buyer who becomes a heavy buyer between onboarding emails gets early access then, and no more onboarding', () => {
      // The simulator has no fold: the orders placed since entry count on top of the profile's one.
      const ordersSoFar: SimulationOptions['evaluateCondition'] = (group, facts) =>
        orderCountEvaluator(group, {
          profile: {
            orderCount:
              Number(facts.profile.orderCount) +
              facts.eventsSinceEntry.filter((e) => e.event === 'Order Completed').length,
          },
        });
      const result = simulate(
        'ecommerce-purchase-frequency',
        { ...params, heavyBuyerOrders: '3' },
        {
          contact: { id: 'f', profile: { orderCount: 1 } },
          events: [1, 2].map((day) => ({ at: plus(day), event: { event: 'Order Completed' } })),
          evaluateCondition: ordersSoFar,
        },
      );
      expect(sends(result)).toEqual([
        ['onboarding-1', T0],
        ['early-access', plus(2)],
      ]);
    });
    it('an occasional buyer who becomes a heavy buyer while the code runs gets early access too', () => {
      const result = simulate('ecommerce-purchase-frequency', params, {
        contact: { id: 'o', profile: { orderCount: 2 } },
        events: [{ at: plus(5), event: { event: 'Order Completed' } }],
        evaluateCondition: (group, facts) =>
          orderCountEvaluator(group, {
            profile: { orderCount: facts.eventsSinceEntry.length > 0 ? 5 : 2 },
          }),
      });
      expect(sends(result)).toEqual([
        ['incentive', T0],
        ['early-access', plus(5)],
      ]);
    });
    it('a first-time buyer who unsubscribes stops getting the onboarding series', () => {
      const result = simulate('ecommerce-purchase-frequency', params, {
        contact: { id: 'f', profile: { orderCount: 1 } },
        actionOutputs: { 'onboarding-2': 'skipped' },
      });
      expect(result.path).toEqual([
        'trigger',
        'by-frequency',
        'onboarding-1',
        'wait-onboarding-2',
        'onboarding-2',
        'exit-unreachable',
      ]);
    });
    it('the heavy-buyer threshold is a parameter', () => {
      const result = simulate(
        'ecommerce-purchase-frequency',
        { ...params, heavyBuyerOrders: '10' },
        { contact: { id: 'h', profile: { orderCount: 9 } } },
      );
      expect(result.path).toContain('incentive');
    });
  });

  describe('SaaS feature adoption', () => {
    const params = {
      featureUnusedSegmentId: 'reports-unused-14d',
      featureUsedEvent: 'Report Created',
    };
    it('a user who tries the feature within 2 days gets only the in-app tip', () => {
      const result = simulate('saas-feature-adoption', params, {
        events: [{ at: plus(1), event: { event: 'Report Created' } }],
      });
      expect(result.path).toEqual([
        'trigger',
        'in-app-tip',
        'wait-2-days',
        'used-feature',
        'exit-adopted',
      ]);
      expect(result.messages.map((m) => m.action.type)).toEqual(['inAppMessage']);
    });
    it('a user who does not gets the tutorial email two days later', () => {
      const result = simulate('saas-feature-adoption', params, {
        events: [{ at: plus(1), event: { event: 'Dashboard Viewed' } }],
      });
      expect(result.path).toEqual([
        'trigger',
        'in-app-tip',
        'wait-2-days',
        'used-feature',
        'tutorial',
        'exit',
      ]);
      expect(sends(result)).toEqual([
        ['in-app-tip', T0],
        ['tutorial', plus(2)],
      ]);
    });
  });

  describe('reorder reminder', () => {
    const beansOrder = {
      event: 'Order Completed',
      properties: { order_id: 'o-1', products: [{ product_id: 'beans' }] },
    };
    it('emails 14 days before the predicted reorder of the product bought', () => {
      const result = simulate(
        'reorder-reminder',
        {},
        {
          contact: {
            id: 'r',
            profile: {
              purchases: {
                // The contact's overall cadence is not what this order runs out on.
                predictedNextOrderAt: Date.parse(plus(60)),
                products: {
                  beans: { nextReorderAt: Date.parse(plus(30)) },
                  grinder: { nextReorderAt: Date.parse(plus(20)) },
                },
              },
            },
          },
          entryEvent: beansOrder,
        },
      );
      expect(result.path).toEqual(['trigger', 'wait-reorder-date', 'reminder', 'exit']);
      expect(sends(result)).toEqual([['reminder', plus(16)]]);
    });
    it('a first purchase of the product (no reorder date yet) is reminded after the fallback days, not at once', () => {
      const result = simulate(
        'reorder-reminder',
        {},
        {
          contact: { id: 'r', profile: { purchases: { products: { beans: {} } } } },
          entryEvent: beansOrder,
        },
      );
      expect(sends(result)).toEqual([['reminder', plus(30)]]);
    });
    it('a new order before the reminder ends the run without an email', () => {
      const result = simulate(
        'reorder-reminder',
        {},
        {
          contact: {
            id: 'r',
            profile: { purchases: { predictedNextOrderAt: Date.parse(plus(30)) } },
          },
          events: [
            { at: plus(10), event: { event: 'Order Completed', properties: { order_id: 'o-2' } } },
          ],
        },
      );
      expect(result.state.completion).toEqual({ reason: 'exitEvent', at: plus(10) });
      expect(result.messages).toEqual([]);
    });
    it('a reorder date already within 14 days sends at once', () => {
      const result = simulate(
        'reorder-reminder',
        {},
        {
          contact: {
            id: 'r',
            profile: { purchases: { products: { beans: { nextReorderAt: Date.parse(plus(5)) } } } },
          },
          entryEvent: beansOrder,
        },
      );
      expect(sends(result)).toEqual([['reminder', T0]]);
    });
  });
});
