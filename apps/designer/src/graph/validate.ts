import type { ActionCatalog, BranchCondition, Duration, JourneyDefinition, JourneyNode } from '../domain/journey.js';
import { outputsOf } from '../domain/journey.js';

export type GraphIssue = { path: string; message: string; nodeId?: string };

// Local structural checks for instant badges; the server (and core's validateJourney) stay the authority on publish.
export function validateGraph(def: Pick<JourneyDefinition, 'nodes' | 'edges'>, catalog: ActionCatalog): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const triggers = def.nodes.filter((n) => n.kind === 'trigger');
  if (triggers.length !== 1) issues.push({ path: 'nodes', message: `must contain exactly one trigger (found ${triggers.length})` });

  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  def.edges.forEach((e, i) => {
    const source = byId.get(e.source);
    if (!source) issues.push({ path: `edges[${i}].source`, message: `unknown node "${e.source}"` });
    else if (!outputsOf(source, catalog).includes(e.sourceHandle))
      issues.push({ path: `edges[${i}].sourceHandle`, message: `"${e.sourceHandle}" is not an output of ${e.source}`, nodeId: e.source });
    if (!byId.has(e.target)) issues.push({ path: `edges[${i}].target`, message: `unknown node "${e.target}"` });
  });

  const reachable = new Set<string>();
  const queue = triggers.map((t) => t.id);
  while (queue.length) {
    const id = queue.shift()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const e of def.edges) if (e.source === id) queue.push(e.target);
  }

  def.nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    const add = (path: string, message: string) => issues.push({ path: `${at}${path}`, message, nodeId: node.id });
    if (node.kind !== 'trigger' && !reachable.has(node.id)) add('', 'is not reachable from the trigger: connect it or delete it');
    for (const [path, message] of nodeFieldIssues(node, catalog)) add(path, message);
  });
  return issues;
}

function durationIssues(d: Duration, path: string): [string, string][] {
  return Number.isInteger(d.amount) && d.amount >= 1 ? [] : [[path + '.amount', 'must be a whole number ≥ 1']];
}

function conditionIssues(c: BranchCondition, path: string): [string, string][] {
  if (c.on === 'segment' && !c.segmentId) return [[`${path}.segmentId`, 'choose a segment']];
  if (c.on === 'eventSinceEntry' && !c.event) return [[`${path}.event`, 'enter an event name']];
  if (c.on === 'profile' && c.condition.conditions.length === 0) return [[`${path}.condition.conditions`, 'add at least one condition']];
  return [];
}

function nodeFieldIssues(node: JourneyNode, catalog: ActionCatalog): [string, string][] {
  switch (node.kind) {
    case 'trigger': {
      const t = node.trigger;
      if (t.type === 'segmentEntered' && !t.segmentId) return [['.trigger.segmentId', 'choose a segment']];
      if (t.type === 'event' && !t.event) return [['.trigger.event', 'enter an event name']];
      if (t.type === 'dateAnniversary' && !t.trait) return [['.trigger.trait', 'enter a date trait']];
      return [];
    }
    case 'delay':
      return durationIssues(node.duration, '.duration');
    case 'waitUntil': {
      const u = node.until;
      if (u.type === 'datetime' && Number.isNaN(Date.parse(u.at))) return [['.until.at', 'must be a date and time']];
      if (u.type === 'timeOfDay' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(u.time)) return [['.until.time', 'must be HH:mm, e.g. 09:30']];
      if (u.type === 'profileDate' && !u.field) return [['.until.field', 'enter a profile date field']];
      return [];
    }
    case 'waitFor': {
      const own: [string, string][] = node.for.type === 'event' && !node.for.event ? [['.for.event', 'enter an event name']] : [];
      return [...own, ...durationIssues(node.timeout, '.timeout')];
    }
    case 'branch':
    case 'goal':
      return conditionIssues(node.condition, '.condition');
    case 'multiSplit':
      return node.branches.length === 0
        ? [['.branches', 'add at least one path']]
        : node.branches.flatMap((b, i) => conditionIssues(b.condition, `.branches[${i}].condition`));
    case 'randomSplit': {
      const total = node.variants.reduce((sum, v) => sum + v.weight, 0);
      return node.variants.length < 2 || total <= 0 ? [['.variants', 'needs at least two variants with weight > 0']] : [];
    }
    case 'action': {
      const entry = catalog(node.action.type, node.action.version);
      if (!entry) return [['.action', `unknown action ${node.action.type}@${node.action.version}`]];
      return entry.validateConfig(node.config).map((e) => [`.config${e.path ? '.' + e.path : ''}`, e.message]);
    }
    case 'exit':
      return [];
  }
}
