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
const email = (id: string, templateKey: string, subject: string, pos: { x: number; y: number }, label?: string): JourneyNode => ({
  id,
  kind: 'action',
  ...(label ? { label } : {}),
  position: pos,
  action: { type: 'email', version: 1 },
  config: { templateId: `{{${templateKey}}}`, subject },
});

const streamingWinBack: JourneyTemplate = {
  id: 'streaming-win-back',
  title: 'Streaming win-back',
  description: 'Viewers who stopped watching get recommendations like their last binge, then one nudge if they still do not come back.',
  vertical: 'streaming',
  parameters: [
    { key: 'lapsedSegmentId', label: 'Segment: no viewing in 21 days', kind: 'segment' },
    { key: 'recommendationsTemplateId', label: 'Email: titles like last month’s binge', kind: 'template', default: 'winback-recommendations' },
    { key: 'nudgeTemplateId', label: 'Email: second nudge', kind: 'template', default: 'winback-nudge' },
  ],
  definition: {
    name: 'Streaming win-back',
    description: 'No viewing in 21 days → recommendations → wait 7 days for a watch → nudge.',
    settings: { reentry: { policy: 'afterCooldown', cooldown: { amount: 30, unit: 'days' } }, exitOnSegmentExit: true, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', label: 'No viewing in 21 days', position: at(0, 0), trigger: { type: 'segmentEntered', segmentId: '{{lapsedSegmentId}}' } },
      email('recommend', 'recommendationsTemplateId', 'Picked for you: more like your last binge', at(0, 1), 'Recommend titles'),
      { id: 'wait-watch', kind: 'waitFor', label: 'Watched within 7 days?', position: at(0, 2), for: { type: 'event', event: 'Video Watched' }, timeout: { amount: 7, unit: 'days' } },
      { id: 'exit-returned', kind: 'exit', label: 'Came back', position: at(-1, 3) },
      email('nudge', 'nudgeTemplateId', 'Still there? Your list misses you', at(1, 3), 'Second nudge'),
      { id: 'exit', kind: 'exit', position: at(1, 4) },
    ],
    edges: [
      edge('trigger', 'next', 'recommend'),
      edge('recommend', 'next', 'wait-watch'),
      edge('wait-watch', 'matched', 'exit-returned'),
      edge('wait-watch', 'timeout', 'nudge'),
      edge('nudge', 'next', 'exit'),
    ],
  },
};

const orderCount = (operator: 'eq' | 'gte', value: number) => ({
  on: 'profile' as const,
  condition: { type: 'all' as const, conditions: [{ type: 'metric' as const, metric: 'orderCount' as const, operator, value }] },
});

const ecommerceByFrequency: JourneyTemplate = {
  id: 'ecommerce-purchase-frequency',
  title: 'Customers by purchase frequency',
  description: 'Heavy buyers get early access, occasional buyers an incentive, first-time buyers a three-email onboarding series.',
  vertical: 'ecommerce',
  parameters: [
    { key: 'customersSegmentId', label: 'Segment: customers to enrol', kind: 'segment' },
    { key: 'heavyBuyerOrders', label: 'Orders that make a heavy buyer', kind: 'text', default: '5' },
    { key: 'earlyAccessTemplateId', label: 'Email: early access', kind: 'template', default: 'early-access' },
    { key: 'incentiveTemplateId', label: 'Email: come back with an incentive', kind: 'template', default: 'reengagement-incentive' },
    { key: 'onboarding1TemplateId', label: 'Email: onboarding 1', kind: 'template', default: 'onboarding-1' },
    { key: 'onboarding2TemplateId', label: 'Email: onboarding 2', kind: 'template', default: 'onboarding-2' },
    { key: 'onboarding3TemplateId', label: 'Email: onboarding 3', kind: 'template', default: 'onboarding-3' },
  ],
  definition: {
    name: 'Customers by purchase frequency',
    settings: { reentry: { policy: 'afterCooldown', cooldown: { amount: 30, unit: 'days' } }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', position: at(1, 0), trigger: { type: 'segmentEntered', segmentId: '{{customersSegmentId}}' } },
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
      email('early-access', 'earlyAccessTemplateId', 'You’re in early: new arrivals before anyone else', at(0, 2)),
      email('incentive', 'incentiveTemplateId', 'We saved you 15% on your next order', at(1, 2)),
      email('onboarding-1', 'onboarding1TemplateId', 'Welcome! Getting the most from your order', at(2, 2)),
      { id: 'wait-onboarding-2', kind: 'delay', position: at(2, 3), duration: { amount: 3, unit: 'days' } },
      email('onboarding-2', 'onboarding2TemplateId', 'Customers who bought this also loved…', at(2, 4)),
      { id: 'wait-onboarding-3', kind: 'delay', position: at(2, 5), duration: { amount: 4, unit: 'days' } },
      email('onboarding-3', 'onboarding3TemplateId', 'How is it going? Tell us', at(2, 6)),
      { id: 'exit', kind: 'exit', position: at(1, 7) },
    ],
    edges: [
      edge('trigger', 'next', 'by-frequency'),
      edge('by-frequency', 'heavy', 'early-access'),
      edge('by-frequency', 'occasional', 'incentive'),
      edge('by-frequency', 'first-time', 'onboarding-1'),
      edge('by-frequency', 'else', 'exit'),
      edge('early-access', 'next', 'exit'),
      edge('incentive', 'next', 'exit'),
      edge('onboarding-1', 'next', 'wait-onboarding-2'),
      edge('wait-onboarding-2', 'next', 'onboarding-2'),
      edge('onboarding-2', 'next', 'wait-onboarding-3'),
      edge('wait-onboarding-3', 'next', 'onboarding-3'),
      edge('onboarding-3', 'next', 'exit'),
    ],
  },
};

const saasFeatureAdoption: JourneyTemplate = {
  id: 'saas-feature-adoption',
  title: 'Feature adoption',
  description: 'Users who have not tried a feature in 14 days see an in-app tip; those who still do not use it get a tutorial email.',
  vertical: 'saas',
  parameters: [
    { key: 'featureUnusedSegmentId', label: 'Segment: feature unused for 14 days', kind: 'segment' },
    { key: 'featureUsedEvent', label: 'Event sent when the feature is used', kind: 'event', default: 'Feature Used' },
    { key: 'tutorialTemplateId', label: 'Email: tutorial', kind: 'template', default: 'feature-tutorial' },
  ],
  definition: {
    name: 'Feature adoption',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'trigger', kind: 'trigger', position: at(0, 0), trigger: { type: 'segmentEntered', segmentId: '{{featureUnusedSegmentId}}' } },
      {
        id: 'in-app-tip',
        kind: 'action',
        label: 'In-app tip',
        position: at(0, 1),
        action: { type: 'inAppMessage', version: 1 },
        config: { title: 'Have you tried it yet?', body: 'It takes a minute and saves you hours every week.' },
      },
      { id: 'wait-2-days', kind: 'delay', position: at(0, 2), duration: { amount: 2, unit: 'days' } },
      { id: 'used-feature', kind: 'branch', label: 'Used the feature since?', position: at(0, 3), condition: { on: 'eventSinceEntry', event: '{{featureUsedEvent}}' } },
      { id: 'exit-adopted', kind: 'exit', label: 'Adopted', position: at(-1, 4) },
      email('tutorial', 'tutorialTemplateId', 'A 3-minute tutorial to get started', at(1, 4), 'Tutorial email'),
      { id: 'exit', kind: 'exit', position: at(1, 5) },
    ],
    edges: [
      edge('trigger', 'next', 'in-app-tip'),
      edge('in-app-tip', 'next', 'wait-2-days'),
      edge('wait-2-days', 'next', 'used-feature'),
      edge('used-feature', 'yes', 'exit-adopted'),
      edge('used-feature', 'no', 'tutorial'),
      edge('tutorial', 'next', 'exit'),
    ],
  },
};

const reorderReminder: JourneyTemplate = {
  id: 'reorder-reminder',
  title: 'Reorder reminder',
  description: 'Two weeks before a customer is predicted to run out, remind them to reorder. One run per order; a new order ends the old run.',
  vertical: 'ecommerce',
  parameters: [
    { key: 'reminderTemplateId', label: 'Email: time to reorder', kind: 'template', default: 'reorder-reminder' },
    { key: 'reorderDateField', label: 'Profile date to remind before', kind: 'text', default: 'purchase.predictedNextOrderAt' },
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
      { id: 'trigger', kind: 'trigger', position: at(0, 0), trigger: { type: 'event', event: 'Order Completed', key: 'order_id' } },
      {
        id: 'wait-reorder-date',
        kind: 'waitUntil',
        label: '14 days before the predicted reorder',
        position: at(0, 1),
        until: { type: 'profileDate', field: '{{reorderDateField}}', offset: { amount: -14, unit: 'days' } },
      },
      email('reminder', 'reminderTemplateId', 'Running low? Reorder in one click', at(0, 2), 'Reorder email'),
      { id: 'exit', kind: 'exit', position: at(0, 3) },
    ],
    edges: [edge('trigger', 'next', 'wait-reorder-date'), edge('wait-reorder-date', 'next', 'reminder'), edge('reminder', 'next', 'exit')],
  },
};

export const JOURNEY_TEMPLATES: readonly JourneyTemplate[] = [streamingWinBack, ecommerceByFrequency, saasFeatureAdoption, reorderReminder];

/**
 * A copy of the template's journey with every `{{key}}` replaced (defaults fill the gaps).
 * Throws naming each parameter that has no value.
 */
export function instantiateTemplate(template: JourneyTemplate, values: Record<string, string> = {}): JourneyDefinition {
  const resolved: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of template.parameters) {
    const value = values[p.key] ?? p.default;
    if (value === undefined || value === '') missing.push(`${p.key} (${p.label})`);
    else resolved[p.key] = value;
  }
  if (missing.length > 0) throw new Error(`template "${template.id}": give a value for ${missing.join(', ')}`);
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => resolved[key] ?? whole);
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const def = fill(template.definition) as JourneyDefinition;
  if (template.id === 'ecommerce-purchase-frequency') applyHeavyBuyerThreshold(def, Number(resolved.heavyBuyerOrders));
  return def;
}

function applyHeavyBuyerThreshold(def: JourneyDefinition, orders: number) {
  if (!Number.isInteger(orders) || orders < 2) throw new Error('template "ecommerce-purchase-frequency": heavyBuyerOrders must be a whole number ≥ 2');
  const split = def.nodes.find((n) => n.id === 'by-frequency');
  const heavy = split?.kind === 'multiSplit' ? split.branches.find((b) => b.id === 'heavy') : undefined;
  if (heavy?.condition.on === 'profile') {
    heavy.condition = orderCount('gte', orders);
  }
}
