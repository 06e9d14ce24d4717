// Long on purpose: every journey rule in one place, so the designer and publish answer alike.
import type { z } from 'zod';
import {
  JourneyDefinitionSchema,
  NODE_KINDS,
  WAITING_KINDS,
  nodeOutputs,
  type ActionCatalog,
  type BranchCondition,
  type JourneyDefinition,
  type JourneyNode,
  type JourneyTrigger,
} from './graph.js';
import { isValidTimeZone } from './time.js';
import { isConditionGroup } from '../segments/condition-group.js';
import type { ConditionGroup, SegmentCondition } from '../segments/schema.js';
import {
  PROFILE_KIND_WORDS,
  checkProfilePath,
  profilePathSegments,
  unknownProfileReads,
} from '../profile/paths.js';

export type JourneyProblem = { path: string; nodeId?: string; message: string };

export type ValidateJourneyOptions = {
  catalog: ActionCatalog;
  /** Leave out to skip the check (e.g. while drafting offline). */
  segmentExists?: (segmentId: string) => boolean;
  templateExists?: (templateId: string) => boolean;
  /** The latest saved version of a message template (versions run 1..latest), undefined when there is none. */
  templateLatestVersion?: (templateId: string) => number | undefined;
};

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function nodeRef(node: { id?: unknown; kind?: unknown } | undefined, index: number): string {
  const id = typeof node?.id === 'string' && node.id !== '' ? `"${node.id}"` : `#${index}`;
  return typeof node?.kind === 'string' ? `node ${id} (${node.kind})` : `node ${id}`;
}

function refOf(node: JourneyNode): string {
  return `node "${node.id}" (${node.kind})`;
}

// Turns zod's generic wording into "must be …" fixes; schema-specific messages take precedence.
const parseErrors = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? 'is required'
      : `must be ${issue.expected === 'array' ? 'a list' : `a ${String(issue.expected)}`}`;
  }
  if (issue.code === 'invalid_value')
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (
    issue.code === 'invalid_union' &&
    'discriminator' in issue &&
    typeof issue.discriminator === 'string'
  ) {
    // zod already puts the discriminator in the issue path
    if (issue.discriminator === 'kind')
      return `must be one of ${NODE_KINDS.map((k) => k.kind).join(', ')}`;
    return 'is missing or not a known value';
  }
  return undefined;
};

function schemaProblems(input: unknown, issues: z.core.$ZodIssue[]): JourneyProblem[] {
  const rawNodes = (input as { nodes?: unknown })?.nodes;
  const rawEdges = (input as { edges?: unknown })?.edges;
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const [head, index, ...rest] = issue.path;
    const message = issue.message;
    const relative = rest.length > 0 ? `${formatPath(rest)} ` : '';
    if (head === 'nodes' && typeof index === 'number' && Array.isArray(rawNodes)) {
      const raw = rawNodes[index] as { id?: unknown; kind?: unknown } | undefined;
      const nodeId = typeof raw?.id === 'string' ? raw.id : undefined;
      return {
        path,
        ...(nodeId !== undefined ? { nodeId } : {}),
        message: `${nodeRef(raw, index)}: ${relative}${message}`,
      };
    }
    if (head === 'edges' && typeof index === 'number' && Array.isArray(rawEdges)) {
      const raw = rawEdges[index] as { id?: unknown } | undefined;
      const id = typeof raw?.id === 'string' && raw.id !== '' ? `"${raw.id}"` : `#${index}`;
      return { path, message: `edge ${id}: ${relative}${message}` };
    }
    return { path, message: `${path === '' ? 'journey' : path}: ${message}` };
  });
}

/**
 * Every problem that would stop a journey from being published, each naming the node and the fix.
 * An empty list means the journey can run.
 */
export function validateJourney(input: unknown, options: ValidateJourneyOptions): JourneyProblem[] {
  const parsed = JourneyDefinitionSchema.safeParse(input, { error: parseErrors });
  if (!parsed.success) return schemaProblems(input, parsed.error.issues);
  return graphProblems(parsed.data, options);
}

function graphProblems(def: JourneyDefinition, options: ValidateJourneyOptions): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  const nodeIndex = new Map<string, number>();
  const byId = new Map<string, JourneyNode>();

  def.nodes.forEach((node, i) => {
    if (byId.has(node.id)) {
      problems.push({
        path: `nodes[${i}].id`,
        nodeId: node.id,
        message: `${refOf(node)}: id is already used by nodes[${nodeIndex.get(node.id)}] — give each node its own id`,
      });
      return;
    }
    byId.set(node.id, node);
    nodeIndex.set(node.id, i);
  });

  const triggers = def.nodes.filter((n) => n.kind === 'trigger');
  if (triggers.length === 0)
    problems.push({
      path: 'nodes',
      message: 'journey: has no trigger — add one Trigger node that says how contacts enter',
    });
  if (triggers.length > 1) {
    for (const extra of triggers.slice(1)) {
      problems.push({
        path: `nodes[${nodeIndex.get(extra.id)}]`,
        nodeId: extra.id,
        message: `${refOf(extra)}: a journey has exactly one trigger — remove this one or merge it into "${triggers[0]!.id}"`,
      });
    }
  }

  // Per-node checks.
  const entryTrigger = triggers[0]?.kind === 'trigger' ? triggers[0].trigger : undefined;
  def.nodes.forEach((node, i) =>
    problems.push(...nodeProblems(node, `nodes[${i}]`, options, entryTrigger)),
  );
  problems.push(...settingsProblems(def, options));

  // Edges.
  const edgeIds = new Set<string>();
  const wired = new Map<string, string>(); // "source\0handle" → edge id
  const successors = new Map<string, string[]>();
  def.edges.forEach((edge, i) => {
    const path = `edges[${i}]`;
    if (edgeIds.has(edge.id))
      problems.push({
        path: `${path}.id`,
        message: `edge "${edge.id}": id is already used — give each edge its own id`,
      });
    edgeIds.add(edge.id);
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source)
      problems.push({
        path: `${path}.source`,
        message: `edge "${edge.id}": source node "${edge.source}" does not exist — connect it to an existing node or delete the edge`,
      });
    if (!target)
      problems.push({
        path: `${path}.target`,
        message: `edge "${edge.id}": target node "${edge.target}" does not exist — connect it to an existing node or delete the edge`,
      });
    if (target?.kind === 'trigger')
      problems.push({
        path: `${path}.target`,
        nodeId: target.id,
        message: `edge "${edge.id}": leads into the trigger "${target.id}" — contacts can only enter through the trigger; point it elsewhere`,
      });
    if (!source) return;
    const outputs = nodeOutputs(source, options.catalog);
    if (!outputs.includes(edge.sourceHandle)) {
      const hint =
        outputs.length > 0
          ? `use one of ${outputs.map((o) => `"${o}"`).join(', ')}`
          : 'this node has no outputs; delete the edge';
      problems.push({
        path: `${path}.sourceHandle`,
        nodeId: source.id,
        message: `${refOf(source)}: has no output "${edge.sourceHandle}" (edge "${edge.id}") — ${hint}`,
      });
      return;
    }
    const key = `${edge.source}\u0000${edge.sourceHandle}`;
    const earlier = wired.get(key);
    if (earlier !== undefined) {
      problems.push({
        path,
        nodeId: source.id,
        message: `${refOf(source)}: output "${edge.sourceHandle}" is connected twice (edges "${earlier}" and "${edge.id}") — keep one`,
      });
      return;
    }
    wired.set(key, edge.id);
    if (target) successors.set(source.id, [...(successors.get(source.id) ?? []), target.id]);
  });

  // Every output wired (a goal's "next" may end the journey).
  for (const node of byId.values()) {
    if (node.kind === 'goal') continue;
    for (const output of nodeOutputs(node, options.catalog)) {
      if (!wired.has(`${node.id}\u0000${output}`)) {
        problems.push({
          path: `nodes[${nodeIndex.get(node.id)}]`,
          nodeId: node.id,
          message: `${refOf(node)}: output "${output}" is not connected — connect it or add an Exit`,
        });
      }
    }
  }

  // Reachability from the trigger.
  const trigger = triggers[0];
  if (trigger) {
    const seen = new Set<string>([trigger.id]);
    const queue = [trigger.id];
    while (queue.length > 0) {
      for (const next of successors.get(queue.shift()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    for (const node of byId.values()) {
      if (!seen.has(node.id)) {
        problems.push({
          path: `nodes[${nodeIndex.get(node.id)}]`,
          nodeId: node.id,
          message: `${refOf(node)}: cannot be reached from the trigger — connect an output to it or delete it`,
        });
      }
    }
  }

  // Loops must pass through a node that waits on the clock, or a contact would spin forever.
  for (const cycle of instantCycles(byId, successors)) {
    const first = byId.get(cycle[0]!)!;
    problems.push({
      path: `nodes[${nodeIndex.get(first.id)}]`,
      nodeId: first.id,
      message: `${refOf(first)}: is on a loop with no wait (${[...cycle, cycle[0]].map((id) => `"${id}"`).join(' → ')}) — add a Delay, Wait until or Wait for on the loop`,
    });
  }
  return problems;
}

/** Cycles among nodes that do not wait (each reported once, by one member). */
function instantCycles(
  byId: Map<string, JourneyNode>,
  successors: Map<string, string[]>,
): string[][] {
  const instant = (id: string) => {
    const node = byId.get(id);
    return node !== undefined && !WAITING_KINDS.includes(node.kind);
  };
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'active');
    stack.push(id);
    for (const next of successors.get(id) ?? []) {
      if (!instant(next)) continue;
      const s = state.get(next);
      if (s === 'active') cycles.push(stack.slice(stack.indexOf(next)));
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of byId.keys()) if (instant(id) && !state.has(id)) visit(id);
  return cycles;
}

function nodeProblems(
  node: JourneyNode,
  path: string,
  options: ValidateJourneyOptions,
  trigger?: JourneyTrigger,
): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  const add = (field: string, message: string) =>
    problems.push({
      path: field === '' ? path : `${path}.${field}`,
      nodeId: node.id,
      message: `${refOf(node)}: ${field === '' ? '' : `${field} `}${message}`,
    });
  const checkSegment = (field: string, segmentId: string) => {
    if (options.segmentExists && !options.segmentExists(segmentId))
      add(
        field,
        `refers to segment "${segmentId}", which does not exist — pick an existing segment`,
      );
  };
  // Segment-language conditions may name segments too (`{ type: 'segment', segmentId }`), at any depth.
  const checkGroup = (field: string, node: ConditionGroup | SegmentCondition) => {
    if (isConditionGroup(node))
      node.conditions.forEach((c, i) => checkGroup(`${field}.conditions[${i}]`, c));
    else if (node.type === 'segment') checkSegment(`${field}.segmentId`, node.segmentId);
  };
  const checkCondition = (field: string, condition: BranchCondition) => {
    if (condition.on === 'segment') checkSegment(`${field}.segmentId`, condition.segmentId);
    if (condition.on === 'profile') checkGroup(`${field}.condition`, condition.condition);
  };

  switch (node.kind) {
    case 'trigger':
      if (node.trigger.type === 'segmentEntered')
        checkSegment('trigger.segmentId', node.trigger.segmentId);
      if (
        node.trigger.type === 'dateAnniversary' &&
        node.trigger.defaultTimezone !== undefined &&
        !isValidTimeZone(node.trigger.defaultTimezone)
      )
        add(
          'trigger.defaultTimezone',
          `"${node.trigger.defaultTimezone}" is not an IANA time zone — use e.g. "Europe/Paris"`,
        );
      break;
    case 'waitUntil':
      if (node.until.type === 'profileDate') {
        const check = checkProfilePath(node.until.field);
        if (!check.ok) add('until.field', check.message);
        else if (check.kind !== 'date' && check.kind !== 'open') {
          add(
            'until.field',
            `"${node.until.field}" is ${PROFILE_KIND_WORDS[check.kind]}, not a date — name a date such as "purchases.predictedNextOrderAt" or a trait holding one ("traits.renewal_at")`,
          );
        } else if (
          profilePathSegments(node.until.field).includes('*') &&
          trigger?.type !== 'event'
        ) {
          add(
            'until.field',
            `"${node.until.field}": * stands for a key taken from the event that starts the run (the products it bought, its name), and this journey does not start on an event — start it on an event, or name the key`,
          );
        }
      }
      if (
        node.until.type === 'timeOfDay' &&
        node.until.defaultTimezone !== undefined &&
        !isValidTimeZone(node.until.defaultTimezone)
      ) {
        add(
          'until.defaultTimezone',
          `"${node.until.defaultTimezone}" is not an IANA time zone — use e.g. "Europe/Paris"`,
        );
      }
      break;
    case 'branch':
    case 'goal':
      checkCondition('condition', node.condition);
      break;
    case 'multiSplit': {
      const seen = new Set<string>();
      node.branches.forEach((b, i) => {
        if (b.id === 'else')
          add(
            `branches[${i}].id`,
            'must not be "else" — that output is taken by contacts who match no branch',
          );
        else if (seen.has(b.id))
          add(
            `branches[${i}].id`,
            `"${b.id}" is used by another branch — give each branch its own id`,
          );
        seen.add(b.id);
        checkCondition(`branches[${i}].condition`, b.condition);
      });
      break;
    }
    case 'randomSplit': {
      const seen = new Set<string>();
      node.variants.forEach((v, i) => {
        if (seen.has(v.id))
          add(
            `variants[${i}].id`,
            `"${v.id}" is used by another variant — give each variant its own id`,
          );
        seen.add(v.id);
      });
      break;
    }
    case 'action': {
      const entry = options.catalog(node.action.type, node.action.version);
      if (!entry) {
        add(
          'action',
          `"${node.action.type}@${node.action.version}" is not an installed action — install it or pick another action`,
        );
        break;
      }
      for (const problem of entry.validateConfig(node.config)) {
        const field = problem.path === '' ? 'config' : `config.${problem.path}`;
        add(field, problem.message);
      }
      for (const { field, reference, message } of liquidProfileProblems(node.config, 'config')) {
        add(field, `reads "contact.profile.${reference}": ${message}`);
      }
      const templateId = node.config.templateId;
      if (
        typeof templateId === 'string' &&
        options.templateExists &&
        !options.templateExists(templateId)
      ) {
        add(
          'config.templateId',
          `refers to template "${templateId}", which does not exist — pick an existing template`,
        );
      }
      checkPinnedTemplate(node.config.template, options, add);
      break;
    }
    case 'waitFor':
      if (node.for.type === 'condition') checkGroup('for.condition', node.for.condition);
      break;
    case 'delay':
    case 'exit':
      break;
  }
  return problems;
}

/** A step pinned to a saved template (`config.template: { id, version }`) must name a version that exists. */
function checkPinnedTemplate(
  pinned: unknown,
  options: ValidateJourneyOptions,
  add: (field: string, message: string) => void,
): void {
  if (!options.templateLatestVersion || pinned === null || typeof pinned !== 'object') return;
  const { id, version } = pinned as { id?: unknown; version?: unknown };
  if (typeof id !== 'string' || id === '') return;
  const latest = options.templateLatestVersion(id);
  if (latest === undefined)
    add(
      'config.template.id',
      `refers to template "${id}", which does not exist — pick an existing template`,
    );
  else if (typeof version === 'number' && version > latest)
    add(
      'config.template.version',
      `is ${version}, but template "${id}" has versions 1 to ${latest} — pick one of them`,
    );
}

/** Profile paths read by Liquid in any string of an action's config that are not on the profile. */
function liquidProfileProblems(
  value: unknown,
  field: string,
): { field: string; reference: string; message: string }[] {
  if (typeof value === 'string') return unknownProfileReads(value).map((p) => ({ field, ...p }));
  if (Array.isArray(value))
    return value.flatMap((v, i) => liquidProfileProblems(v, `${field}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => liquidProfileProblems(v, `${field}.${k}`));
  return [];
}

function settingsProblems(
  def: JourneyDefinition,
  _options: ValidateJourneyOptions,
): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  const tz = def.settings.quietHours?.defaultTimezone;
  if (tz !== undefined && !isValidTimeZone(tz)) {
    problems.push({
      path: 'settings.quietHours.defaultTimezone',
      message: `settings.quietHours.defaultTimezone: "${tz}" is not an IANA time zone — use e.g. "America/New_York"`,
    });
  }
  const { entryStartsAt, entryEndsAt } = def.settings;
  if (
    entryStartsAt !== undefined &&
    entryEndsAt !== undefined &&
    Date.parse(entryEndsAt) <= Date.parse(entryStartsAt)
  ) {
    problems.push({
      path: 'settings.entryEndsAt',
      message: `settings.entryEndsAt: must be after settings.entryStartsAt (${entryStartsAt}) — move the end date later or the start date earlier`,
    });
  }
  if (def.settings.exitOnSegmentExit) {
    const trigger = def.nodes.find((n) => n.kind === 'trigger');
    if (trigger?.kind === 'trigger' && trigger.trigger.type !== 'segmentEntered') {
      problems.push({
        path: 'settings.exitOnSegmentExit',
        message:
          'settings.exitOnSegmentExit: only applies to a "segment entered" trigger — turn it off or change the trigger',
      });
    }
  }
  return problems;
}
