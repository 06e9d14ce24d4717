// Long on purpose: mostly data; each journey template is a whole graph definition.
import type { JourneyDefinition, JourneyEdge, JourneyNode } from './graph.js';

export type TemplateParameter = {
  /** Written as `{{key}}` inside the definition. */
  key: string;
  label: string;
  kind: 'segment' | 'template' | 'event' | 'text';
  /** Parameters without a default must be given to `instantiateTemplate`. */
  default?: string;
};

export type JourneyTemplate = {
  id: string;
  title: string;
  description: string;
  vertical: 'streaming' | 'ecommerce' | 'saas';
  parameters: TemplateParameter[];
  definition: JourneyDefinition;
};

const at = (col: number, row: number) => ({ x: col * 260, y: row * 140 });
const edge = (source: string, sourceHandle: string, target: string): JourneyEdge => ({
  id: `e-${source}-${sourceHandle}`,
  source,
  sourceHandle,
  target,
});

/** Subject and HTML body of an `email@1` node; Liquid, rendered per contact when the email is sent. */
type EmailContent = { subject: string; html: string };

// email@1 follows "sent" or "skipped" (unsubscribed, no address); the caller wires both.
const email = (
  id: string,
  content: EmailContent,
  pos: { x: number; y: number },
  label?: string,
): JourneyNode => ({
  id,
  kind: 'action',
  ...(label ? { label } : {}),
  position: pos,
  action: { type: 'email', version: 1 },
  config: { subject: content.subject, html: content.html },
});

/** A contact email cannot reach leaves here, so the journey's stats show how many it could not reach. */
const unreachableExit = (pos: { x: number; y: number }): JourneyNode => ({
  id: 'exit-unreachable',
  kind: 'exit',
  label: 'Cannot be emailed',
  position: pos,
});

const hello = '<p>Hi {{ contact.traits.firstName | default: "there" }},</p>';
/** ", Ada" when the first name is known, nothing otherwise: subjects read well either way. */
const COMMA_NAME = '{% if contact.traits.firstName %}, {{ contact.traits.firstName }}{% endif %}';
const button = (href: string, text: string) =>
  `<p><a href="${href}" style="display:inline-block;padding:10px 18px;background:#2f6f4e;color:#fff;border-radius:6px;text-decoration:none">${text}</a></p>`;

const streamingWinBack: JourneyTemplate = {
  id: 'streaming-win-back',
  title: 'Streaming win-back',
  description:
    'Viewers who stopped watching get recommendations like their last binge, then one nudge if they still do not come back.',
  vertical: 'streaming',
  parameters: [
    { key: 'lapsedSegmentId', label: 'Segment: no viewing in 21 days', kind: 'segment' },
    {
      key: 'watchUrl',
      label: 'Link in the emails: where viewers start watching',
      kind: 'text',
      default: 'https://watch.example.com',
    },
  ],
  definition: {
    name: 'Streaming win-back',
    description: 'No viewing in 21 days → recommendations → wait 7 days for a watch → nudge.',
    settings: {
      reentry: { policy: 'afterCooldown', cooldown: { amount: 30, unit: 'days' } },
      exitOnSegmentExit: true,
      holdoutPercent: 0,
    },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        label: 'No viewing in 21 days',
        position: at(0, 0),
        trigger: { type: 'segmentEntered', segmentId: '{{lapsedSegmentId}}' },
      },
      email(
        'recommend',
        {
          subject: `Picked for you${COMMA_NAME}: more like your last binge`,
          // The last title watched comes from the profile; the picks from a recommender that sets the trait.
          html: [
            '{% assign lastWatched = contact.profile.events["Video Watched"].recent.first.properties.title %}',
            hello,
            '<p>{% if lastWatched %}Loved <strong>{{ lastWatched }}</strong>? Here is what viewers like you watched next:{% else %}We picked a few titles we think you will love:{% endif %}</p>',
            // The "genre" affinity (workspace settings) names the genre they watch most, and which of it they saw.
            '{% assign topGenre = contact.profile.affinities.genre.top %}{% assign genreTitles = contact.profile.events["Video Watched"].recent | where: "properties.genre", topGenre | map: "properties.title" | uniq %}{% if topGenre %}<p>You watch a lot of {{ topGenre }}{% if genreTitles.size > 0 %}, like <strong>{{ genreTitles | slice: 0, 3 | join: ", " }}</strong>{% endif %}: more of it is waiting for you.</p>{% endif %}',
            '<ul>{% for title in contact.traits.recommendedTitles limit: 3 %}<li>{{ title }}</li>{% else %}<li>New this week, chosen by our editors</li>{% endfor %}</ul>',
            button('{{watchUrl}}', 'Start watching'),
          ].join('\n'),
        },
        at(0, 1),
        'Recommend titles',
      ),
      unreachableExit(at(1, 2)),
      {
        id: 'wait-watch',
        kind: 'waitFor',
        label: 'Watched within 7 days?',
        position: at(0, 2),
        for: { type: 'event', event: 'Video Watched' },
        timeout: { amount: 7, unit: 'days' },
      },
      { id: 'exit-returned', kind: 'exit', label: 'Came back', position: at(-1, 3) },
      email(
        'nudge',
        {
          subject: `Still there${COMMA_NAME}? Your list misses you`,
          html: [
            hello,
            '<p>Your watchlist has been waiting a few weeks now.{% if contact.traits.recommendedTitles.size > 0 %} <strong>{{ contact.traits.recommendedTitles.first }}</strong> is a good place to start again.{% endif %}</p>',
            button('{{watchUrl}}', 'Pick up where you left off'),
          ].join('\n'),
        },
        at(1, 3),
        'Second nudge',
      ),
      { id: 'exit', kind: 'exit', position: at(1, 4) },
    ],
    edges: [
      edge('trigger', 'next', 'recommend'),
      edge('recommend', 'sent', 'wait-watch'),
      edge('recommend', 'skipped', 'exit-unreachable'),
      edge('wait-watch', 'matched', 'exit-returned'),
      edge('wait-watch', 'timeout', 'nudge'),
      edge('nudge', 'sent', 'exit'),
      edge('nudge', 'skipped', 'exit'),
    ],
  },
};

const orderCount = (operator: 'eq' | 'gte', value: number) => ({
  on: 'profile' as const,
  condition: {
    type: 'all' as const,
    conditions: [{ type: 'metric' as const, metric: 'orderCount' as const, operator, value }],
  },
});

/**
 * The series' waits: each ends early (to the heavy-buyer email) once the contact crosses the heavy-buyer
 * order count, re-checked on every profile change, so a first-time buyer who keeps ordering is re-routed live.
 */
const HEAVY_BUYER_WAITS = ['wait-onboarding-2', 'wait-onboarding-3', 'wait-incentive'];

const untilHeavyBuyer = (
  id: string,
  days: number,
  label: string,
  pos: { x: number; y: number },
): JourneyNode => ({
  id,
  kind: 'waitFor',
  label,
  position: pos,
  // 5 is the default; instantiateTemplate applies the heavyBuyerOrders parameter.
  for: { type: 'condition', condition: orderCount('gte', 5).condition },
  timeout: { amount: days, unit: 'days' },
});

const ecommerceByFrequency: JourneyTemplate = {
  id: 'ecommerce-purchase-frequency',
  title: 'Customers by purchase frequency',
  description:
    'Heavy buyers get early access, occasional buyers an incentive, first-time buyers a three-email onboarding series; whoever becomes a heavy buyer along the way gets early access then.',
  vertical: 'ecommerce',
  parameters: [
    { key: 'customersSegmentId', label: 'Segment: customers to enrol', kind: 'segment' },
    {
      key: 'heavyBuyerOrders',
      label: 'Orders that make a heavy buyer',
      kind: 'text',
      default: '5',
    },
    {
      key: 'storeUrl',
      label: 'Link in the emails: your store',
      kind: 'text',
      default: 'https://shop.example.com',
    },
    {
      key: 'incentiveCode',
      label: 'Discount code for occasional buyers',
      kind: 'text',
      default: 'COMEBACK15',
    },
  ],
  definition: {
    name: 'Customers by purchase frequency',
    settings: {
      reentry: { policy: 'afterCooldown', cooldown: { amount: 30, unit: 'days' } },
      exitOnSegmentExit: false,
      holdoutPercent: 0,
    },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        position: at(1, 0),
        trigger: { type: 'segmentEntered', segmentId: '{{customersSegmentId}}' },
      },
      {
        id: 'by-frequency',
        kind: 'multiSplit',
        label: 'How often do they buy?',
        position: at(1, 1),
        branches: [
          // 5 is the default; instantiateTemplate applies the heavyBuyerOrders parameter.
          { id: 'heavy', label: 'Heavy buyers', condition: orderCount('gte', 5) },
          { id: 'occasional', label: 'Occasional buyers', condition: orderCount('gte', 2) },
          { id: 'first-time', label: 'First-time buyers', condition: orderCount('eq', 1) },
        ],
      },
      email(
        'early-access',
        {
          subject: `You’re in early${COMMA_NAME}: new arrivals before anyone else`,
          html: [
            hello,
            '<p>You have ordered from us {{ contact.profile.purchases.orderCount }} times, so you see the new collection a week before everyone else.{% if contact.profile.categories.topCategory %} We started with the {{ contact.profile.categories.topCategory }} you like most.{% endif %}</p>',
            button('{{storeUrl}}/new?early=1', 'See what’s new'),
          ].join('\n'),
        },
        at(0, 2),
        'Early access',
      ),
      email(
        'incentive',
        {
          subject: `A thank-you${COMMA_NAME}: 15% off your next order`,
          html: [
            hello,
            '<p>Thanks for coming back to us. Here is 15% off your next order with the code <strong>{{incentiveCode}}</strong>, valid for 14 days.</p>',
            button('{{storeUrl}}?code={{incentiveCode}}', 'Use my 15%'),
          ].join('\n'),
        },
        at(1, 2),
        'Incentive',
      ),
      untilHeavyBuyer('wait-incentive', 14, 'Heavy buyer while the code runs?', at(1, 3)),
      email(
        'onboarding-1',
        {
          subject: `Welcome${COMMA_NAME}! Getting the most from your order`,
          html: [
            hello,
            '<p>Thank you for your first order. A few tips to get the most out of it are waiting for you.</p>',
            button('{{storeUrl}}/guides', 'Read the guide'),
          ].join('\n'),
        },
        at(2, 2),
        'Onboarding 1',
      ),
      untilHeavyBuyer('wait-onboarding-2', 3, 'Heavy buyer within 3 days?', at(2, 3)),
      email(
        'onboarding-2',
        {
          subject: 'Customers who bought this also loved…',
          html: [
            hello,
            '<p>Here is what other customers{% if contact.profile.categories.topCategory %} who love {{ contact.profile.categories.topCategory }}{% endif %} picked next.</p>',
            button('{{storeUrl}}/bestsellers', 'See the favourites'),
          ].join('\n'),
        },
        at(2, 4),
        'Onboarding 2',
      ),
      untilHeavyBuyer('wait-onboarding-3', 4, 'Heavy buyer within 4 days?', at(2, 5)),
      email(
        'onboarding-3',
        {
          subject: `How is it going${COMMA_NAME}? Tell us`,
          html: [
            hello,
            '<p>You have had your order for a week now. How do you like it? Reply to this email; a real person reads every answer.</p>',
            button('{{storeUrl}}/reviews', 'Write a review'),
          ].join('\n'),
        },
        at(2, 6),
        'Onboarding 3',
      ),
      { id: 'exit', kind: 'exit', position: at(1, 7) },
      unreachableExit(at(3, 7)),
    ],
    edges: [
      edge('trigger', 'next', 'by-frequency'),
      edge('by-frequency', 'heavy', 'early-access'),
      edge('by-frequency', 'occasional', 'incentive'),
      edge('by-frequency', 'first-time', 'onboarding-1'),
      edge('by-frequency', 'else', 'exit'),
      edge('early-access', 'sent', 'exit'),
      edge('early-access', 'skipped', 'exit-unreachable'),
      edge('incentive', 'sent', 'wait-incentive'),
      edge('incentive', 'skipped', 'exit-unreachable'),
      edge('wait-incentive', 'matched', 'early-access'),
      edge('wait-incentive', 'timeout', 'exit'),
      edge('onboarding-1', 'sent', 'wait-onboarding-2'),
      // Whoever cannot get the first email will not get the next two either.
      edge('onboarding-1', 'skipped', 'exit-unreachable'),
      edge('wait-onboarding-2', 'matched', 'early-access'),
      edge('wait-onboarding-2', 'timeout', 'onboarding-2'),
      edge('onboarding-2', 'sent', 'wait-onboarding-3'),
      edge('onboarding-2', 'skipped', 'exit-unreachable'),
      edge('wait-onboarding-3', 'matched', 'early-access'),
      edge('wait-onboarding-3', 'timeout', 'onboarding-3'),
      edge('onboarding-3', 'sent', 'exit'),
      edge('onboarding-3', 'skipped', 'exit-unreachable'),
    ],
  },
};

const saasFeatureAdoption: JourneyTemplate = {
  id: 'saas-feature-adoption',
  title: 'Feature adoption',
  description:
    'Users who have not tried a feature in 14 days see an in-app tip; those who still do not use it get a tutorial email.',
  vertical: 'saas',
  parameters: [
    {
      key: 'featureUnusedSegmentId',
      label: 'Segment: feature unused for 14 days',
      kind: 'segment',
    },
    {
      key: 'featureUsedEvent',
      label: 'Event sent when the feature is used',
      kind: 'event',
      default: 'Feature Used',
    },
    {
      key: 'featureName',
      label: 'The feature, as users know it',
      kind: 'text',
      default: 'Reports',
    },
    {
      key: 'featurePath',
      label: 'Where the feature lives in your app (starts with /)',
      kind: 'text',
      default: '/',
    },
    {
      key: 'tutorialUrl',
      label: 'Link in the email: the tutorial',
      kind: 'text',
      default: 'https://help.example.com/getting-started',
    },
  ],
  definition: {
    name: 'Feature adoption',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        position: at(0, 0),
        trigger: { type: 'segmentEntered', segmentId: '{{featureUnusedSegmentId}}' },
      },
      {
        id: 'in-app-tip',
        kind: 'action',
        label: 'In-app tip',
        position: at(0, 1),
        action: { type: 'inAppMessage', version: 1 },
        config: {
          title:
            'Have you tried {{featureName}} yet{% if contact.traits.firstName %}, {{ contact.traits.firstName }}{% endif %}?',
          body: 'It takes a minute to set up and saves you hours every week.',
          cta: { label: 'Show me', url: '{{featurePath}}' },
          expiresAfterDays: 7,
        },
      },
      {
        id: 'wait-2-days',
        kind: 'delay',
        position: at(0, 2),
        duration: { amount: 2, unit: 'days' },
      },
      {
        id: 'used-feature',
        kind: 'branch',
        label: 'Used the feature since?',
        position: at(0, 3),
        condition: { on: 'eventSinceEntry', event: '{{featureUsedEvent}}' },
      },
      { id: 'exit-adopted', kind: 'exit', label: 'Adopted', position: at(-1, 4) },
      email(
        'tutorial',
        {
          subject: '{{featureName}} in 3 minutes: a quick tutorial',
          html: [
            hello,
            '<p>{{featureName}} is one of the things our customers say they could not do without, and you have not tried it yet. This short tutorial walks you through the first three minutes.</p>',
            button('{{tutorialUrl}}', 'Watch the tutorial'),
          ].join('\n'),
        },
        at(1, 4),
        'Tutorial email',
      ),
      { id: 'exit', kind: 'exit', position: at(1, 5) },
    ],
    edges: [
      edge('trigger', 'next', 'in-app-tip'),
      edge('in-app-tip', 'next', 'wait-2-days'),
      edge('wait-2-days', 'next', 'used-feature'),
      edge('used-feature', 'yes', 'exit-adopted'),
      edge('used-feature', 'no', 'tutorial'),
      edge('tutorial', 'sent', 'exit'),
      edge('tutorial', 'skipped', 'exit'),
    ],
  },
};

const reorderReminder: JourneyTemplate = {
  id: 'reorder-reminder',
  title: 'Reorder reminder',
  description:
    'Two weeks before a customer is predicted to run out of what they bought, remind them to reorder; a first purchase of a product (no reorder date yet) is reminded a set number of days after the order. One run per order; a new order ends the old run.',
  vertical: 'ecommerce',
  parameters: [
    {
      key: 'reorderDateField',
      label: 'Profile date to remind before (* = each product of the order; the earliest wins)',
      kind: 'text',
      default: 'purchases.products.*.nextReorderAt',
    },
    {
      key: 'firstOrderReminderDays',
      label: 'Days after the order to remind when there is no reorder date yet',
      kind: 'text',
      default: '30',
    },
    {
      key: 'storeUrl',
      label: 'Link in the email: where customers reorder',
      kind: 'text',
      default: 'https://shop.example.com/account/orders',
    },
  ],
  definition: {
    name: 'Reorder reminder',
    settings: {
      reentry: { policy: 'afterExit' },
      exitOnSegmentExit: false,
      exitOnEvent: { event: 'Order Completed' },
      holdoutPercent: 0,
    },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        position: at(0, 0),
        trigger: { type: 'event', event: 'Order Completed', key: 'order_id' },
      },
      {
        id: 'wait-reorder-date',
        kind: 'waitUntil',
        label: '14 days before the predicted reorder',
        position: at(0, 1),
        until: {
          type: 'profileDate',
          field: '{{reorderDateField}}',
          offset: { amount: -14, unit: 'days' },
          // A first purchase has no reorder date: remind after a while rather than at once.
          ifMissing: { then: 'fallbackDelay', delay: { amount: 30, unit: 'days' } },
        },
      },
      email(
        'reminder',
        {
          subject: `Running low${COMMA_NAME}? Reorder in one click`,
          html: [
            hello,
            '<p>{% if contact.profile.purchases.meanDaysBetweenOrders %}You usually reorder every {{ contact.profile.purchases.meanDaysBetweenOrders | round }} days, so you may be running low soon.{% else %}You may be running low soon.{% endif %} Reorder now and it arrives before you run out.</p>',
            button('{{storeUrl}}', 'Reorder'),
          ].join('\n'),
        },
        at(0, 2),
        'Reorder email',
      ),
      { id: 'exit', kind: 'exit', position: at(0, 3) },
    ],
    edges: [
      edge('trigger', 'next', 'wait-reorder-date'),
      edge('wait-reorder-date', 'next', 'reminder'),
      edge('reminder', 'sent', 'exit'),
      edge('reminder', 'skipped', 'exit'),
    ],
  },
};

export const JOURNEY_TEMPLATES: readonly JourneyTemplate[] = [
  streamingWinBack,
  ecommerceByFrequency,
  saasFeatureAdoption,
  reorderReminder,
];

/** A template parameter that is missing or does not fit; `problems` names each parameter by its key. */
export class TemplateParameterError extends Error {
  constructor(
    readonly templateId: string,
    readonly problems: { parameter: string; message: string }[],
    summary = problems.map((p) => p.message).join('; '),
  ) {
    super(`template "${templateId}": ${summary}`);
    this.name = 'TemplateParameterError';
  }
}

/**
 * A copy of the template's journey with every `{{key}}` replaced (defaults fill the gaps) and the
 * parameters that are not plain text (the heavy-buyer order count) applied. Every surface (the designer,
 * `POST /api/v1/journeys/from-template`, the demo) goes through here, so a parameter means the same on each.
 * Throws a TemplateParameterError naming each parameter that has no value or does not fit.
 */
export function instantiateTemplate(
  template: JourneyTemplate,
  values: Record<string, string> = {},
): JourneyDefinition {
  const resolved: Record<string, string> = {};
  const missing: JourneyTemplate['parameters'] = [];
  for (const p of template.parameters) {
    const value = values[p.key] ?? p.default;
    if (value === undefined || value === '') missing.push(p);
    else resolved[p.key] = value;
  }
  if (missing.length > 0) {
    throw new TemplateParameterError(
      template.id,
      missing.map((p) => ({ parameter: p.key, message: `give a value for ${p.key} (${p.label})` })),
      `give a value for ${missing.map((p) => `${p.key} (${p.label})`).join(', ')}`,
    );
  }
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => resolved[key] ?? whole);
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const def = fill(template.definition) as JourneyDefinition;
  if (template.id === 'ecommerce-purchase-frequency')
    applyHeavyBuyerThreshold(def, resolved.heavyBuyerOrders!);
  if (template.id === 'reorder-reminder')
    applyFirstOrderReminderDays(def, resolved.firstOrderReminderDays!);
  return def;
}

function applyFirstOrderReminderDays(def: JourneyDefinition, given: string) {
  const days = Number(given);
  if (!/^\s*\d+\s*$/.test(given) || !Number.isInteger(days) || days < 1) {
    throw new TemplateParameterError('reorder-reminder', [
      {
        parameter: 'firstOrderReminderDays',
        message: `firstOrderReminderDays must be a whole number of days ≥ 1, not "${given}"`,
      },
    ]);
  }
  const wait = def.nodes.find((n) => n.id === 'wait-reorder-date');
  if (wait?.kind === 'waitUntil' && wait.until.type === 'profileDate')
    wait.until.ifMissing = { then: 'fallbackDelay', delay: { amount: days, unit: 'days' } };
}

function applyHeavyBuyerThreshold(def: JourneyDefinition, given: string) {
  const orders = Number(given);
  if (!/^\s*\d+\s*$/.test(given) || !Number.isInteger(orders) || orders < 2) {
    throw new TemplateParameterError('ecommerce-purchase-frequency', [
      {
        parameter: 'heavyBuyerOrders',
        message: `heavyBuyerOrders must be a whole number ≥ 2, not "${given}"`,
      },
    ]);
  }
  const split = def.nodes.find((n) => n.id === 'by-frequency');
  const heavy =
    split?.kind === 'multiSplit' ? split.branches.find((b) => b.id === 'heavy') : undefined;
  if (heavy?.condition.on === 'profile') {
    heavy.condition = orderCount('gte', orders);
  }
  for (const node of def.nodes) {
    if (HEAVY_BUYER_WAITS.includes(node.id) && node.kind === 'waitFor')
      node.for = { type: 'condition', condition: orderCount('gte', orders).condition };
  }
}
