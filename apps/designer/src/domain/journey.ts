// Local mirror of the journey graph contract (packages/core/src/journeys/graph.ts).
// Switch these to `import type { ... } from '@cairn/core'` once core exports them.

export type DurationUnit = 'minutes' | 'hours' | 'days' | 'weeks';
export type Duration = { amount: number; unit: DurationUnit };

export type FilterOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'in' | 'exists';
export type PropertyFilter = { path: string; operator: FilterOperator; value?: unknown };

export type ConditionGroupType = 'all' | 'any' | 'none';
export type ConditionType = 'trait' | 'event' | 'eventAggregate' | 'metric' | 'segment' | 'randomBucket';
// The segment language is owned by core; the designer only needs the outer shape.
export type SegmentCondition = { type: ConditionType; [field: string]: unknown };
export type ConditionGroup = { type: ConditionGroupType; conditions: (SegmentCondition | ConditionGroup)[] };

export type BranchCondition =
  | { on: 'profile'; condition: ConditionGroup }
  | { on: 'segment'; segmentId: string; member: boolean }
  | { on: 'entryEvent'; filters: PropertyFilter[] }
  | { on: 'eventSinceEntry'; event: string; filters?: PropertyFilter[]; count?: number };

export type JourneyEdge = { id: string; source: string; sourceHandle: string; target: string };
export type NodeBase = { id: string; label?: string; position?: { x: number; y: number } };

export type Trigger =
  | { type: 'segmentEntered'; segmentId: string }
  | { type: 'event'; event: string; filters?: PropertyFilter[]; key?: string }
  | { type: 'manual' }
  | { type: 'dateAnniversary'; trait: string; offsetDays?: number };

export type WaitUntil =
  | { type: 'datetime'; at: string }
  | { type: 'timeOfDay'; time: string; weekdays?: number[]; defaultTimezone?: string }
  | { type: 'profileDate'; field: string; offset: { amount: number; unit: DurationUnit } };

export type WaitFor =
  | { type: 'event'; event: string; filters?: PropertyFilter[] }
  | { type: 'condition'; condition: ConditionGroup };

export type TriggerNode = NodeBase & { kind: 'trigger'; trigger: Trigger };
export type DelayNode = NodeBase & { kind: 'delay'; duration: Duration };
export type WaitUntilNode = NodeBase & { kind: 'waitUntil'; until: WaitUntil };
export type WaitForNode = NodeBase & { kind: 'waitFor'; for: WaitFor; timeout: Duration };
export type BranchNode = NodeBase & { kind: 'branch'; condition: BranchCondition };
export type MultiSplitNode = NodeBase & {
  kind: 'multiSplit';
  branches: { id: string; label: string; condition: BranchCondition }[];
};
export type RandomSplitNode = NodeBase & { kind: 'randomSplit'; variants: { id: string; label: string; weight: number }[] };
export type ActionNode = NodeBase & {
  kind: 'action';
  action: { type: string; version: number };
  config: Record<string, unknown>;
};
export type GoalNode = NodeBase & { kind: 'goal'; condition: BranchCondition };
export type ExitNode = NodeBase & { kind: 'exit' };

export type JourneyNode =
  | TriggerNode
  | DelayNode
  | WaitUntilNode
  | WaitForNode
  | BranchNode
  | MultiSplitNode
  | RandomSplitNode
  | ActionNode
  | GoalNode
  | ExitNode;

export type JourneyKind = JourneyNode['kind'];

export type JourneySettings = {
  reentry: { policy: 'never' } | { policy: 'afterExit' } | { policy: 'afterCooldown'; cooldown: Duration };
  exitOnSegmentExit: boolean;
  exitOnEvent?: { event: string; filters?: PropertyFilter[] };
  quietHours?: { start: string; end: string; defaultTimezone: string };
  frequencyCap?: { messages: number; per: Duration };
  holdoutPercent: number;
  enrollmentLimit?: number;
};

export type JourneyDefinition = {
  name: string;
  description?: string;
  settings: JourneySettings;
  nodes: JourneyNode[];
  edges: JourneyEdge[];
};

export type ActionCatalogEntry = {
  outputs: string[];
  validateConfig(config: unknown): { path: string; message: string }[];
};
export type ActionCatalog = (type: string, version: number) => ActionCatalogEntry | undefined;

export const JOURNEY_KINDS: readonly JourneyKind[] = [
  'trigger',
  'delay',
  'waitUntil',
  'waitFor',
  'branch',
  'multiSplit',
  'randomSplit',
  'action',
  'goal',
  'exit',
];

function assertUnreachable(value: never): never {
  throw new Error(`unknown journey node kind: ${JSON.stringify(value)}`);
}

/** Output names a node exposes, in display order (the contract's per-kind outputs). */
export function outputsOf(node: JourneyNode, catalog: ActionCatalog): string[] {
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
      // An action missing from the catalog still gets 'next' so the canvas stays editable.
      return catalog(node.action.type, node.action.version)?.outputs ?? ['next'];
    case 'exit':
      return [];
    default:
      return assertUnreachable(node);
  }
}

export function emptyDefinition(name: string): JourneyDefinition {
  return {
    name,
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [{ id: 'trigger', kind: 'trigger', trigger: { type: 'manual' }, position: { x: 0, y: 0 } }],
    edges: [],
  };
}
