import { z } from 'zod';
import { ConditionGroupSchema, DurationSchema, type Duration } from '../segments/schema.js';
import { assertNever } from './duration.js';

// One Duration shape for segments and journeys, so a designer control serves both.
export { DurationSchema };
export type { Duration };
export type { DurationUnit } from './duration.js';
export { assertNever, durationToMs } from './duration.js';

export const PROPERTY_FILTER_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'in',
  'exists',
] as const;

/** A test on one property of an event, e.g. `{ path: 'plan', operator: 'eq', value: 'pro' }`. */
export const PropertyFilterSchema = z.object({
  path: z.string().min(1, 'must name a property, e.g. "order_id"'),
  operator: z.enum(PROPERTY_FILTER_OPERATORS),
  value: z.unknown().optional(),
});
export type PropertyFilter = z.infer<typeof PropertyFilterSchema>;

const eventName = z.string().min(1, 'must name an event, e.g. "Order Completed"');
const segmentId = z.string().min(1, 'must name a segment id');
const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as "HH:mm", e.g. "09:30"');

export const BranchConditionSchema = z.discriminatedUnion('on', [
  z.object({ on: z.literal('profile'), condition: ConditionGroupSchema }),
  z.object({ on: z.literal('segment'), segmentId, member: z.boolean() }),
  z.object({ on: z.literal('entryEvent'), filters: z.array(PropertyFilterSchema) }),
  z.object({
    on: z.literal('eventSinceEntry'),
    event: eventName,
    filters: z.array(PropertyFilterSchema).optional(),
    count: z.number().int('must be a whole number').min(1, 'must be ≥ 1').optional(),
  }),
]);
export type BranchCondition = z.infer<typeof BranchConditionSchema>;

const base = {
  id: z.string().min(1, 'must be a non-empty id'),
  label: z.string().optional(),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
};

export const TriggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('segmentEntered'), segmentId }),
  z.object({
    type: z.literal('event'),
    event: eventName,
    filters: z.array(PropertyFilterSchema).optional(),
    key: z.string().min(1, 'must be a property path, e.g. "order_id"').optional(),
    /** Events older than this when received (imports, backdated timestamps) start no run; default 24 hours. */
    maxEventAge: DurationSchema.optional(),
  }),
  z.object({ type: z.literal('manual') }),
  z.object({
    type: z.literal('dateAnniversary'),
    trait: z.string().min(1, 'must name a trait holding a date, e.g. "birthday" or "signed_up_at"'),
    /** Days after (+) or before (−) the date. */
    offsetDays: z.number().int('must be a whole number').optional(),
    /** `yearly` (default): every year on the date; `once`: only on the date itself (a renewal, a trial end). */
    recurrence: z.enum(['yearly', 'once']).optional(),
    /** Local time of day the run starts, in the contact's time zone; default 09:00. */
    time: hhmm.optional(),
    /** For contacts without a `timezone` trait; default the workspace's time zone. */
    defaultTimezone: z.string().optional(),
  }),
]);
export type JourneyTrigger = z.infer<typeof TriggerSchema>;

/**
 * A wait on a profile date the contact does not have (a first-time buyer has no predicted reorder):
 * `continue` at once, `waitForDate` until the date appears (then wait for it; up to `timeout`, then
 * continue), or wait a `fallbackDelay` instead of the date.
 */
export const MissingDateSchema = z.discriminatedUnion('then', [
  z.object({ then: z.literal('continue') }),
  z.object({ then: z.literal('waitForDate'), timeout: DurationSchema }),
  z.object({ then: z.literal('fallbackDelay'), delay: DurationSchema }),
]);
export type MissingDate = z.infer<typeof MissingDateSchema>;

export const WaitUntilSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('datetime'),
    at: z.iso.datetime({
      offset: true,
      error: 'must be an ISO date-time, e.g. "2025-01-31T09:00:00Z"',
    }),
  }),
  z.object({
    type: z.literal('timeOfDay'),
    time: hhmm,
    weekdays: z
      .array(
        z.number().int().min(1, 'must be 1 (Mon) to 7 (Sun)').max(7, 'must be 1 (Mon) to 7 (Sun)'),
      )
      .min(1, 'must list at least one weekday, or be left out for every day')
      .optional(),
    defaultTimezone: z.string().optional(),
  }),
  z.object({
    type: z.literal('profileDate'),
    field: z
      .string()
      .min(
        1,
        'must name a profile date, e.g. "purchases.predictedNextOrderAt" or "traits.renewal_at"',
      ),
    offset: z.object({
      amount: z.number().int('must be a whole number'),
      unit: DurationSchema.shape.unit,
    }),
    /** What to do when the contact has no such date (yet); left out: continue at once. */
    ifMissing: MissingDateSchema.optional(),
  }),
]);
export type WaitUntil = z.infer<typeof WaitUntilSchema>;

export const WaitForSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event'),
    event: eventName,
    filters: z.array(PropertyFilterSchema).optional(),
  }),
  z.object({ type: z.literal('condition'), condition: ConditionGroupSchema }),
]);
export type WaitFor = z.infer<typeof WaitForSchema>;

const optionId = z.string().min(1, 'must be a non-empty id');

export const JourneyNodeSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('trigger'), trigger: TriggerSchema }),
  z.object({ ...base, kind: z.literal('delay'), duration: DurationSchema }),
  z.object({ ...base, kind: z.literal('waitUntil'), until: WaitUntilSchema }),
  z.object({ ...base, kind: z.literal('waitFor'), for: WaitForSchema, timeout: DurationSchema }),
  z.object({ ...base, kind: z.literal('branch'), condition: BranchConditionSchema }),
  z.object({
    ...base,
    kind: z.literal('multiSplit'),
    branches: z
      .array(z.object({ id: optionId, label: z.string(), condition: BranchConditionSchema }))
      .min(1, 'must have at least one branch'),
  }),
  z.object({
    ...base,
    kind: z.literal('randomSplit'),
    variants: z
      .array(z.object({ id: optionId, label: z.string(), weight: z.number().gt(0, 'must be > 0') }))
      .min(1, 'must have at least one variant'),
  }),
  z.object({
    ...base,
    kind: z.literal('action'),
    action: z.object({
      type: z.string().min(1, 'must name an action type, e.g. "email"'),
      version: z.number().int().min(1, 'must be ≥ 1'),
    }),
    config: z.record(z.string(), z.unknown()),
  }),
  z.object({ ...base, kind: z.literal('goal'), condition: BranchConditionSchema }),
  z.object({ ...base, kind: z.literal('exit') }),
]);
export type JourneyNode = z.infer<typeof JourneyNodeSchema>;
export type JourneyNodeKind = JourneyNode['kind'];
export type NodeOfKind<K extends JourneyNodeKind> = Extract<JourneyNode, { kind: K }>;

export const JourneyEdgeSchema = z.object({
  id: z.string().min(1, 'must be a non-empty id'),
  source: z.string().min(1, 'must name the source node id'),
  sourceHandle: z.string().min(1, 'must name the output of the source node, e.g. "next"'),
  target: z.string().min(1, 'must name the target node id'),
});
export type JourneyEdge = z.infer<typeof JourneyEdgeSchema>;

export const ReentrySchema = z.discriminatedUnion('policy', [
  z.object({ policy: z.literal('never') }),
  z.object({ policy: z.literal('afterExit') }),
  z.object({ policy: z.literal('afterCooldown'), cooldown: DurationSchema }),
]);

const entryInstant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO date-time with its time zone, e.g. "2026-01-31T09:00:00Z"',
});

export const JourneySettingsSchema = z.object({
  reentry: ReentrySchema,
  exitOnSegmentExit: z.boolean(),
  exitOnEvent: z
    .object({ event: eventName, filters: z.array(PropertyFilterSchema).optional() })
    .optional(),
  // Without a defaultTimezone, a contact with no zone of their own keeps the workspace's quiet hours.
  quietHours: z
    .object({ start: hhmm, end: hhmm, defaultTimezone: z.string().min(1).optional() })
    .optional(),
  frequencyCap: z
    .object({ messages: z.number().int().min(1, 'must be ≥ 1'), per: DurationSchema })
    .optional(),
  holdoutPercent: z
    .number()
    .min(0, 'must be between 0 and 100')
    .max(100, 'must be between 0 and 100'),
  /** How long held-out contacts are watched for the goals (default 30 days). */
  holdoutWindow: DurationSchema.optional(),
  enrollmentLimit: z.number().int().min(1, 'must be ≥ 1').optional(),
  /** No contact enters before this instant; runs are not affected once they started. */
  entryStartsAt: entryInstant.optional(),
  /** No contact enters from this instant on; runs already in progress carry on to their end. */
  entryEndsAt: entryInstant.optional(),
});
export type JourneySettings = z.infer<typeof JourneySettingsSchema>;

export const JourneyDefinitionSchema = z.object({
  name: z.string().min(1, 'must not be empty'),
  description: z.string().optional(),
  settings: JourneySettingsSchema,
  nodes: z.array(JourneyNodeSchema),
  edges: z.array(JourneyEdgeSchema),
});
export type JourneyDefinition = z.infer<typeof JourneyDefinitionSchema>;

/** What the journey layer needs to know about one registered action version. */
export type ActionCatalogEntry = {
  outputs: string[];
  validateConfig(config: unknown): { path: string; message: string }[];
  /** 'message' actions obey quiet hours and the frequency cap. */
  category?: string;
};
export type ActionCatalog = (type: string, version: number) => ActionCatalogEntry | undefined;

/** Output handle names of a node; an action's come from its catalog entry (none if unknown). */
export function nodeOutputs(node: JourneyNode, catalog?: ActionCatalog): string[] {
  switch (node.kind) {
    case 'trigger':
    case 'delay':
    case 'waitUntil':
    case 'goal':
      return ['next'];
    case 'waitFor':
      return ['matched', 'timeout'];
    case 'branch':
      return ['yes', 'no'];
    case 'multiSplit':
      return [...node.branches.map((b) => b.id), 'else'];
    case 'randomSplit':
      return node.variants.map((v) => v.id);
    case 'action':
      return catalog?.(node.action.type, node.action.version)?.outputs ?? [];
    case 'exit':
      return [];
    default:
      return assertNever(node);
  }
}

/** Kinds that hold a contact on the clock; a loop must pass through one of them. */
export const WAITING_KINDS: readonly JourneyNodeKind[] = ['delay', 'waitUntil', 'waitFor'];

export type NodeKindInfo = {
  kind: JourneyNodeKind;
  title: string;
  description: string;
  /** Fixed outputs; `undefined` when they depend on the node's config (splits, actions). */
  outputs?: string[];
  outputsFrom?: 'branches' | 'variants' | 'actionManifest';
};

/** Palette metadata for the designer. */
export const NODE_KINDS: readonly NodeKindInfo[] = [
  {
    kind: 'trigger',
    title: 'Trigger',
    description: 'How contacts enter: entering a segment, an event, a date anniversary or by hand.',
    outputs: ['next'],
  },
  {
    kind: 'delay',
    title: 'Delay',
    description: 'Wait a fixed time before the next step.',
    outputs: ['next'],
  },
  {
    kind: 'waitUntil',
    title: 'Wait until',
    description:
      'Wait until a date, a time of day in the contact’s time zone, or a date on the profile.',
    outputs: ['next'],
  },
  {
    kind: 'waitFor',
    title: 'Wait for',
    description: 'Wait for an event or a condition, up to a timeout.',
    outputs: ['matched', 'timeout'],
  },
  {
    kind: 'branch',
    title: 'Yes / No branch',
    description: 'Split on one condition.',
    outputs: ['yes', 'no'],
  },
  {
    kind: 'multiSplit',
    title: 'Multi-split',
    description: 'First matching branch wins; everyone else goes to "else".',
    outputsFrom: 'branches',
  },
  {
    kind: 'randomSplit',
    title: 'Random split',
    description: 'Split contacts by weight, e.g. for an A/B test.',
    outputsFrom: 'variants',
  },
  {
    kind: 'action',
    title: 'Action',
    description: 'Send a message, call a webhook, update the contact…',
    outputsFrom: 'actionManifest',
  },
  {
    kind: 'goal',
    title: 'Goal',
    description: 'Counts a conversion; contacts who meet it anywhere in the journey jump here.',
    outputs: ['next'],
  },
  { kind: 'exit', title: 'Exit', description: 'The contact leaves the journey.', outputs: [] },
];

/**
 * Node ids in the order a contact meets them: breadth-first from the trigger, each node's exits in the
 * order of its outputs (yes before no); steps no edge reaches follow in definition order. A funnel reads
 * top to bottom in this order.
 */
export function nodesInFlowOrder(definition: Pick<JourneyDefinition, 'nodes' | 'edges'>): string[] {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const outgoing = new Map<string, JourneyEdge[]>();
  for (const edge of definition.edges)
    outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  const rank = (node: JourneyNode | undefined, handle: string) => {
    const index = node ? nodeOutputs(node).indexOf(handle) : -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = definition.nodes.filter((n) => n.kind === 'trigger').map((n) => n.id);
  for (const id of queue) seen.add(id);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    order.push(id);
    const node = byId.get(id);
    // A stable sort keeps the drawing order for outputs the graph cannot rank (an action's, without its catalog).
    const edges = [...(outgoing.get(id) ?? [])].sort(
      (a, b) => rank(node, a.sourceHandle) - rank(node, b.sourceHandle),
    );
    for (const edge of edges)
      if (byId.has(edge.target) && !seen.has(edge.target)) {
        seen.add(edge.target);
        queue.push(edge.target);
      }
  }
  for (const node of definition.nodes) if (!seen.has(node.id)) order.push(node.id);
  return order;
}
